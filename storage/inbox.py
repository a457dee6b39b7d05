"""Rows of the inbox: every update from Telegram, kept until its handlers finished."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from storage.clock import now_text, to_text
from storage.db import Database


async def accept(db: Database, updates: Iterable[tuple[int, str]]) -> set[int]:
    """Store (update_id, JSON) pairs durably; returns the ids that were new.

    An id already stored (Telegram delivering it again after a crash) is not new."""
    updates = list(updates)
    if not updates:
        return set()
    now = now_text()
    values = ", ".join("(?, ?, ?)" for _ in updates)
    params = [value for update_id, payload in updates for value in (update_id, payload, now)]
    rows = await db.write_returning(  # one statement: one commit, durable before the ack
        f"INSERT INTO inbox(update_id, payload, received_at) VALUES {values}"
        " ON CONFLICT DO NOTHING RETURNING update_id", params, durable=True)
    return {row[0] for row in rows}


async def take_unfinished(db: Database, max_replays: int) -> tuple[list[tuple[int, str]], int]:
    """At start-up: updates not yet handled, oldest first, and how many were given up.

    Each start-up counts against every unfinished row; one that was replayed
    `max_replays` times already (it may be what crashed the bot) is set done unhandled,
    so one bad update cannot stop the hotline for good."""
    now = now_text()
    async with db.transaction() as conn:
        await conn.execute("UPDATE inbox SET replays = replays + 1 WHERE done_at IS NULL")
        async with conn.execute("UPDATE inbox SET done_at = ? WHERE done_at IS NULL"
                                " AND replays > ?", (now, max_replays)) as cur:
            given_up = cur.rowcount
        async with conn.execute("SELECT update_id, payload FROM inbox WHERE done_at IS NULL"
                                " ORDER BY update_id") as cur:
            rows = await cur.fetchall()
    return [(r["update_id"], r["payload"]) for r in rows], given_up


async def mark_done(db: Database, update_ids: Iterable[int]) -> None:
    ids = list(update_ids)
    if not ids:
        return
    marks = ", ".join("?" for _ in ids)
    await db.execute_write(f"UPDATE inbox SET done_at = ? WHERE update_id IN ({marks})",
                           [now_text(), *ids])


async def prune(db: Database, done_before: datetime) -> int:
    """Forget handled updates older than `done_before`; returns how many."""
    async with db.transaction() as conn, conn.execute(
            "DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?",
            (to_text(done_before),)) as cur:
        return cur.rowcount
