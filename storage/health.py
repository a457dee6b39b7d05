"""Figures for /healthz and /metrics: counts only, never who or what."""
from __future__ import annotations

from dataclasses import dataclass

from storage.clock import now_text
from storage.db import Database


async def reachable(db: Database) -> bool:
    """Whether the database answers a query."""
    return await db.fetchval("SELECT 1") == 1


async def outbox_backlog(db: Database) -> dict[str, int]:
    """Proactive messages waiting to be sent, by priority. Today only safety-alert
    deliveries queue (storage/broadcasts.py); the durable outbox takes this over."""
    queued = await db.fetchval(
        "SELECT COUNT(*) FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id"
        " WHERE d.status = 'queued' AND b.status = 'sending'")
    return {"broadcast": queued or 0}


@dataclass(frozen=True)
class CaseFigures:
    followups_due: int
    unannounced: int  # committed cases not yet posted to the staff group
    open_by_status: dict[str, int]


async def case_figures(db: Database) -> CaseFigures:
    due = await db.fetchval(
        "SELECT COUNT(*) FROM followups WHERE state = 'scheduled' AND next_attempt <= ?",
        (now_text(),))
    unannounced = await db.fetchval("SELECT COUNT(*) FROM cases WHERE announced_at IS NULL")
    rows = await db.fetchall(
        "SELECT status, COUNT(*) FROM cases WHERE status != 'closed' GROUP BY status")
    return CaseFigures(followups_due=due or 0, unannounced=unannounced or 0,
                       open_by_status={row[0]: row[1] for row in rows})
