"""The staff desk's side of a case: its thread in the staff group, assignment, escalation,
status with outcome, notes, and the audit log of every staff action.

Each change and its audit entry are written in one transaction, so the log
cannot miss an action that happened. Audit details hold ids, keys and levels,
never what people wrote. The rules are domain/lifecycle.py's: which status allows an
action, where it leads, which follow-ups it cancels and schedules (storage/followups.py)
and which notice the returnee gets (an outbox row); all of it is written in the
transaction of the change itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from domain import lifecycle, states
from domain.contact import can_message_returnee
from domain.lifecycle import Action, NotAllowed  # NotAllowed: flows catch it from here
from domain.states import AUTOMATIC, FollowupKind, Outcome
from storage import cases, followups, outbox
from storage.cases import Case
from storage.clock import now_text, to_text
from storage.db import Connection, Database, Row

# The names as stored, for callers that list or query them (domain/states.py has the rules).
OUTCOMES = tuple(outcome.value for outcome in Outcome)
OPEN_STATUSES = tuple(status.value for status in states.OPEN_STATUSES)


@dataclass(frozen=True)
class DeskCase:
    """A case with what the desk keeps about it."""

    case: Case
    announced_at: str | None
    reminded_at: str | None
    claimed_at: str | None
    escalation: str | None
    escalation_open: bool
    referred_to: str | None
    recovered_amount: str | None
    recovered_currency: str | None

    @property
    def id(self) -> int:
        return self.case.id

    @property
    def reference(self) -> str:
        return self.case.reference


@dataclass(frozen=True)
class Thread:
    case_id: int
    chat_id: int
    thread_id: int | None
    card_message_id: int | None


def _to_desk_case(row: Row) -> DeskCase:
    return DeskCase(
        case=cases._to_case(row), announced_at=row["announced_at"],
        reminded_at=row["reminded_at"], claimed_at=row["claimed_at"],
        escalation=row["escalation"], escalation_open=bool(row["escalation_open"]),
        referred_to=row["referred_to"], recovered_amount=row["recovered_amount"],
        recovered_currency=row["recovered_currency"],
    )


# -- reading ---------------------------------------------------------------------------
async def get(db: Database, case_id: int) -> DeskCase | None:
    row = await db.fetchone("SELECT * FROM cases WHERE id = ?", (case_id,))
    return None if row is None else _to_desk_case(row)


async def by_reference(db: Database, reference: str) -> DeskCase | None:
    """'W-0001' (any case of letters, leading zeros optional) -> the case."""
    kind, _, number = reference.strip().upper().partition("-")
    if kind not in cases.KINDS or not number.isdigit():
        return None
    row = await db.fetchone("SELECT * FROM cases WHERE kind = ? AND seq = ?", (kind, int(number)))
    return None if row is None else _to_desk_case(row)


async def unannounced(db: Database) -> list[int]:
    """Cases committed but not yet (fully) posted to the staff group, oldest first."""
    rows = await db.fetchall("SELECT id FROM cases WHERE announced_at IS NULL ORDER BY id")
    return [row["id"] for row in rows]


async def unclaimed(db: Database) -> list[DeskCase]:
    """Announced cases that nobody has claimed, oldest first."""
    rows = await db.fetchall(
        "SELECT * FROM cases WHERE status = 'new' AND assigned_staff_id IS NULL"
        " AND announced_at IS NOT NULL ORDER BY id"
    )
    return [_to_desk_case(row) for row in rows]


async def cases_awaiting_reply(db: Database, reporter_id: int, since: str,
                              limit: int = 5) -> list[DeskCase]:
    """The reporter's open cases that wait for them or that staff wrote to since `since`
    (a relayed reply or a staff follow-up that went out), most recently active first."""
    statuses = ",".join("?" * len(OPEN_STATUSES))
    rows = await db.fetchall(
        f"SELECT * FROM cases c WHERE reporter_id = ? AND status IN ({statuses}) AND ("
        " status = 'waiting'"
        " OR EXISTS (SELECT 1 FROM case_messages m WHERE m.case_id = c.id"
        "            AND m.sender = 'staff' AND m.created_at >= ?)"
        " OR EXISTS (SELECT 1 FROM followups f WHERE f.case_id = c.id AND f.kind = 'staff'"
        "            AND f.state = 'sent' AND f.sent_at >= ?))"
        " ORDER BY updated_at DESC, id DESC LIMIT ?",
        (reporter_id, *OPEN_STATUSES, since, since, limit),
    )
    return [_to_desk_case(row) for row in rows]


async def notes(db: Database, case_id: int) -> list[tuple[int, str, str]]:
    """(staff id, text, created_at) of the case's internal notes, oldest first."""
    rows = await db.fetchall(
        "SELECT staff_id, text, created_at FROM case_notes WHERE case_id = ? ORDER BY id",
        (case_id,),
    )
    return [(r["staff_id"], r["text"], r["created_at"]) for r in rows]


