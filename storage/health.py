"""Figures for /healthz and /metrics: counts only, never who or what."""
from __future__ import annotations

from dataclasses import dataclass

from storage import outbox
from storage.clock import now_text
from storage.db import Database


async def reachable(db: Database) -> bool:
    """Whether the database answers a query."""
    return await db.fetchval("SELECT 1") == 1


# The outbox's lanes (storage/outbox.py) under the names /healthz and /metrics show.
LANE_NAMES = {outbox.RELAYS: "relays", outbox.STAFF_POSTS: "staff_posts",
              outbox.FOLLOWUPS: "followups"}


async def outbox_backlog(db: Database) -> dict[str, int]:
    """Proactive messages waiting to be sent, by priority: the outbox's lanes (1 relays and
    notices, 2 staff-group posts, 3 follow-ups, 4 alerts; alerts of paused broadcasts wait
    apart and are not counted)."""
    lanes = await outbox.backlog(db)
    found = {name: lanes.get(lane, 0) for lane, name in LANE_NAMES.items()}
    alerts = await db.fetchval(
        "SELECT COUNT(*) FROM outbox o JOIN broadcasts b ON b.id = o.broadcast_id"
        " WHERE o.status = 'queued' AND b.status = 'sending'")
    found["alerts"] = alerts or 0
    return found


async def outbox_failed(db: Database) -> int:
    """Outbox rows given up (each kind told whoever must know when it gave up)."""
    return await outbox.failed_count(db)


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
