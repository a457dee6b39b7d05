"""Follow-up messages about cases: rows the sender (bot/followups.py) sweeps when due.

Scheduling and cancelling take the connection of an open transaction, so the
state change that causes them (a new case, a referral, closing, reopening, the
first staff answer) and the follow-up are written together or not at all.
A row goes from 'scheduled' to 'sent', 'failed' or 'cancelled' exactly once:
every change of state is guarded by `state = 'scheduled'`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.clock import from_text, now_text, to_text
from storage.db import Database

KINDS = ("no_reply", "after_referral", "after_close", "staff")
ANSWERS = ("yes", "no", "help")
STAFF_TEXT_LIMIT = 1000  # characters of a staff follow-up


@dataclass(frozen=True)
class Followup:
    id: int
    case_id: int
    person_id: int
    kind: str
    text: str | None
    created_by: int | None
    due_at: str
    next_attempt: str
    state: str
    attempts: int
    last_error: str | None
    answer: str | None
    satisfaction: int | None

    @property
    def due(self) -> datetime:
        return from_text(self.next_attempt)


def _to_followup(row) -> Followup:
    return Followup(
        id=row["id"], case_id=row["case_id"], person_id=row["person_id"], kind=row["kind"],
        text=row["text"], created_by=row["created_by"], due_at=row["due_at"],
        next_attempt=row["next_attempt"], state=row["state"], attempts=row["attempts"],
        last_error=row["last_error"], answer=row["answer"], satisfaction=row["satisfaction"],
    )


# -- inside the transaction of a state change ------------------------------------------
async def schedule(conn, case_id: int, kind: str, due: datetime, *, text: str | None = None,
                   created_by: int | None = None) -> int | None:
    """A follow-up to the case's reporter at `due`; its id, or None when none was made:
    the reporter asked not to be contacted, or this automatic kind was scheduled before."""
    if kind not in KINDS:
        raise ValueError(f"unknown follow-up kind {kind!r}")
    due_text = to_text(due)
    async with conn.execute(
        "INSERT INTO followups(case_id, person_id, kind, text, created_by, created_at,"
        " due_at, next_attempt) SELECT id, reporter_id, ?, ?, ?, ?, ?, ? FROM cases"
        " WHERE id = ? AND contact != 'none' ON CONFLICT DO NOTHING RETURNING id",
        (kind, text[:STAFF_TEXT_LIMIT] if text else None, created_by, now_text(), due_text,
         due_text, case_id),
    ) as cur:
        row = await cur.fetchone()
        return None if row is None else int(row[0])


async def schedule_after(conn, case_id: int, kind: str, after: timedelta | None) -> int | None:
    """An automatic follow-up `after` from now; nothing when `after` is None."""
    if after is None:
        return None
    return await schedule(conn, case_id, kind, from_text(now_text()) + after)


async def cancel_pending(conn, case_id: int, kinds: tuple[str, ...] | None, reason: str) -> int:
    """Cancel the case's scheduled follow-ups of these kinds (None: all); how many."""
    where, params = "", ()
    if kinds is not None:
        where = f" AND kind IN ({', '.join('?' for _ in kinds)})"
        params = tuple(kinds)
    async with conn.execute(
        "UPDATE followups SET state = 'cancelled', last_error = ?"
        f" WHERE case_id = ? AND state = 'scheduled'{where}", (reason, case_id, *params),
    ) as cur:
        return cur.rowcount


async def cancel_one(conn, case_id: int, followup_id: int, reason: str) -> bool:
    """Cancel one scheduled follow-up of this case; False if there is none such."""
    async with conn.execute(
        "UPDATE followups SET state = 'cancelled', last_error = ?"
        " WHERE id = ? AND case_id = ? AND state = 'scheduled'", (reason, followup_id, case_id),
    ) as cur:
        return cur.rowcount == 1


# -- reading ------------------------------------------------------------------------------
async def get(db: Database, followup_id: int) -> Followup | None:
    row = await db.fetchone("SELECT * FROM followups WHERE id = ?", (followup_id,))
    return None if row is None else _to_followup(row)


async def get_own(db: Database, followup_id: int, person_id: int) -> Followup | None:
    """The follow-up, only if it was sent to this person."""
    row = await db.fetchone(
        "SELECT * FROM followups WHERE id = ? AND person_id = ? AND state = 'sent'",
        (followup_id, person_id),
    )
    return None if row is None else _to_followup(row)


async def of_case(db: Database, case_id: int, states: tuple[str, ...] = ("scheduled",)
                  ) -> list[Followup]:
    """The case's follow-ups in these states, by when they go."""
    marks = ", ".join("?" for _ in states)
    rows = await db.fetchall(
        f"SELECT * FROM followups WHERE case_id = ? AND state IN ({marks})"
        " ORDER BY next_attempt, id", (case_id, *states),
    )
    return [_to_followup(row) for row in rows]


async def due(db: Database, now: datetime, limit: int) -> list[Followup]:
    """Scheduled rows whose time has come, oldest first."""
    rows = await db.fetchall(
        "SELECT * FROM followups WHERE state = 'scheduled' AND next_attempt <= ?"
        " ORDER BY next_attempt, id LIMIT ?", (to_text(now), limit),
    )
    return [_to_followup(row) for row in rows]


