"""Reads for reports: cases received in a period, as plain rows.

The period is [start, end) in stored UTC text; bot/admin/reports.py turns dates in
the hotline's time zone into these bounds.
"""
from __future__ import annotations

from storage.db import Database

REPORT_COLUMNS = (
    "id", "kind", "seq", "category", "status", "outcome", "urgent", "country", "province",
    "reported_by", "group_size", "reporter_gender", "reporter_language", "sector", "owed",
    "amount", "currency", "recovered_amount", "recovered_currency", "referred_to", "escalation",
    "created_at", "first_response_at", "closed_at",
    "home_province",  # where the reporter lives now, in Cambodia (data/provinces_kh.csv)
)
# Free text, names and phone numbers: only with --with-details.
DETAIL_COLUMNS = ("employer", "workplace", "place", "recruiter_name", "description", "phone")
# Who reported, with the details: the name of a named report, the alias of an anonymous one.
WHO_COLUMNS = ("reporter_name", "anonymous", "draft_id")


async def cases_between(db: Database, start: str | None, end: str | None,
                        with_details: bool = False) -> list[dict]:
    columns = REPORT_COLUMNS + (DETAIL_COLUMNS + WHO_COLUMNS if with_details else ())
    where, params = [], []
    if start is not None:
        where.append("created_at >= ?")
        params.append(start)
    if end is not None:
        where.append("created_at < ?")
        params.append(end)
    sql = f"SELECT {', '.join(columns)} FROM cases"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = await db.fetchall(sql + " ORDER BY id", params)
    return [dict(row) for row in rows]


async def followup_answers(db: Database, start: str | None, end: str | None) -> list[dict]:
    """The automatic checks sent about cases received in the period: kind, answer (None:
    no answer yet) and satisfaction (3 happy, 2 OK, 1 not happy; None: not given)."""
    where, params = ["f.kind IN ('after_close', 'after_referral')", "f.state = 'sent'"], []
    if start is not None:
        where.append("c.created_at >= ?")
        params.append(start)
    if end is not None:
        where.append("c.created_at < ?")
        params.append(end)
    rows = await db.fetchall(
        "SELECT f.kind, f.answer, f.satisfaction FROM followups f JOIN cases c"
        f" ON c.id = f.case_id WHERE {' AND '.join(where)} ORDER BY f.id", params)
    return [dict(row) for row in rows]


async def weekly_counts(db: Database, since: str) -> list[tuple[str, str]]:
    """(created_at, category) of every case received since a UTC time (for the chart)."""
    rows = await db.fetchall(
        "SELECT created_at, category FROM cases WHERE created_at >= ? ORDER BY id", (since,))
    return [(row["created_at"], row["category"]) for row in rows]


async def open_by_status(db: Database) -> dict[str, int]:
    rows = await db.fetchall(
        "SELECT status, COUNT(*) AS n FROM cases WHERE status != 'closed' GROUP BY status")
    return {row["status"]: row["n"] for row in rows}
