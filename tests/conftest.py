"""Fixtures: a fake Bot API on 127.0.0.1 and the real application polling it."""
from __future__ import annotations

import pytest

from bot.settings import Settings
from tests.fake_api import FakeBotAPI
from tests.harness import BotHarness


@pytest.fixture
async def fake_api():
    server = FakeBotAPI()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def settings(tmp_path, fake_api) -> Settings:
    return Settings(
        bot_token="123456:TEST-TOKEN",
        api_base_url=fake_api.base_url,
        database_path=str(tmp_path / "hotline.sqlite3"),
    )


@pytest.fixture
async def bot(settings, fake_api):
    async with BotHarness.started(settings, fake_api) as harness:
        yield harness


@pytest.fixture(autouse=True)
def log_holds_no_personal_data(monkeypatch):
    """Every test: no log record may hold the test users' names, texts, phones or the token."""
    import logging

    from bot.devtools.offline import OfflineBotAPI
    from tests import log_scan

    secrets: set[str] = set()
    user_sends = OfflineBotAPI.user_sends

    def recording_user_sends(self, user, text=None, **kwargs):
        secrets.update(log_scan.secrets_of(user, text, kwargs))
        return user_sends(self, user, text, **kwargs)

    monkeypatch.setattr(OfflineBotAPI, "user_sends", recording_user_sends)
    capture = log_scan.Capture()
    root, httpx = logging.getLogger(), logging.getLogger("httpx")
    levels = root.level, httpx.level
    root.addHandler(capture)
    root.setLevel(logging.INFO)
    httpx.setLevel(logging.WARNING)  # as bot/cli.py: its lines carry the token
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        root.setLevel(levels[0])
        httpx.setLevel(levels[1])
    found = log_scan.leaks(capture.records, secrets)
    assert not found, "personal data in the log: " + "; ".join(sorted(set(found)))
