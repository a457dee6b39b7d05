"""The staff desk's side of a case: its thread in the staff group, assignment, escalation,
status with outcome, notes, and the audit log of every staff action.

Each change and its audit entry are written in one transaction, so the log
cannot miss an action that happened. Audit details hold ids, keys and levels,
never what people wrote. The follow-ups a change makes pointless are cancelled,
and the ones it calls for scheduled, in that same transaction (storage/followups.py):
claiming, waiting, referring, closing or the first delivered reply cancel the
"still in the queue" reassurance; referring schedules the referral check (after
`check_after`); closing cancels every pending follow-up and schedules the after-close
check (first close only); reopening cancels the after-close check.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from storage import cases, followups, outbox
from storage.cases import Case
from storage.clock import now_text, to_text
from storage.db import Database

OUTCOMES = ("resolved", "referred", "no_response", "duplicate", "withdrawn")
OPEN_STATUSES = ("new", "claimed", "waiting", "referred")
# Closed with these, the returnee is later asked whether the problem is solved; a duplicate
# or a withdrawn report is not followed up.
CHECKED_OUTCOMES = ("resolved", "referred", "no_response")


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


def _to_desk_case(row) -> DeskCase:
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


async def waiting_case_of(db: Database, reporter_id: int) -> DeskCase | None:
    """The reporter's case that waits for their answer (the latest, if several)."""
    row = await db.fetchone(
        "SELECT * FROM cases WHERE reporter_id = ? AND status = 'waiting'"
        " ORDER BY updated_at DESC, id DESC LIMIT 1", (reporter_id,),
    )
    return None if row is None else _to_desk_case(row)


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


async def _link(conn, case_id: int, message_id: int) -> None:
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
class NotAllowed(Exception):
    """The action does not fit the case's state (e.g. claiming a closed case)."""


async def claim(db: Database, case_id: int, staff_id: int, *, takes_escalation: bool) -> DeskCase:
    """Assign to staff_id (status claimed); someone on the escalation level closes it."""
    now = now_text()
    async with db.transaction() as conn:
        status = await _status(conn, case_id)
        if status == "closed":
            raise NotAllowed("closed")
        await conn.execute(
            "UPDATE cases SET assigned_staff_id = ?,"
            " status = CASE WHEN status IN ('new', 'waiting') THEN 'claimed' ELSE status END,"
            " claimed_at = COALESCE(claimed_at, ?), updated_at = ?,"
            " escalation_open = CASE WHEN ? = 1 THEN 0 ELSE escalation_open END WHERE id = ?",
            (staff_id, now, now, int(takes_escalation), case_id),
        )
        await followups.cancel_pending(conn, case_id, ("no_reply",), "claimed")
        detail = "took escalation" if takes_escalation else None
        await audit(conn, staff_id, case_id, "claim", detail)
    return await _reload(db, case_id)


async def unassign(db: Database, case_id: int, staff_id: int) -> DeskCase:
    """Nobody has the case now; the unclaimed clock starts again."""
    now = now_text()
    async with db.transaction() as conn:
        if await _status(conn, case_id) == "closed":
            raise NotAllowed("closed")
        await conn.execute(
            "UPDATE cases SET assigned_staff_id = NULL, status = CASE WHEN status IN"
            " ('claimed', 'waiting') THEN 'new' ELSE status END, reminded_at = ?, updated_at = ?"
            " WHERE id = ?", (now, now, case_id),
        )
        await audit(conn, staff_id, case_id, "unassign", None)
    return await _reload(db, case_id)


async def escalate(db: Database, case_id: int, staff_id: int, level: str, reason: str) -> DeskCase:
    """Raise to `level`; the reason is kept as an internal note."""
    now = now_text()
    async with db.transaction() as conn:
        if await _status(conn, case_id) == "closed":
            raise NotAllowed("closed")
        await conn.execute(
            "UPDATE cases SET escalation = ?, escalation_open = 1, updated_at = ? WHERE id = ?",
            (level, now, case_id),
        )
        await conn.execute(
            "INSERT INTO case_notes(case_id, staff_id, text, created_at) VALUES (?, ?, ?, ?)",
            (case_id, staff_id, f"[{level}] {reason}"[: cases.MESSAGE_LIMIT], now),
        )
        await audit(conn, staff_id, case_id, "escalate", f"level={level}")
    return await _reload(db, case_id)


async def set_waiting(db: Database, case_id: int, staff_id: int) -> DeskCase:
    return await _set_status(db, case_id, staff_id, "waiting", "status", "waiting")


async def refer(db: Database, case_id: int, staff_id: int, partner: str, *,
                check_after: timedelta | None = None) -> DeskCase:
    """Referred to `partner`; with check_after, the referral check is scheduled."""
    return await _set_status(db, case_id, staff_id, "referred", "refer", f"to={partner}",
                             check_after=check_after, referred_to=partner)


