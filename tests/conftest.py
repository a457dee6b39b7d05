"""Fixtures: a fake Bot API on 127.0.0.1 and the real application polling it."""
from __future__ import annotations

import pytest

from bot.settings import Settings
from tests import engine
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


@pytest.fixture(scope="session")
def postgresql_server():
    """On a PostgreSQL run (HOTLINE_TEST_DATABASE=postgresql) the session's server, started
    from pgserver; None on SQLite. Every test is skipped, saying why, if it cannot start."""
    if not engine.POSTGRESQL:
        yield None
        return
    try:
        engine.server = engine.Server()
    except Exception as exc:  # no pgserver wheel for this platform, no shared memory ...
        pytest.skip(f"HOTLINE_TEST_DATABASE=postgresql but pgserver could not start a "
                    f"PostgreSQL server: {type(exc).__name__}: {exc}")
    yield engine.server
    engine.server.stop()
    engine.server = None


@pytest.fixture(autouse=True)
def database_engine(request, postgresql_server, monkeypatch):
    """The engine of this test run. On PostgreSQL every database the test opens by a path is
    a fresh PostgreSQL database (tests/engine.py), dropped when the test ends."""
    marker = request.node.get_closest_marker("sqlite_only")
    if postgresql_server is None:
        yield "sqlite"
        return
    if marker is not None:
        pytest.skip(f"SQLite only: {marker.args[0]}")
    from storage.db import Database, is_url

    original = Database.open.__func__

    async def open_on_postgresql(cls, path):
        return await original(cls, path if is_url(path) else postgresql_server.database_for(path))

    monkeypatch.setattr(Database, "open", classmethod(open_on_postgresql))
    try:
        yield "postgresql"
    finally:
        postgresql_server.drop_test_databases()
