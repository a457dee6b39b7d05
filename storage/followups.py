"""Follow-up messages about cases: what was scheduled, and what became of it.

When one falls due (bot/jobs/followups.py sweeps), it is handed to the outbox (an outbox row
linked by followup_id, in the same transaction that sets `queued_at`), and the one
sender (bot/jobs/sender.py) delivers it; its answer is recorded back here (sent, failed).

Scheduling and cancelling take the connection of an open transaction, so the
state change that causes them (a new case, a referral, closing, reopening, the
first staff answer) and the follow-up are written together or not at all.
A row goes from 'scheduled' to 'sent', 'failed' or 'cancelled' exactly once:
every change of state is guarded by `state = 'scheduled'`.
The policy (whether one is made, when it is due, what stops it) is domain/followups.py's;
this module stores the rows and asks it.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain import followups as policy
from domain.states import FollowupKind
from storage import outbox
from storage.clock import from_text, now_text, to_text
from storage.db import Connection, Database, Row

KINDS = tuple(kind.value for kind in FollowupKind)
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


def _to_followup(row: Row) -> Followup:
    return Followup(
        id=row["id"], case_id=row["case_id"], person_id=row["person_id"], kind=row["kind"],
        text=row["text"], created_by=row["created_by"], due_at=row["due_at"],
        next_attempt=row["next_attempt"], state=row["state"], attempts=row["attempts"],
        last_error=row["last_error"], answer=row["answer"], satisfaction=row["satisfaction"],
    )


# -- inside the transaction of a state change ------------------------------------------
async def schedule(conn: Connection, case_id: int, kind: str, due: datetime, *,
                   text: str | None = None, created_by: int | None = None) -> int | None:
    """A follow-up to the case's reporter at `due`; its id, or None when the policy
    (domain/followups.py) makes none: the reporter may not be written to, or this automatic
    kind was scheduled before."""
    found = FollowupKind(kind)  # ValueError for an unknown kind
    async with conn.execute(
        "SELECT reporter_id, status, contact, erased_at, first_response_at FROM cases"
        " WHERE id = ?", (case_id,),
    ) as cur:
        case = await cur.fetchone()
    if case is None:
        return None
    async with conn.execute("SELECT kind FROM followups WHERE case_id = ?", (case_id,)) as cur:
        earlier = {row[0] for row in await cur.fetchall()}
    if not policy.may_schedule(found, _CaseFacts.of(case), earlier):
        return None
    due_text = to_text(due)
    # The unique index on automatic kinds stays as a guard (ON CONFLICT: nothing is made).
    async with conn.execute(
        "INSERT INTO followups(case_id, person_id, kind, text, created_by, created_at,"
        " due_at, next_attempt) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
        " RETURNING id",
        (case_id, case["reporter_id"], found.value, text[:STAFF_TEXT_LIMIT] if text else None,
         created_by, now_text(), due_text, due_text),
    ) as cur:
        made = await cur.fetchone()
    return None if made is None else int(made[0])


async def schedule_after(conn: Connection, case_id: int, kind: str,
                         after: timedelta | None) -> int | None:
    """An automatic follow-up `after` from now; nothing when `after` is None."""
    due = policy.due_at(from_text(now_text()), after)
    return None if due is None else await schedule(conn, case_id, kind, due)


async def cancel_pending(conn: Connection, case_id: int,
                         kinds: Collection[str] | None, reason: str) -> int:
    """Cancel the case's scheduled follow-ups of these kinds (None: all); how many."""
    where = ""
    params: tuple[str, ...] = ()
    if kinds is not None:
        where = f" AND kind IN ({', '.join('?' for _ in kinds)})"
        params = tuple(str(kind) for kind in kinds)
    async with conn.execute(
        "UPDATE followups SET state = 'cancelled', last_error = ?"
        f" WHERE case_id = ? AND state = 'scheduled'{where}", (reason, case_id, *params),
    ) as cur:
        return cur.rowcount


async def cancel_one(conn: Connection, case_id: int, followup_id: int, reason: str
                     ) -> bool:
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
    """Scheduled rows whose time has come and that wait here (not in the outbox yet)."""
    rows = await db.fetchall(
        "SELECT * FROM followups WHERE state = 'scheduled' AND queued_at IS NULL"
        " AND next_attempt <= ? ORDER BY next_attempt, id LIMIT ?", (to_text(now), limit),
    )
    return [_to_followup(row) for row in rows]


async def release_due(db: Database, now: datetime, limit: int) -> int:
    """Hand what is due to the outbox: one outbox row each (lane FOLLOWUPS, to the person,
    linked to the case and the follow-up), written with `queued_at` in one transaction, so
    a follow-up is queued once and never lost. Returns how many."""
    async with db.transaction(durable=True) as conn:
        async with conn.execute(
            "SELECT id, case_id, person_id FROM followups WHERE state = 'scheduled'"
            " AND queued_at IS NULL AND next_attempt <= ? ORDER BY next_attempt, id LIMIT ?",
            (to_text(now), limit),
        ) as cur:
            found = list(await cur.fetchall())
        for row in found:
            await outbox.add(conn, outbox.Item("followup", {}, chat_id=row["person_id"],
                                               case_id=row["case_id"], lane=outbox.FOLLOWUPS,
                                               followup_id=row["id"]))
            await conn.execute("UPDATE followups SET queued_at = ? WHERE id = ?",
                               (now_text(), row["id"]))
    return len(found)


async def why_not_send(db: Database, followup: Followup) -> str | None:
    """Why this follow-up must not go now (it is then cancelled), or None to send it: the
    row's state here, the rest by the policy (domain/followups.py)."""
    row = await db.fetchone(
        "SELECT f.state, u.deleted_at, u.unreachable_at, u.reminders_off_at, c.status,"
        " c.contact, c.erased_at, c.first_response_at FROM followups f"
        " JOIN cases c ON c.id = f.case_id"
        " LEFT JOIN users u ON u.telegram_id = f.person_id WHERE f.id = ?", (followup.id,),
    )
    if row is None:
        return "case gone"
    if row["state"] != "scheduled":  # cancelled since the sweep read it
        return "no longer scheduled"
    person = policy.Person(deleted=row["deleted_at"] is not None,
                           unreachable=row["unreachable_at"] is not None,
                           reminders_off=row["reminders_off_at"] is not None)
    return policy.why_not_send(FollowupKind(followup.kind), _CaseFacts.of(row), person)


@dataclass(frozen=True)
class _CaseFacts:
    """What the policy reads of a case, from a row that has these columns."""

    status: str
    contact: str
    erased_at: str | None
    first_response_at: str | None

    @classmethod
    def of(cls, row: Row) -> _CaseFacts:
        return cls(row["status"], row["contact"], row["erased_at"], row["first_response_at"])


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
            "SELECT id FROM followups WHERE state = 'scheduled' AND queued_at IS NULL"
            " AND next_attempt <= ? ORDER BY next_attempt, id", (to_text(now),),
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
