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