async def note_files(db: Database, case_id: int) -> list[tuple[str, str]]:
    """(kind, file id) of the files kept with the case's notes, oldest first."""
    rows = await db.fetchall(
        "SELECT file_kind, file_id FROM case_notes WHERE case_id = ? AND file_id IS NOT NULL"
        " ORDER BY id", (case_id,),
    )
    return [(r["file_kind"], r["file_id"]) for r in rows]


# -- the thread --------------------------------------------------------------------------
async def thread(db: Database, case_id: int) -> Thread | None:
    row = await db.fetchone("SELECT * FROM case_threads WHERE case_id = ?", (case_id,))
    if row is None:
        return None
    return Thread(row["case_id"], row["chat_id"], row["thread_id"], row["card_message_id"])


async def create_thread(db: Database, case_id: int, chat_id: int, thread_id: int | None) -> bool:
    """Record the case's thread; False (and nothing written) if it has one already."""
    async with db.transaction() as conn, conn.execute(
        "INSERT INTO case_threads(case_id, chat_id, thread_id, created_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", (case_id, chat_id, thread_id, now_text()),
    ) as cur:
        return cur.rowcount == 1


async def set_card(db: Database, case_id: int, message_id: int) -> None:
    async with db.transaction() as conn:
        await conn.execute("UPDATE case_threads SET card_message_id = ? WHERE case_id = ?",
                           (message_id, case_id))
        await _link(conn, case_id, message_id)


async def link(db: Database, case_id: int, chat_id: int, message_id: int) -> None:
    """A message in the staff group that belongs to the case's thread."""
    await db.execute_write(
        "INSERT INTO case_links(chat_id, message_id, case_id) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (chat_id, message_id, case_id),
    )


async def _link(conn: Connection, case_id: int, message_id: int) -> None:
    await conn.execute(
        "INSERT INTO case_links(chat_id, message_id, case_id)"
        " SELECT chat_id, ?, case_id FROM case_threads WHERE case_id = ?"
        " ON CONFLICT DO NOTHING", (message_id, case_id),
    )


async def case_for_topic(db: Database, chat_id: int, thread_id: int) -> int | None:
    return await db.fetchval(
        "SELECT case_id FROM case_threads WHERE chat_id = ? AND thread_id = ?", (chat_id, thread_id)
    )


async def case_for_message(db: Database, chat_id: int, message_id: int) -> int | None:
    return await db.fetchval(
        "SELECT case_id FROM case_links WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
    )


async def queue_announcement(db: Database, case_id: int, items: list[outbox.Item]) -> bool:
    """Queue the case's card and files for the staff group and count the case announced,
    in one transaction; False (nothing queued) if it was announced already."""
    async with db.transaction() as conn:
        async with conn.execute(
            "UPDATE cases SET announced_at = ? WHERE id = ? AND announced_at IS NULL",
            (now_text(), case_id),
        ) as cur:
            if cur.rowcount != 1:
                return False
        for item in items:
            await outbox.add(conn, item)
    return True


