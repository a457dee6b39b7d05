"""Cases (wage claims W, grievances G), their evidence and their messages.

create() is idempotent: a form's draft id is UNIQUE, so a second Confirm or a
redelivered update returns the case already stored instead of making another.
Every read that a returnee triggers names the reporter, so a case id alone
never opens someone else's case.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from domain.lifecycle import REPORTED
from domain.states import Status
from storage import followups, outbox
from storage.clock import now_text
from storage.db import Connection, Database, Row

KINDS = ("W", "G")
STATUSES = tuple(status.value for status in Status)  # as stored (domain/states.py)
MESSAGE_LIMIT = 4000  # characters kept of one message


@dataclass(frozen=True)
class Evidence:
    kind: str  # photo, document, voice, video, audio, video_note
    file_id: str
    file_unique_id: str | None = None


@dataclass(frozen=True)
class NewCase:
    """Everything a confirmed form says; the columns of the cases table."""

    kind: str
    draft_id: str
    reporter_id: int
    reporter_language: str
    category: str
    contact: str
    reporter_gender: str | None = None
    home_province: str | None = None  # where the reporter lives now (data/provinces_kh.csv)
    reported_by: str = "self"
    group_size: int | None = None
    urgent: bool = False
    urgent_reasons: str | None = None  # the screener's indicators, e.g. "documents,violence"
    screener: str | None = None
    country: str | None = None
    province: str | None = None
    place: str | None = None
    employer: str | None = None
    workplace: str | None = None
    sector: str | None = None
    first_month: str | None = None
    last_month: str | None = None
    owed: str | None = None
    amount: str | None = None
    currency: str | None = None
    recruiter_involved: str | None = None
    recruiter_name: str | None = None
    description: str | None = None
    description_voice: str | None = None
    anonymous: bool = False
    phone: str | None = None
    share_name: bool = False
    reporter_name: str | None = None  # how staff see a named reporter; None when anonymous


@dataclass(frozen=True)
class Case(NewCase):
    id: int = 0
    seq: int = 0
    status: str = "new"
    outcome: str | None = None
    assigned_staff_id: int | None = None
    created_at: str = ""
    updated_at: str = ""
    first_response_at: str | None = None
    closed_at: str | None = None
    erased_at: str | None = None  # personal details erased (/delete or retention)

    @property
    def reference(self) -> str:
        return reference(self.kind, self.seq)


def reference(kind: str, seq: int) -> str:
    return f"{kind}-{seq:04d}"


_CASE_FIELDS = {f.name for f in dataclasses.fields(Case)}


def _to_case(row: Row) -> Case:
    # sqlite3.Row iterates its values, not its names: keys() is needed.
    values = {key: row[key] for key in row.keys() if key in _CASE_FIELDS}  # noqa: SIM118
    values["urgent"] = bool(values["urgent"])
    values["anonymous"] = bool(values["anonymous"])
    values["share_name"] = bool(values["share_name"])
    return Case(**values)


async def create(
    db: Database, new: NewCase, evidence: Sequence[Evidence] = (), *,
    reassure_after: timedelta | None = None,
) -> tuple[Case, bool]:
    """Store the case and its evidence in one transaction; (case, created).

    When a case with this draft id exists already, nothing is written and that
    case is returned with created=False. With `reassure_after`, the follow-up
    that tells the reporter their case is in the queue is scheduled in the same
    transaction (FOLLOWUP_NO_REPLY_AFTER).
    """
    if new.kind not in KINDS:
        raise ValueError(f"unknown kind {new.kind!r}")
    columns = dataclasses.asdict(new)
    now = now_text()
    async with db.transaction(durable=True) as conn:  # before "received"
        async with conn.execute("SELECT id FROM cases WHERE draft_id = ?", (new.draft_id,)) as cur:
            existing = await cur.fetchone()
        if existing is None:
            # The kind's counter row, locked until the commit: two processes never take the
            # same number. A case stored without it (a data import) is not numbered twice.
            async with conn.execute(
                "INSERT INTO case_counters(kind, last_seq)"
                " SELECT ?, COALESCE(MAX(seq), 0) + 1 FROM cases WHERE kind = ?"
                " ON CONFLICT(kind) DO UPDATE SET last_seq = CASE"
                " WHEN case_counters.last_seq + 1 > excluded.last_seq"
                " THEN case_counters.last_seq + 1 ELSE excluded.last_seq END"
                " RETURNING last_seq", (new.kind, new.kind),
            ) as cur:
                found = await cur.fetchone()
            assert found is not None  # an aggregate always has its row
            seq = found[0]
            columns.update(seq=seq, created_at=now, updated_at=now)
            names = ", ".join(columns)
            marks = ", ".join("?" for _ in columns)
            async with conn.execute(
                f"INSERT INTO cases({names}) VALUES ({marks}) RETURNING id",
                tuple(columns.values()),
            ) as cur:
                inserted = await cur.fetchone()
            assert inserted is not None  # RETURNING gives the new row
            case_id = inserted[0]
            await conn.executemany(
                "INSERT INTO case_evidence(case_id, kind, file_id, file_unique_id, added_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [(case_id, e.kind, e.file_id, e.file_unique_id, now) for e in evidence],
            )
            if REPORTED.schedules is not None:  # "your report is in the queue"
                await followups.schedule_after(conn, case_id, REPORTED.schedules, reassure_after)
    case = await by_draft(db, new.draft_id, new.reporter_id)
    assert case is not None
    return case, existing is None


async def by_draft(db: Database, draft_id: str, reporter_id: int) -> Case | None:
    """The case made from this draft, if it is the reporter's."""
    row = await db.fetchone(
        "SELECT * FROM cases WHERE draft_id = ? AND reporter_id = ?", (draft_id, reporter_id)
    )
    return None if row is None else _to_case(row)