async def why_not_send(db: Database, followup: Followup) -> str | None:
    """Why this follow-up must not go now (it is then cancelled), or None to send it."""
    row = await db.fetchone(
        "SELECT f.state, u.deleted_at, u.unreachable_at, u.reminders_off_at, c.status,"
        " c.contact, c.first_response_at FROM followups f JOIN cases c ON c.id = f.case_id"
        " LEFT JOIN users u ON u.telegram_id = f.person_id WHERE f.id = ?", (followup.id,),
    )
    if row is None:
        return "case gone"
    if row["state"] != "scheduled":  # cancelled since the sweep read it
        return "no longer scheduled"
    if row["deleted_at"] is not None:
        return "data deleted"
    if row["unreachable_at"] is not None:
        return "unreachable"
    if row["reminders_off_at"] is not None:
        return "reminders off"
    if row["contact"] == "none":
        return "no contact wanted"
    # Belt and braces: the state changes cancel these in their own transaction already.
    if followup.kind == "no_reply" and (row["status"] != "new" or row["first_response_at"]):
        return "answered"
    if followup.kind == "after_referral" and row["status"] != "referred":
        return "no longer referred"
    if followup.kind == "after_close" and row["status"] != "closed":
        return "no longer closed"
    return None


# -- the sender's marks (one statement each, guarded by the state) ------------------------
async def mark_sent(db: Database, followup_id: int, message_id: int, at: datetime) -> bool:
    async with db.transaction() as conn, conn.execute(
        "UPDATE followups SET state = 'sent', sent_at = ?, message_id = ?, last_error = NULL"
        " WHERE id = ? AND state = 'scheduled'", (to_text(at), message_id, followup_id),
    ) as cur:
        return cur.rowcount == 1


async def mark_retry(db: Database, followup_id: int, next_attempt: datetime, error: str, *,
                     counts: bool = True) -> None:
    """Try again at next_attempt; a 429 does not count as an attempt."""
    await db.execute_write(
        "UPDATE followups SET next_attempt = ?, last_error = ?, attempts = attempts + ?"
        " WHERE id = ? AND state = 'scheduled'",
        (to_text(next_attempt), error[:300], int(counts), followup_id),
    )


async def mark_failed(db: Database, followup_id: int, error: str) -> None:
    await db.execute_write(
        "UPDATE followups SET state = 'failed', last_error = ?, attempts = attempts + 1"
        " WHERE id = ? AND state = 'scheduled'", (error[:300], followup_id),
    )


async def mark_cancelled(db: Database, followup_id: int, reason: str) -> None:
    await db.execute_write(
        "UPDATE followups SET state = 'cancelled', last_error = ?"
        " WHERE id = ? AND state = 'scheduled'", (reason, followup_id),
    )


QUIET_WINDOW = timedelta(hours=1)  # where the rows moved out of quiet hours are spread


async def defer_due(db: Database, now: datetime, morning: datetime, spread: timedelta) -> int:
    """Quiet hours: move what is due now to the morning, `spread` apart, after anything
    already moved there; how many rows moved."""
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT id FROM followups WHERE state = 'scheduled' AND next_attempt <= ?"
            " ORDER BY next_attempt, id", (to_text(now),),
        ) as cur:
            ids = [row[0] for row in await cur.fetchall()]
        if not ids:
            return 0
        # Only the morning's own spread counts: a follow-up scheduled days ahead must not
        # push what is due now back to after it.
        async with conn.execute(
            "SELECT MAX(next_attempt) FROM followups WHERE state = 'scheduled'"
            " AND next_attempt >= ? AND next_attempt < ?",
            (to_text(morning), to_text(morning + QUIET_WINDOW)),
        ) as cur:
            last = (await cur.fetchone())[0]
        slot = morning if last is None else from_text(last) + spread
        for followup_id in ids:
            await conn.execute("UPDATE followups SET next_attempt = ? WHERE id = ?",
                               (to_text(slot), followup_id))
            slot += spread
        return len(ids)


# -- the person's answers and choices ------------------------------------------------------
async def record_answer(db: Database, followup_id: int, person_id: int, answer: str) -> bool:
    """The first answer to a sent follow-up counts; False if it was answered before."""
    if answer not in ANSWERS:
        raise ValueError(f"unknown answer {answer!r}")
    async with db.transaction() as conn, conn.execute(
        "UPDATE followups SET answer = ?, answered_at = ? WHERE id = ? AND person_id = ?"
        " AND state = 'sent' AND answer IS NULL", (answer, now_text(), followup_id, person_id),
    ) as cur:
        return cur.rowcount == 1


async def record_satisfaction(db: Database, followup_id: int, person_id: int, level: int) -> bool:
    if level not in (1, 2, 3):
        raise ValueError(f"satisfaction is 1, 2 or 3, not {level!r}")
    async with db.transaction() as conn, conn.execute(
        "UPDATE followups SET satisfaction = ? WHERE id = ? AND person_id = ?"
        " AND kind = 'after_close' AND state = 'sent' AND satisfaction IS NULL",
        (level, followup_id, person_id),
    ) as cur:
        return cur.rowcount == 1


async def reminders_on(db: Database, person_id: int) -> bool:
    value = await db.fetchval("SELECT reminders_off_at FROM users WHERE telegram_id = ?",
                              (person_id,))
    return value is None


async def set_reminders(db: Database, person_id: int, on: bool) -> int:
    """Turn follow-ups on or off for the person; turning them off cancels the scheduled
    ones (returns how many)."""
    async with db.transaction() as conn:
        if on:
            await conn.execute("UPDATE users SET reminders_off_at = NULL WHERE telegram_id = ?",
                               (person_id,))
            return 0
        await conn.execute(
            "UPDATE users SET reminders_off_at = COALESCE(reminders_off_at, ?)"
            " WHERE telegram_id = ?", (now_text(), person_id),
        )
        async with conn.execute(
            "UPDATE followups SET state = 'cancelled', last_error = 'reminders off'"
            " WHERE person_id = ? AND state = 'scheduled'", (person_id,),
        ) as cur:
            return cur.rowcount