async def forget_thread(db: Database, case_id: int) -> None:
    """The case's topic is gone (deleted by staff, or the group moved): the next post makes
    a new one."""
    await db.execute_write("DELETE FROM case_threads WHERE case_id = ?", (case_id,))


async def mark_announced(db: Database, case_id: int) -> None:
    await db.execute_write(
        "UPDATE cases SET announced_at = COALESCE(announced_at, ?) WHERE id = ?",
        (now_text(), case_id),
    )


async def queue_reminder(db: Database, case_id: int, at: str, item: outbox.Item) -> None:
    """Count the case reminded and queue the reminder, together."""
    async with db.transaction() as conn:
        await conn.execute("UPDATE cases SET reminded_at = ? WHERE id = ?", (at, case_id))
        await outbox.add(conn, item)


# -- staff actions (each with its audit entry) -------------------------------------------
# Each asks domain/lifecycle.py where the move leads and what follows it, and writes the
# case, the follow-ups, the returnee's notice and the audit entry in one transaction.


async def claim(db: Database, case_id: int, staff_id: int, *, takes_escalation: bool) -> DeskCase:
    """Assign to staff_id (status claimed); someone on the escalation level closes it."""
    async with db.transaction() as conn:
        row = await _case_row(conn, case_id)
        now = now_text()
        columns: dict[str, object] = {"assigned_staff_id": staff_id, "updated_at": now,
                                      "claimed_at": row["claimed_at"] or now}
        if takes_escalation:
            columns["escalation_open"] = 0
        await _move(conn, row, Action.CLAIM, columns)
        detail = "took escalation" if takes_escalation else None
        await audit(conn, staff_id, case_id, "claim", detail)
    return await _reload(db, case_id)


async def unassign(db: Database, case_id: int, staff_id: int) -> DeskCase:
    """Nobody has the case now; the unclaimed clock starts again."""
    async with db.transaction() as conn:
        now = now_text()
        await _move(conn, await _case_row(conn, case_id), Action.UNASSIGN,
                    {"assigned_staff_id": None, "reminded_at": now, "updated_at": now})
        await audit(conn, staff_id, case_id, "unassign", None)
    return await _reload(db, case_id)


async def escalate(db: Database, case_id: int, staff_id: int, level: str, reason: str) -> DeskCase:
    """Raise to `level`; the reason is kept as an internal note."""
    async with db.transaction() as conn:
        now = now_text()
        await _move(conn, await _case_row(conn, case_id), Action.ESCALATE,
                    {"escalation": level, "escalation_open": 1, "updated_at": now})
        await conn.execute(
            "INSERT INTO case_notes(case_id, staff_id, text, created_at) VALUES (?, ?, ?, ?)",
            (case_id, staff_id, f"[{level}] {reason}"[: cases.MESSAGE_LIMIT], now),
        )
        await audit(conn, staff_id, case_id, "escalate", f"level={level}")
    return await _reload(db, case_id)


async def set_waiting(db: Database, case_id: int, staff_id: int) -> DeskCase:
    async with db.transaction() as conn:
        await _move(conn, await _case_row(conn, case_id), Action.WAIT,
                    {"updated_at": now_text()})
        await audit(conn, staff_id, case_id, "status", "waiting")
    return await _reload(db, case_id)


async def refer(db: Database, case_id: int, staff_id: int, partner: str, *,
                check_after: timedelta | None = None) -> DeskCase:
    """Referred to `partner`; with check_after, the referral check is scheduled."""
    async with db.transaction() as conn:
        await _move(conn, await _case_row(conn, case_id), Action.REFER,
                    {"referred_to": partner, "updated_at": now_text()}, after=check_after)
        await audit(conn, staff_id, case_id, "refer", f"to={partner}")
    return await _reload(db, case_id)


