"""Rows of the outbox (what the bot sends on its own) and the staff group's current id.

Every message the bot sends that is not the immediate answer to the person who wrote is a
row here, safety alerts included (lane ALERTS, one row per broadcast and person). The one
sender (bot/jobs/sender.py) takes them and writes Telegram's answers with `record`."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from storage import db as engine
from storage import subscribers
from storage.clock import now_text
from storage.db import Connection, Database

# Lanes: what goes first when several wait (immediate answers are not rows: they go direct).
RELAYS, STAFF_POSTS, FOLLOWUPS = 1, 2, 3  # relays and notices; staff-group posts; follow-ups
ALERTS = 4  # safety alerts: paced apart, with what the other lanes leave of the budget
STAFF_GROUP = 0  # chat_id of rows for the staff group, whatever its id is by then
EDITS = ("card_edit", "purge", "progress")  # rows that change what was posted: not messages
UNREACHABLE = "unreachable: "  # the reason's start when the person blocked the bot (403)


@dataclass(frozen=True)
class Item:
    """One message to send: `kind` says how (bot/jobs/sender.py), `payload` what."""

    kind: str
    payload: dict[str, Any]
    chat_id: int = STAFF_GROUP
    case_id: int | None = None
    lane: int = STAFF_POSTS
    person_id: int | None = None  # whom it names when it has no case (/delete finds it)
    followup_id: int | None = None  # the follow-up it delivers


@dataclass(frozen=True)
class Row:
    id: int
    lane: int
    chat_id: int
    case_id: int | None
    kind: str
    payload: dict[str, Any]
    attempts: int
    followup_id: int | None = None
    broadcast_id: int | None = None


async def add(conn: Connection, item: Item) -> int:
    """Queue an item inside the caller's transaction; its row id."""
    async with conn.execute(
        "INSERT INTO outbox(lane, chat_id, case_id, kind, payload, created_at, person_id,"
        " followup_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (item.lane, item.chat_id, item.case_id, item.kind,
         json.dumps(item.payload, ensure_ascii=False), now_text(), item.person_id,
         item.followup_id),
    ) as cur:
        return int((await cur.fetchone())[0])


async def queue(db: Database, *items: Item) -> list[int]:
    """Queue items in a transaction of their own (the change that causes them is the
    message itself, e.g. a relay); their row ids."""
    async with db.transaction(durable=True) as conn:
        return [await add(conn, item) for item in items]


async def queue_edit(db: Database, case_id: int) -> bool:
    """Queue an edit of the case's card, unless one is queued already (the text is written
    when it is sent, so one edit shows every change made meanwhile); True if queued."""
    async with db.transaction() as conn, conn.execute(
        "INSERT INTO outbox(lane, chat_id, case_id, kind, payload, created_at)"
        " SELECT ?, ?, ?, 'card_edit', '{}', ? WHERE NOT EXISTS (SELECT 1 FROM outbox"
        " WHERE case_id = ? AND kind = 'card_edit' AND status = 'queued')",
        (STAFF_POSTS, STAFF_GROUP, case_id, now_text(), case_id),
    ) as cur:
        return cur.rowcount == 1


async def due(db: Database, now: float, busy_chats: set[int], limit: int) -> list[Row]:
    """The next row of each chat that may be sent now, by lane then age: a chat's rows go
    one after another, so a later one waits while an earlier one waits for its retry.
    Alerts are not among them (`alerts_due`)."""
    rows = await db.fetchall(
        "SELECT o.* FROM outbox o WHERE o.status = 'queued' AND o.broadcast_id IS NULL"
        " AND o.next_attempt_at <= ?"
        " AND o.id = (SELECT MIN(p.id) FROM outbox p WHERE p.status = 'queued'"
        "             AND p.broadcast_id IS NULL AND p.chat_id = o.chat_id)"
        " ORDER BY o.lane, o.id LIMIT ?", (now, limit + len(busy_chats)))
    found = [_row(r) for r in rows if r["chat_id"] not in busy_chats]
    return found[:limit]


async def next_due_at(db: Database) -> float | None:
    return await db.fetchval("SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'queued'"
                             " AND broadcast_id IS NULL")


async def alerts_due(db: Database, now: float, limit: int) -> list[Row]:
    """Queued alerts of broadcasts that are sending, due now, by when they fell due; never
    to someone who deleted their data (their rows go with /delete as well)."""
    # `+o.broadcast_id`: the unary plus keeps the planner on outbox_alerts_due, read in
    # order, rather than on the broadcast's index followed by a sort of every queued row
    # (with 100,000 queued, that sort per batch quadrupled the lane's CPU).
    rows = await db.fetchall(
        "SELECT o.* FROM outbox o WHERE o.status = 'queued' AND o.broadcast_id IS NOT NULL"
        " AND o.next_attempt_at <= ?"
        " AND +o.broadcast_id IN (SELECT id FROM broadcasts WHERE status = 'sending')"
        " AND NOT EXISTS (SELECT 1 FROM users u WHERE u.telegram_id = o.chat_id"
        "                 AND u.deleted_at IS NOT NULL)"
        " ORDER BY o.next_attempt_at, o.id LIMIT ?", (now, limit))
    return [_row(r) for r in rows]


async def next_alert_due_at(db: Database) -> float | None:
    """When the earliest queued alert of a sending broadcast falls due."""
    return await db.fetchval(
        "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'queued'"
        " AND broadcast_id IS NOT NULL"  # and the plus, as in alerts_due
        " AND +broadcast_id IN (SELECT id FROM broadcasts WHERE status = 'sending')")