async def get_own(db: Database, case_id: int, reporter_id: int) -> Case | None:
    """The case, only if this person reported it (None for others' and unknown ids alike)."""
    row = await db.fetchone(
        "SELECT * FROM cases WHERE id = ? AND reporter_id = ?", (case_id, reporter_id)
    )
    return None if row is None else _to_case(row)


async def get(db: Database, case_id: int) -> Case | None:
    """Any case by id: for staff tools, never for what a returnee asks."""
    row = await db.fetchone("SELECT * FROM cases WHERE id = ?", (case_id,))
    return None if row is None else _to_case(row)


async def list_own(db: Database, reporter_id: int, limit: int = 20) -> list[Case]:
    """The person's cases, newest first."""
    rows = await db.fetchall(
        "SELECT * FROM cases WHERE reporter_id = ? ORDER BY id DESC LIMIT ?", (reporter_id, limit)
    )
    return [_to_case(row) for row in rows]


async def evidence(db: Database, case_id: int) -> list[Evidence]:
    rows = await db.fetchall(
        "SELECT kind, file_id, file_unique_id FROM case_evidence WHERE case_id = ? ORDER BY id",
        (case_id,),
    )
    return [Evidence(r["kind"], r["file_id"], r["file_unique_id"]) for r in rows]


async def messages(db: Database, case_id: int) -> list[tuple[str, str, str]]:
    """(sender, text, created_at) of every message on the case, oldest first."""
    rows = await db.fetchall(
        "SELECT sender, text, created_at FROM case_messages WHERE case_id = ? ORDER BY id",
        (case_id,),
    )
    return [(r["sender"], r["text"], r["created_at"]) for r in rows]


async def add_reporter_message(db: Database, case_id: int, reporter_id: int, text: str,
                               relay: outbox.Item | None = None) -> bool:
    """Store a message from the reporter on their own case, with the outbox row that takes it
    to staff (`relay`); False if it is not theirs."""
    now = now_text()
    async with db.transaction(durable=True) as conn:  # before "queued for staff"
        if not await _owns(conn, case_id, reporter_id):
            return False
        if relay is not None:
            await outbox.add(conn, relay)
        await conn.execute(
            "INSERT INTO case_messages(case_id, sender, sender_id, text, created_at)"
            " VALUES (?, 'reporter', ?, ?, ?)",
            (case_id, reporter_id, text[:MESSAGE_LIMIT], now),
        )
        await conn.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (now, case_id))
    return True


async def add_reporter_evidence(db: Database, case_id: int, reporter_id: int,
                                item: Evidence, relay: outbox.Item | None = None) -> bool:
    """Store a file the reporter added later to their own case, with the outbox row that
    takes it to staff (`relay`); False if it is not theirs."""
    now = now_text()
    async with db.transaction(durable=True) as conn:
        if not await _owns(conn, case_id, reporter_id):
            return False
        if relay is not None:
            await outbox.add(conn, relay)
        await conn.execute(
            "INSERT INTO case_evidence(case_id, kind, file_id, file_unique_id, added_at, later)"
            " VALUES (?, ?, ?, ?, ?, 1)",
            (case_id, item.kind, item.file_id, item.file_unique_id, now),
        )
        await conn.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (now, case_id))
    return True


async def _owns(conn: Connection, case_id: int, reporter_id: int) -> bool:
    async with conn.execute(
        "SELECT 1 FROM cases WHERE id = ? AND reporter_id = ?", (case_id, reporter_id)
    ) as cur:
        return await cur.fetchone() is not None