async def close(db: Database, case_id: int, staff_id: int | None, outcome: str,
                recovered: tuple[Decimal, str] | None = None, *,
                check_after: timedelta | None = None) -> DeskCase:
    """Closed with an outcome; money recovered only goes with 'resolved'. With check_after,
    the after-close check is scheduled (first close only; not for duplicate or withdrawn)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    if recovered is not None and outcome != "resolved":
        raise ValueError("an amount recovered needs the outcome 'resolved'")
    amount, currency = (str(recovered[0]), recovered[1]) if recovered else (None, None)
    detail = f"outcome={outcome}" + (f" recovered={amount} {currency}" if recovered else "")
    if outcome not in CHECKED_OUTCOMES:
        check_after = None
    return await _set_status(db, case_id, staff_id, "closed", "close", detail,
                             check_after=check_after, outcome=outcome,
                             recovered_amount=amount, recovered_currency=currency)


async def reopen(db: Database, case_id: int, staff_id: int) -> DeskCase:
    now = now_text()
    async with db.transaction() as conn:
        if await _status(conn, case_id) != "closed":
            raise NotAllowed("not closed")
        await conn.execute(
            "UPDATE cases SET status = CASE WHEN assigned_staff_id IS NULL THEN 'new'"
            " ELSE 'claimed' END, outcome = NULL, closed_at = NULL, reminded_at = ?,"
            " updated_at = ? WHERE id = ?", (now, now, case_id),
        )
        await followups.cancel_pending(conn, case_id, ("after_close",), "reopened")
        await audit(conn, staff_id, case_id, "reopen", None)
    return await _reload(db, case_id)


# What each status does to the case's follow-ups: (kinds cancelled (None: all), kind scheduled).
_FOLLOWUPS_ON = {
    "waiting": (("no_reply",), None),
    "referred": (("no_reply",), "after_referral"),
    "closed": (None, "after_close"),
}


async def _set_status(db: Database, case_id: int, staff_id: int | None, status: str, action: str,
                      detail: str, check_after: timedelta | None = None, **columns) -> DeskCase:
    now = now_text()
    values = dict(columns, status=status, updated_at=now)
    if status == "closed":
        values["closed_at"] = now
    assignments = ", ".join(f"{name} = ?" for name in values)
    async with db.transaction() as conn:
        if await _status(conn, case_id) == "closed":
            raise NotAllowed("closed")
        await conn.execute(f"UPDATE cases SET {assignments} WHERE id = ?",
                           (*values.values(), case_id))
        cancelled, scheduled = _FOLLOWUPS_ON[status]
        await followups.cancel_pending(conn, case_id, cancelled, status)
        if scheduled is not None:
            await followups.schedule_after(conn, case_id, scheduled, check_after)
        await audit(conn, staff_id, case_id, action, detail)
    return await _reload(db, case_id)


async def schedule_followup(db: Database, case_id: int, staff_id: int, due: datetime,
                            text: str) -> int | None:
    """A follow-up in staff's words at `due`; its id, or None when the case is closed or
    its reporter asked not to be contacted."""
    async with db.transaction() as conn:
        if await _status(conn, case_id) == "closed":
            raise NotAllowed("closed")
        followup_id = await followups.schedule(conn, case_id, "staff", due, text=text,
                                               created_by=staff_id)
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
            await conn.execute(
                "UPDATE cases SET first_response_at = COALESCE(first_response_at, ?),"
                " updated_at = ? WHERE id = ?", (now, now, case_id),
            )
            await followups.cancel_pending(conn, case_id, ("no_reply",), "answered")
        outcome = "queued" if relay is not None else "delivered" if delivered else "failed"
        await audit(conn, staff_id, case_id, "reply", f"kind={kind} {outcome}")


async def reply_delivered(db: Database, case_id: int) -> None:
    """A staff reply reached the returnee: the first one is the first response."""
    now = now_text()
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE cases SET first_response_at = COALESCE(first_response_at, ?),"
            " updated_at = ? WHERE id = ?", (now, now, case_id))
        await followups.cancel_pending(conn, case_id, ("no_reply",), "answered")


async def record(db: Database, staff_id: int | None, case_id: int | None, action: str,
                 detail: str | None = None) -> None:
    """An audit entry for an action that changes nothing else (canned reply, export, /case)."""
    async with db.transaction() as conn:
        await audit(conn, staff_id, case_id, action, detail)


async def audit(conn, staff_id: int | None, case_id: int | None, action: str,
                detail: str | None) -> None:
    await conn.execute(
        "INSERT INTO audit_log(at, staff_id, case_id, action, detail) VALUES (?, ?, ?, ?, ?)",
        (now_text(), staff_id, case_id, action, detail),
    )


async def audit_entries(db: Database, case_id: int | None = None) -> list[dict]:
    """The audit log (of one case, or all), oldest first."""
    where, params = ("WHERE case_id = ?", (case_id,)) if case_id is not None else ("", ())
    rows = await db.fetchall(f"SELECT * FROM audit_log {where} ORDER BY id", params)
    return [dict(row) for row in rows]


async def _status(conn, case_id: int) -> str:
    async with conn.execute("SELECT status FROM cases WHERE id = ?", (case_id,)) as cur:
        row = await cur.fetchone()
    if row is None:
        raise NotAllowed("no such case")
    return row[0]


async def _reload(db: Database, case_id: int) -> DeskCase:
    found = await get(db, case_id)
    assert found is not None
    return found