@dataclass(frozen=True)
class Outcome:
    """Telegram's answer for one row, as the sender records it.

    sent: with where it went and Telegram's message id; retry: stays queued until `at`
    (`counts` False for flood waits, which say nothing about the row); failed: given up,
    with the reason (`unreachable`: the person blocked the bot, so their other queued
    alerts fail too and they are marked unreachable)."""

    row_id: int
    status: str  # 'sent', 'retry', 'failed'
    chat_id: int | None = None
    message_id: int | None = None
    at: float = 0.0
    reason: str | None = None
    counts: bool = True
    unreachable: bool = False


async def record(db: Database, outcomes: list[Outcome]) -> None:
    """Write a group of answers in one transaction (a handful of statements however many:
    the alert lane writes hundreds a second this way)."""
    now = now_text()
    sent = [o for o in outcomes if o.status == "sent"]
    retry = [o for o in outcomes if o.status == "retry"]
    failed = [o for o in outcomes if o.status == "failed"]
    unreachable = [o for o in failed if o.unreachable]
    async with db.transaction() as conn:
        if sent:
            await conn.executemany(
                "UPDATE outbox SET status = 'sent', sent_at = ?, sent_chat_id = ?,"
                " message_id = ?, reason = NULL, attempts = attempts + 1 WHERE id = ?",
                [(now, o.chat_id, o.message_id, o.row_id) for o in sent])
        if retry:
            await conn.executemany(
                "UPDATE outbox SET next_attempt_at = ?, reason = ?, attempts = attempts + ?"
                " WHERE id = ?",
                [(o.at, _reason(o), int(o.counts), o.row_id) for o in retry])
        if failed:
            await conn.executemany(
                "UPDATE outbox SET status = 'failed', reason = ?, attempts = attempts + 1"
                " WHERE id = ?", [(_reason(o), o.row_id) for o in failed])
        if unreachable:  # their other queued alerts fail too, and they are marked
            await conn.executemany(
                "UPDATE outbox SET status = 'failed', reason = ? WHERE chat_id = ?"
                " AND status = 'queued' AND broadcast_id IS NOT NULL",
                [(_reason(o), o.chat_id) for o in unreachable])
            await subscribers.set_unreachable(conn, [o.chat_id for o in unreachable
                                                     if o.chat_id is not None])


def _reason(outcome: Outcome) -> str:
    reason = (outcome.reason or "")[:300]
    return UNREACHABLE + reason if outcome.unreachable else reason


async def drop(db: Database, row_id: int) -> None:
    """A queued row that must not go any more (nothing was sent)."""
    await db.execute_write("DELETE FROM outbox WHERE id = ? AND status = 'queued'", (row_id,))


async def backlog(db: Database) -> dict[int, int]:
    """Queued rows by lane (metrics, /stats)."""
    rows = await db.fetchall(
        "SELECT lane, COUNT(*) AS n FROM outbox WHERE status = 'queued' GROUP BY lane")
    return {r["lane"]: r["n"] for r in rows}


async def failed_for_case(db: Database, case_id: int) -> int:
    """Messages about the case given up (edits of what was posted are not messages)."""
    return await db.fetchval(
        "SELECT COUNT(*) FROM outbox WHERE case_id = ? AND status = 'failed'"
        f" AND kind NOT IN {EDITS}", (case_id,)) or 0


async def failed_count(db: Database) -> int:
    """Messages given up (/stats, /metrics); edits of what was posted are not messages, and
    alerts count in their broadcast's figures (most are people who blocked the bot)."""
    return await db.fetchval(
        "SELECT COUNT(*) FROM outbox WHERE status = 'failed' AND broadcast_id IS NULL"
        f" AND kind NOT IN {EDITS}") or 0


@dataclass(frozen=True)
class Copy:
    """A message the bot posted in the staff group: where, when, and whether its words are
    a text or a caption (what an edit can replace once it is too old to delete)."""

    chat_id: int
    message_id: int
    sent_at: str
    part: str  # 'text' or 'caption'


async def posted_copies(conn: Connection, where: str, params: tuple[Any, ...]
                        ) -> list[Copy]:
    """What sent rows matching `where` posted in the staff group (inside the caller's
    transaction, before their payloads are cleared)."""
    async with conn.execute(
        "SELECT sent_chat_id, message_id, kind, sent_at, payload FROM outbox"
        f" WHERE status = 'sent' AND chat_id = {STAFF_GROUP} AND message_id IS NOT NULL"
        f" AND kind NOT IN {EDITS} AND ({where}) ORDER BY id", params) as cur:
        rows = await cur.fetchall()
    found = []
    for r in rows:
        media = r[2] == "file" or (r[2] == "copy_in" and not json.loads(r[4]).get("text"))
        found.append(Copy(r[0], r[1], r[3], "caption" if media else "text"))
    return found


def purge(chat_id: int, delete: list[int], edit: list[Copy], case_id: int | None = None,
          person_id: int | None = None) -> Item:
    """A row that removes copies from the staff group: `delete` in batches (Telegram allows
    48 hours), `edit` (older copies the bot posted) overwritten with a notice."""
    return Item("purge", {"chat": chat_id, "delete": sorted(set(delete)),
                          "edit": [[c.message_id, c.part] for c in edit]},
                case_id=case_id, person_id=person_id)


async def forget_person(conn: Connection, person_id: int) -> list[Copy]:
    """Rows that name a person but no case (the "I need help now" staff alert), inside the
    transaction of /delete: queued ones are dropped, sent ones forget their text; returns
    what was posted, so its copies are deleted or edited."""
    posted = await posted_copies(conn, "person_id = ?", (person_id,))
    await conn.execute("DELETE FROM outbox WHERE status = 'queued' AND person_id = ?",
                       (person_id,))
    await conn.execute("UPDATE outbox SET payload = '{}' WHERE person_id = ?", (person_id,))
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
               json.loads(r["payload"]), r["attempts"], r["followup_id"], r["broadcast_id"])
