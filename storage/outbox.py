"""Rows of the outbox (what the bot sends on its own) and the staff group's current id."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from storage import db as engine
from storage.clock import now_text
from storage.db import Connection, Database

RELAYS, STAFF_POSTS = 1, 2  # lanes: what goes first when both wait
STAFF_GROUP = 0  # chat_id of rows for the staff group, whatever its id is by then


@dataclass(frozen=True)
class Item:
    """One message to send: `kind` says how (bot/sender.py), `payload` what."""

    kind: str
    payload: dict[str, Any]
    chat_id: int = STAFF_GROUP
    case_id: int | None = None
    lane: int = STAFF_POSTS


@dataclass(frozen=True)
class Row:
    id: int
    lane: int
    chat_id: int
    case_id: int | None
    kind: str
    payload: dict[str, Any]
    attempts: int


async def add(conn: Connection, item: Item) -> int:
    """Queue an item inside the caller's transaction; its row id."""
    async with conn.execute(
        "INSERT INTO outbox(lane, chat_id, case_id, kind, payload, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (item.lane, item.chat_id, item.case_id, item.kind,
         json.dumps(item.payload, ensure_ascii=False), now_text()),
    ) as cur:
        return int((await cur.fetchone())[0])


async def queue(db: Database, *items: Item) -> list[int]:
    """Queue items in a transaction of their own (the change that causes them is the
    message itself, e.g. a relay); their row ids."""
    async with db.transaction(durable=True) as conn:
        return [await add(conn, item) for item in items]


async def due(db: Database, now: float, busy_chats: set[int], limit: int) -> list[Row]:
    """The next row of each chat that may be sent now, by lane then age: a chat's rows go
    one after another, so a later one waits while an earlier one waits for its retry."""
    rows = await db.fetchall(
        "SELECT o.* FROM outbox o WHERE o.status = 'queued' AND o.next_attempt_at <= ?"
        " AND o.id = (SELECT MIN(p.id) FROM outbox p"
        "             WHERE p.status = 'queued' AND p.chat_id = o.chat_id)"
        " ORDER BY o.lane, o.id LIMIT ?", (now, limit + len(busy_chats)))
    found = [_row(r) for r in rows if r["chat_id"] not in busy_chats]
    return found[:limit]


async def next_due_at(db: Database) -> float | None:
    return await db.fetchval("SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'queued'")


async def mark_sent(db: Database, row_id: int, chat_id: int, message_id: int | None) -> None:
    await db.execute_write(
        "UPDATE outbox SET status = 'sent', sent_at = ?, sent_chat_id = ?, message_id = ?,"
        " attempts = attempts + 1 WHERE id = ?", (now_text(), chat_id, message_id, row_id))


async def mark_retry(db: Database, row_id: int, at: float, reason: str, *,
                     counts: bool = True) -> None:
    await db.execute_write(
        "UPDATE outbox SET next_attempt_at = ?, reason = ?, attempts = attempts + ? WHERE id = ?",
        (at, reason[:300], 1 if counts else 0, row_id))


async def mark_failed(db: Database, row_id: int, reason: str) -> None:
    await db.execute_write(
        "UPDATE outbox SET status = 'failed', reason = ?, attempts = attempts + 1 WHERE id = ?",
        (reason[:300], row_id))


async def backlog(db: Database) -> dict[int, int]:
    """Queued rows by lane (metrics, /stats)."""
    rows = await db.fetchall(
        "SELECT lane, COUNT(*) AS n FROM outbox WHERE status = 'queued' GROUP BY lane")
    return {r["lane"]: r["n"] for r in rows}


async def failed_for_case(db: Database, case_id: int) -> int:
    return await db.fetchval(
        "SELECT COUNT(*) FROM outbox WHERE case_id = ? AND status = 'failed'", (case_id,)) or 0


async def failed_count(db: Database) -> int:
    return await db.fetchval("SELECT COUNT(*) FROM outbox WHERE status = 'failed'") or 0


async def forget_person(db: Database, person_id: int) -> list[tuple[int, int]]:
    """Rows about a person but no case (the "I need help now" staff alert): queued ones are
    dropped, sent ones forget their text; returns (chat, message id) of what was posted."""
    async with db.transaction() as conn:
        # The payload is read in Python: SQLite's and PostgreSQL's JSON functions differ.
        async with conn.execute(
            "SELECT id, status, payload, sent_chat_id, message_id FROM outbox"
            " WHERE payload LIKE '%\"person\"%'") as cur:
            rows = [r for r in await cur.fetchall()
                    if json.loads(r["payload"]).get("person") == person_id]
        posted = [(r["sent_chat_id"], r["message_id"]) for r in rows
                  if r["status"] == "sent" and r["message_id"] is not None]
        queued = [r["id"] for r in rows if r["status"] == "queued"]
        kept = [r["id"] for r in rows if r["status"] != "queued"]
        for sql, ids in (("DELETE FROM outbox WHERE id = ?", queued),
                         ("UPDATE outbox SET payload = '{}' WHERE id = ?", kept)):
            await conn.executemany(sql, [(row_id,) for row_id in ids])
    return posted


async def staff_chat_id(db: Database) -> int | None:
    """The staff group's id after Telegram moved it, if it did."""
    return await db.fetchval("SELECT chat_id FROM staff_chat WHERE id = 1")


async def set_staff_chat_id(db: Database, chat_id: int, moved_from: int) -> None:
    await db.execute_write(
        "INSERT INTO staff_chat(id, chat_id, moved_from, moved_at) VALUES (1, ?, ?, ?)"
        " ON CONFLICT(id) DO UPDATE SET chat_id = excluded.chat_id,"
        " moved_from = excluded.moved_from, moved_at = excluded.moved_at",
        (chat_id, moved_from, now_text()))


def _row(r: engine.Row) -> Row:
    return Row(r["id"], r["lane"], r["chat_id"], r["case_id"], r["kind"],
               json.loads(r["payload"]), r["attempts"])
