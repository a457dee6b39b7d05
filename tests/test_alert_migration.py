"""Migration 050 moves safety-alert deliveries into the outbox: a database from before it
keeps every broadcast's figures, and what was still queued is sent once, by the sender."""
from __future__ import annotations

import pytest

from storage import broadcasts
from storage import db as engine
from storage.db import Database
from tests.alerts_helpers import add_subscribers, alerts_to, fast, wait_for_status
from tests.harness import BotHarness

ALERTS_IN_OUTBOX = 50


@pytest.mark.sqlite_only("a SQLite file as it was before migration 050")
async def test_deliveries_from_before_the_outbox_keep_their_figures_and_are_sent_once(
        settings, fake_api, monkeypatch):
    api = fake_api.api
    every = engine.migration_files()
    monkeypatch.setattr(engine, "migration_files",
                        lambda: [m for m in every if m[0] < ALERTS_IN_OUTBOX])
    db = await Database.open(settings.database_path)
    sent, blocked, failed, waiting = await add_subscribers(db, api, 4, "en")
    [[broadcast_id]] = await db.write_returning(
        "INSERT INTO broadcasts(created_at, audience, text_en, status)"
        " VALUES ('2026-11-30T10:00:00Z', 'all', 'Beware of fake job offers', 'sending')"
        " RETURNING id")
    await db.execute_write(
        "INSERT INTO deliveries(broadcast_id, user_id, language, status, attempts,"
        " next_attempt, error, sent_at) VALUES"
        " (?, ?, 'en', 'sent', 1, 0, NULL, '2026-11-30T10:00:01Z'),"
        " (?, ?, 'en', 'blocked', 1, 0, 'Forbidden: bot was blocked by the user', NULL),"
        " (?, ?, 'en', 'failed', 1, 0, 'Chat not found', NULL),"
        " (?, ?, 'en', 'queued', 2, 0, 'Bad Gateway', NULL)",
        (broadcast_id, sent, broadcast_id, blocked, broadcast_id, failed, broadcast_id,
         waiting))
    await db.close()

    monkeypatch.setattr(engine, "migration_files", lambda: every)
    async with BotHarness.started(fast(settings), fake_api) as bot:
        before = await broadcasts.figures(bot.db, broadcast_id)
        await wait_for_status(bot.db, broadcast_id)
        figures = await broadcasts.figures(bot.db, broadcast_id)
        rows = await bot.db.fetchall(
            "SELECT chat_id, kind, lane, status, attempts, reason FROM outbox"
            " WHERE broadcast_id = ? ORDER BY chat_id", (broadcast_id,))
    assert (before.sent, before.blocked, before.failed, before.queued) == (1, 1, 1, 1)
    assert (figures.sent, figures.blocked, figures.failed, figures.queued) == (2, 1, 1, 0)
    assert [len(alerts_to(api, p)) for p in (sent, blocked, failed, waiting)] == [0, 0, 0, 1]
    assert {(r["kind"], r["lane"]) for r in rows} == {("alert", 4)}
    by_person = {r["chat_id"]: r for r in rows}
    assert by_person[blocked]["reason"].startswith("unreachable: Forbidden")
    assert by_person[waiting]["attempts"] == 3  # its two earlier tries are kept
    assert not await _table_exists(settings.database_path, "deliveries")


async def _table_exists(path: str, name: str) -> bool:
    async with await Database.open(path) as db:
        return bool(await db.fetchval(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)))