async def close(db: Database, case_id: int, staff_id: int | None, outcome: str,
                recovered: tuple[Decimal, str] | None = None, *,
                check_after: timedelta | None = None) -> DeskCase:
    """Closed with an outcome; money recovered only goes with 'resolved'. With check_after,
    the after-close check is scheduled (first close only; not for duplicate or withdrawn)."""
    closed_with = lifecycle.close_outcome(outcome, recovered=recovered is not None)
    amount, currency = (str(recovered[0]), recovered[1]) if recovered else (None, None)
    detail = f"outcome={outcome}" + (f" recovered={amount} {currency}" if recovered else "")
    async with db.transaction() as conn:
        now = now_text()
        await _move(conn, await _case_row(conn, case_id), Action.CLOSE,
                    {"outcome": closed_with.value, "recovered_amount": amount,
                     "recovered_currency": currency, "closed_at": now, "updated_at": now},
                    outcome=closed_with, after=check_after)
        await audit(conn, staff_id, case_id, "close", detail)
    return await _reload(db, case_id)


async def reopen(db: Database, case_id: int, staff_id: int) -> DeskCase:
    """Open a closed case again (claimed if someone has it, else new); the returnee is told."""
    return await _reopen(db, case_id, staff_id, Action.REOPEN)


async def reopen_by_returnee(db: Database, case_id: int) -> DeskCase:
    """The returnee answered the after-close check that it is not solved: open again, by
    nobody (staff_id NULL in the audit log); they are answered in their chat, not told."""
    return await _reopen(db, case_id, None, Action.RETURNEE_REOPENS)


async def _reopen(db: Database, case_id: int, staff_id: int | None, action: Action) -> DeskCase:
    async with db.transaction() as conn:
        now = now_text()
        await _move(conn, await _case_row(conn, case_id), action,
                    {"outcome": None, "closed_at": None, "reminded_at": now, "updated_at": now})
        await audit(conn, staff_id, case_id, "reopen", None)
    return await _reload(db, case_id)


async def schedule_followup(db: Database, case_id: int, staff_id: int, due: datetime,
                            text: str) -> int | None:
    """A follow-up in staff's words at `due`; its id, or None when its reporter may not be
    written to (domain/contact.py). NotAllowed when the case is closed."""
    async with db.transaction() as conn:
        await _move(conn, await _case_row(conn, case_id), Action.FOLLOW_UP, {})
        followup_id = await followups.schedule(conn, case_id, FollowupKind.STAFF, due,
                                               text=text, created_by=staff_id)
        if followup_id is not None:
            await audit(conn, staff_id, case_id, "followup",
                        f"id={followup_id} due={to_text(due)}")
    return followup_id


async def cancel_followup(db: Database, case_id: int, staff_id: int, followup_id: int) -> bool:
    """Cancel one scheduled follow-up of this case; False if it has none with that id."""
    async with db.transaction() as conn:
        cancelled = await followups.cancel_one(conn, case_id, followup_id, "cancelled by staff")
        if cancelled:
            await audit(conn, staff_id, case_id, "followup_cancel", f"id={followup_id}")
    return cancelled


async def add_note(db: Database, case_id: int, staff_id: int, text: str,
                   file: tuple[str, str] | None = None) -> None:
    """An internal note; `file` (kind, Telegram file id) when it came as a file's caption."""
    kind, file_id = file or (None, None)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO case_notes(case_id, staff_id, text, created_at, file_kind, file_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (case_id, staff_id, text[: cases.MESSAGE_LIMIT], now_text(), kind, file_id),
        )
        await audit(conn, staff_id, case_id, "note", f"file={kind}" if kind else None)


async def record_reply(db: Database, case_id: int, staff_id: int, text: str, kind: str,
                       delivered: bool, relay: outbox.Item | None = None) -> None:
    """A staff message for the returnee, with the outbox row that takes it there (`relay`,
    queued: it counts as delivered); the first one is the first response."""
    now = now_text()
    async with db.transaction(durable=relay is not None) as conn:
        if relay is not None:  # delivered later: reply_delivered counts it then
            await outbox.add(conn, relay)
        await conn.execute(
            "INSERT INTO case_messages(case_id, sender, sender_id, text, created_at)"
            " VALUES (?, 'staff', ?, ?, ?)", (case_id, staff_id, text[: cases.MESSAGE_LIMIT], now),
        )
        if delivered:
            await _answered(conn, case_id)
        outcome = "queued" if relay is not None else "delivered" if delivered else "failed"
        await audit(conn, staff_id, case_id, "reply", f"kind={kind} {outcome}")


