"""Broadcasts of safety alerts: one outbox row per (broadcast, person), in lane ALERTS.

A delivery is queued, then sent, failed (Telegram refused it, or retries ran out)
or blocked (the person blocked the bot or was deactivated: a failed row whose reason
says so). The one sender (bot/jobs/sender.py) takes due rows of broadcasts that are
'sending' (storage/outbox.py's alerts_due) and records Telegram's answers.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass

from storage.clock import now_text
from storage.db import Database, Row
from storage.outbox import ALERTS, RELAYS, UNREACHABLE

ALL = "all"
STATUSES = ("queued", "sent", "failed", "blocked")


@dataclass(frozen=True)
class Audience:
    """Who a broadcast goes to: every subscriber, one home province, or one language."""

    kind: str  # 'all', 'province' or 'language'
    value: str | None = None

    @classmethod
    def parse(cls, text: str) -> Audience:
        if text == ALL:
            return cls(ALL)
        kind, sep, value = text.partition(":")
        if sep and kind in ("province", "language") and value:
            return cls(kind, value)
        raise ValueError(f"unknown audience {text!r}")

    def __str__(self) -> str:
        return ALL if self.kind == ALL else f"{self.kind}:{self.value}"

    def where(self) -> tuple[str, tuple]:
        """SQL condition on subscribers s / users u, with its parameters."""
        condition = "s.subscribed = 1 AND u.unreachable_at IS NULL AND u.deleted_at IS NULL"
        if self.kind == "province":
            return condition + " AND s.province = ?", (self.value,)
        if self.kind == "language":
            return condition + " AND u.language = ?", (self.value,)
        return condition, ()


@dataclass(frozen=True)
class Broadcast:
    id: int
    created_by: int | None
    created_at: str
    audience: Audience
    text_km: str | None
    text_en: str | None
    photo: str | None
    status: str
    progress_chat_id: int | None
    progress_message_id: int | None
    finished_at: str | None


@dataclass(frozen=True)
class Figures:
    queued: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0

    @property
    def total(self) -> int:
        return self.queued + self.sent + self.failed + self.blocked


def _to_broadcast(row: Row) -> Broadcast:
    return Broadcast(
        id=row["id"], created_by=row["created_by"], created_at=row["created_at"],
        audience=Audience.parse(row["audience"]), text_km=row["text_km"], text_en=row["text_en"],
        photo=row["photo"], status=row["status"], progress_chat_id=row["progress_chat_id"],
        progress_message_id=row["progress_message_id"], finished_at=row["finished_at"],
    )


async def count_recipients(db: Database, audience: Audience) -> int:
    condition, params = audience.where()
    return int(await db.fetchval(
        "SELECT COUNT(*) FROM subscribers s JOIN users u ON u.telegram_id = s.telegram_id"
        f" WHERE {condition}", params,
    ))


CHUNK = 2_000  # deliveries queued per transaction


async def create(db: Database, *, audience: Audience, text_km: str | None, text_en: str | None,
                 photo: str | None = None, created_by: int | None = None,
                 draft_id: str | None = None) -> tuple[int, int]:
    """Queue a broadcast: the broadcast row, then one delivery per recipient, CHUNK at a
    time (each chunk its own short transaction; the sender may start on the first while
    the rest are queued, and goes on queueing after a crash). Returns (broadcast id,
    number of recipients). A draft already queued (Confirm pressed again) returns the
    broadcast it made; nothing is queued twice."""
    if not (text_km or text_en):
        raise ValueError("a broadcast needs a Khmer or an English text")
    async with db.transaction() as conn:
        existing = None
        if draft_id is not None:
            async with conn.execute("SELECT id FROM broadcasts WHERE draft_id = ?",
                                    (draft_id,)) as cur:
                existing = await cur.fetchone()
        if existing is None:
            async with conn.execute(
                "INSERT INTO broadcasts(created_by, created_at, audience, text_km, text_en,"
                " photo, draft_id, enqueued_through) VALUES (?, ?, ?, ?, ?, ?, ?, 0)"
                " RETURNING id",
                (created_by, now_text(), str(audience), text_km or None, text_en or None, photo,
                 draft_id),
            ) as cur:
                broadcast_id = int((await cur.fetchone())[0])
        else:
            broadcast_id = existing[0]
    while await enqueue_chunk(db, broadcast_id):
        pass
    count = await db.fetchval("SELECT COUNT(*) FROM outbox WHERE broadcast_id = ?",
                              (broadcast_id,))
    return broadcast_id, int(count or 0)


async def enqueue_chunk(db: Database, broadcast_id: int) -> bool:
    """Queue the next CHUNK recipients of a broadcast still being queued, in one transaction
    that also moves its cursor; False when there is nothing left to queue."""
    async with db.transaction() as conn:
        async with conn.execute(
                "SELECT audience, enqueued_through FROM broadcasts WHERE id = ?",
                (broadcast_id,)) as cur:
            found = await cur.fetchone()
        if found is None or found["enqueued_through"] is None:
            return False
        condition, params = Audience.parse(found["audience"]).where()
        async with conn.execute(
                "SELECT u.telegram_id, u.language FROM subscribers s"
                " JOIN users u ON u.telegram_id = s.telegram_id"
                f" WHERE {condition} AND u.telegram_id > ? ORDER BY u.telegram_id LIMIT ?",
                (*params, found["enqueued_through"], CHUNK)) as cur:
            people = [(r[0], r[1]) for r in await cur.fetchall()]
        now, due = now_text(), time.time()
        await conn.executemany(
            "INSERT INTO outbox(lane, chat_id, kind, payload, next_attempt_at, created_at,"
            " broadcast_id) VALUES (?, ?, 'alert', ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [(ALERTS, person, json.dumps({"language": language}), due, now, broadcast_id)
             for person, language in people])
        last = people[-1][0] if len(people) == CHUNK else None
        await conn.execute("UPDATE broadcasts SET enqueued_through = ? WHERE id = ?",
                           (last, broadcast_id))
        return last is not None


async def enqueue_unfinished(db: Database) -> int:
    """Go on queueing broadcasts a crash left half queued (the sender calls this); how many
    chunks were queued."""
    chunks = 0
    for row in await db.fetchall("SELECT id FROM broadcasts WHERE enqueued_through IS NOT NULL"
                                 " AND status IN ('sending', 'paused')"):
        while await enqueue_chunk(db, row["id"]):
            chunks += 1
        chunks += 1
    return chunks


async def get(db: Database, broadcast_id: int) -> Broadcast | None:
    row = await db.fetchone("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
    return None if row is None else _to_broadcast(row)


async def recent(db: Database, limit: int = 10) -> list[Broadcast]:
    rows = await db.fetchall("SELECT * FROM broadcasts ORDER BY id DESC LIMIT ?", (limit,))
    return [_to_broadcast(row) for row in rows]


async def sending(db: Database) -> list[Broadcast]:
    rows = await db.fetchall("SELECT * FROM broadcasts WHERE status = 'sending' ORDER BY id")
    return [_to_broadcast(row) for row in rows]


async def figures(db: Database, broadcast_id: int) -> Figures:
    rows = await db.fetchall(
        "SELECT CASE WHEN status = 'failed' AND reason LIKE ? THEN 'blocked' ELSE status END"
        " AS outcome, COUNT(*) AS n FROM outbox WHERE broadcast_id = ? GROUP BY outcome",
        (UNREACHABLE + "%", broadcast_id),
    )
    return Figures(**{row["outcome"]: row["n"] for row in rows})


async def set_progress_message(db: Database, broadcast_id: int, chat_id: int,
                               message_id: int) -> None:
    await db.execute_write(
        "UPDATE broadcasts SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
        (chat_id, message_id, broadcast_id),
    )


# Which status changes an admin may make, from which statuses.
_CHANGES = {"paused": ("sending",), "sending": ("paused",), "cancelled": ("sending", "paused")}


async def change_status(db: Database, broadcast_id: int, status: str) -> bool:
    """Pause ('paused'), resume ('sending') or cancel ('cancelled'); False if not allowed now.

    A cancelled broadcast keeps its queued rows as they are (not sent, never will be)."""
    allowed = _CHANGES[status]
    finished = now_text() if status == "cancelled" else None
    async with db.transaction() as conn:
        cursor = await conn.execute(
            f"UPDATE broadcasts SET status = ?, finished_at = COALESCE(?, finished_at)"
            f" WHERE id = ? AND status IN ({','.join('?' * len(allowed))})",
            (status, finished, broadcast_id, *allowed),
        )
        return cursor.rowcount == 1


async def finish_if_complete(db: Database, broadcast_id: int) -> bool:
    """Mark a sending broadcast done when nothing is left queued; True if it was."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE broadcasts SET status = 'done', finished_at = ?"
            " WHERE id = ? AND status = 'sending' AND enqueued_through IS NULL AND NOT EXISTS ("
            "  SELECT 1 FROM outbox WHERE broadcast_id = ? AND status = 'queued')",
            (now_text(), broadcast_id, broadcast_id),
        )
        return cursor.rowcount == 1


async def queue_progress_edit(db: Database, broadcast_id: int) -> bool:
    """Queue an edit of the admin's progress message (an outbox row in their chat), unless
    one is queued already: its text is written when it is sent, so one edit shows every
    answer recorded meanwhile. False if queued already or there is no progress message."""
    payload = json.dumps({"broadcast": broadcast_id})
    async with db.transaction() as conn, conn.execute(
        "INSERT INTO outbox(lane, chat_id, kind, payload, created_at)"
        " SELECT ?, progress_chat_id, 'progress', ?, ? FROM broadcasts b"
        " WHERE b.id = ? AND b.progress_chat_id IS NOT NULL AND NOT EXISTS ("
        "  SELECT 1 FROM outbox o WHERE o.kind = 'progress' AND o.status = 'queued'"
        "  AND o.chat_id = b.progress_chat_id AND o.payload = ?)",
        (RELAYS, payload, now_text(), broadcast_id, payload),
    ) as cur:
        return cur.rowcount == 1
