"""A broadcast's deliveries are queued a chunk at a time (never one long transaction), and
a broadcast a crash left half queued is queued to the end and sent to everyone once."""
from __future__ import annotations

from storage import broadcasts
from storage.broadcasts import Audience
from storage.db import Database
from tests.alerts_helpers import add_subscribers, alerts_to, fast, wait_for_status
from tests.harness import BotHarness


async def test_deliveries_are_queued_in_chunks_of_short_transactions(tmp_path, fake_api,
                                                                     monkeypatch):
    monkeypatch.setattr(broadcasts, "CHUNK", 4)
    async with await Database.open(tmp_path / "h.sqlite3") as db:
        await add_subscribers(db, fake_api.api, 10, "km")
        chunks: list[str] = []

        def seen(sql: str) -> None:
            if "SET enqueued_through" in sql:  # each chunk's transaction moves the cursor
                chunks.append(sql)
        await db.trace(seen)
        _broadcast_id, count = await broadcasts.create(db, audience=Audience("all"),
                                                      text_km="ប្រយ័ត្ន", text_en=None)
        assert count == 10
        assert len(chunks) == 3  # 4 + 4 + 2, each its own transaction that moves the cursor
        assert await db.fetchval("SELECT enqueued_through FROM broadcasts") is None


async def test_a_broadcast_left_half_queued_by_a_crash_reaches_everyone_once(settings, fake_api,
                                                                           monkeypatch):
    api = fake_api.api
    monkeypatch.setattr(broadcasts, "CHUNK", 3)
    db = await Database.open(settings.database_path)
    people = await add_subscribers(db, api, 8, "en")
    broadcast_id, _ = await broadcasts.create(db, audience=Audience("all"), text_km=None,
                                              text_en="Beware")
    # As if the process died after the first chunk was committed.
    await db.execute_write("DELETE FROM outbox WHERE broadcast_id IS NOT NULL AND chat_id > ?",
                           (people[2],))
    await db.execute_write("UPDATE broadcasts SET enqueued_through = ?", (people[2],))
    await db.close()
    async with BotHarness.started(fast(settings), fake_api) as bot:
        await wait_for_status(bot.db, broadcast_id)
        assert [len(alerts_to(api, p)) for p in people] == [1] * 8
        figures = await broadcasts.figures(bot.db, broadcast_id)
        assert (figures.sent, figures.queued) == (8, 0)
