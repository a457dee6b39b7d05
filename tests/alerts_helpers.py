"""Shared pieces for the safety-alert tests: fast sender settings, subscribers, waiting."""
from __future__ import annotations

import asyncio
import dataclasses
import itertools

from bot.settings import Settings
from storage import broadcasts, subscribers, users
from storage.db import Database
from tests.harness import BotHarness, Reply

ADMIN_ID = 900_001
_ids = itertools.count(600_001)


def fast(settings: Settings, rate: float = 500.0, **changes) -> Settings:
    """The test settings with an admin and a sender fast enough for tests."""
    return dataclasses.replace(
        settings, admin_user_ids=frozenset({ADMIN_ID}), broadcast_rate=rate,
        broadcast_poll_seconds=0.05, broadcast_progress_seconds=0.05,
        broadcast_retry_seconds=0.05, **changes,
    )


async def add_subscribers(db: Database, api, count: int, language: str = "km",
                          province: str | None = None, subscribed: bool = True) -> list[int]:
    """People who chose alerts (without chatting through onboarding, to stay fast)."""
    ids = []
    for _ in range(count):
        user_id = next(_ids)
        api.private_chat({"id": user_id, "first_name": "Sub"})
        await users.get_or_create(db, user_id, language)
        await subscribers.set_subscribed(db, user_id, subscribed)
        if province:
            await subscribers.set_province(db, user_id, province)
        ids.append(user_id)
    return ids


def alerts_to(api, user_id: int) -> list[Reply]:
    """Alerts the person received (every alert carries the Stop alerts button)."""
    return [Reply(m) for m in api.sent_to(user_id)
            if not m.get("edited") and "al:stop" in [data for _, data in Reply(m).buttons]]


async def wait_until(predicate, timeout: float = 15.0) -> None:
    """Poll an async or plain predicate until it is true."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.02)


async def wait_for_status(db: Database, broadcast_id: int, status: str = "done") -> None:
    async def reached() -> bool:
        broadcast = await broadcasts.get(db, broadcast_id)
        return broadcast is not None and broadcast.status == status
    await wait_until(reached)


async def compose(bot: BotHarness, admin, *, audience: str = "All subscribers",
                  province: str | None = None, km: str | None = "ប្រយ័ត្ន ការងារក្លែងក្លាយ",
                  en: str | None = "Beware of fake job offers", photo: bool = False) -> list[Reply]:
    """The admin goes through /broadcast up to the preview; returns the preview replies."""
    await admin.send("/broadcast")
    await admin.press(audience)
    if province:
        await admin.press(province)
    if km:
        await admin.send(km)
    else:
        await admin.press_data("bc:skip")
    if en:
        await admin.send(en)
    else:
        await admin.press_data("bc:skip")
    if photo:
        return await admin.send(photo=True)
    return await admin.press_data("bc:nophoto")


async def latest_broadcast_id(db: Database) -> int:
    return int(await db.fetchval("SELECT MAX(id) FROM broadcasts"))