async def reply_delivered(db: Database, case_id: int) -> None:
    """A staff reply reached the returnee: the first one is the first response."""
    async with db.transaction() as conn:
        await _answered(conn, case_id)


async def _answered(conn: Connection, case_id: int) -> None:
    row = await _case_row(conn, case_id)
    now = now_text()
    await _move(conn, row, Action.ANSWER,
                {"first_response_at": row["first_response_at"] or now, "updated_at": now})


async def record(db: Database, staff_id: int | None, case_id: int | None, action: str,
                 detail: str | None = None) -> None:
    """An audit entry for an action that changes nothing else (canned reply, export, /case)."""
    async with db.transaction() as conn:
        await audit(conn, staff_id, case_id, action, detail)


async def audit(conn: Connection, staff_id: int | None, case_id: int | None, action: str,
                detail: str | None) -> None:
    await conn.execute(
        "INSERT INTO audit_log(at, staff_id, case_id, action, detail) VALUES (?, ?, ?, ?, ?)",
        (now_text(), staff_id, case_id, action, detail),
    )


async def audit_entries(db: Database, case_id: int | None = None) -> list[dict[str, Any]]:
    """The audit log (of one case, or all), oldest first."""
    where, params = ("WHERE case_id = ?", (case_id,)) if case_id is not None else ("", ())
    rows = await db.fetchall(f"SELECT * FROM audit_log {where} ORDER BY id", params)
    return [dict(row) for row in rows]


async def _case_row(conn: Connection, case_id: int) -> Row:
    async with conn.execute("SELECT * FROM cases WHERE id = ?", (case_id,)) as cur:
        row = await cur.fetchone()
    if row is None:
        raise NotAllowed("no such case")
    return row


async def _move(conn: Connection, row: Row, action: Action,
                columns: dict[str, object], *, outcome: Outcome | None = None,
                after: timedelta | None = None) -> None:
    """Apply `action` to the case read as `row` (in this transaction): the status
    domain/lifecycle.py gives with `columns`, the follow-ups it cancels and schedules
    (automatic ones `after` from now), and the returnee's notice. NotAllowed if the status
    does not allow it."""
    case = cases._to_case(row)
    step = lifecycle.step(case.status, action, assigned=case.assigned_staff_id is not None,
                          outcome=outcome)
    values = dict(columns)
    if step.to != case.status:
        values["status"] = step.to.value
    if values:
        assignments = ", ".join(f"{name} = ?" for name in values)
        # Guarded by the status read: a move that raced another one changes nothing.
        async with conn.execute(f"UPDATE cases SET {assignments} WHERE id = ? AND status = ?",
                                (*values.values(), case.id, case.status)) as cur:
            if cur.rowcount != 1:
                raise NotAllowed("changed meanwhile")
    effects = step.effects
    if effects.cancels:
        await followups.cancel_pending(conn, case.id, sorted(effects.cancels), effects.why)
    if effects.schedules is not None and effects.schedules in AUTOMATIC:
        await followups.schedule_after(conn, case.id, effects.schedules, after)
    if effects.notice is not None and can_message_returnee(case, notice=True):
        # Written in the returnee's language when it is sent (flows/desk/outbox.py).
        await outbox.add(conn, outbox.Item("notice", {"change": effects.notice.value},
                                           chat_id=case.reporter_id, case_id=case.id,
                                           lane=outbox.RELAYS))


async def _reload(db: Database, case_id: int) -> DeskCase:
    found = await get(db, case_id)
    assert found is not None
    return found
