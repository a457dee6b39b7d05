"""The daily retention job: personal details of cases closed more than RETENTION_DAYS ago
are erased, keeping anonymous statistics (storage.privacy.erase_cases says what stays).

The job checks every hour and works at most once a day: the last run is stored in the
database (job_runs), so restarts neither skip nor repeat a day. `now` is a parameter so
tests can move the clock.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.context import HotlineApplication, HotlineContext
from flows import desk_thread
from storage import desk, privacy
from storage.clock import from_text, to_text, utcnow

log = logging.getLogger(__name__)

CHECK_SECONDS = 3600
EVERY = timedelta(days=1)


async def run_retention(context: HotlineContext, now: datetime) -> list[int] | None:
    """Erase what is due; the erased case ids, or None when it ran less than a day ago."""
    db, settings = context.db, context.settings
    last = await privacy.last_run(db, privacy.RETENTION_JOB)
    if last is not None and now - from_text(last) < EVERY:
        return None
    closed_before = to_text(now - timedelta(days=settings.retention_days))
    erased = await privacy.erase_expired(db, closed_before, to_text(now))
    await privacy.set_last_run(db, privacy.RETENTION_JOB, to_text(now))
    log.info("retention: personal details of %d closed case(s) erased", len(erased))
    if settings.staff_enabled:
        for case_id in erased:  # the cards in the staff group lose the details too
            dc = await desk.get(db, case_id)
            if dc is not None:
                await desk_thread.refresh_card(context, dc)
    return erased


async def on_retention_due(context: HotlineContext) -> None:
    """The JobQueue callback."""
    try:
        await run_retention(context, utcnow())
    except Exception:  # a failed round must not stop the job; the next hour retries
        log.exception("retention job failed")


def install(app: HotlineApplication) -> None:
    if app.job_queue is None:
        log.warning("no job queue: old cases are not erased (RETENTION_DAYS)")
        return
    app.job_queue.run_repeating(on_retention_due, interval=CHECK_SECONDS, first=CHECK_SECONDS,
                                name="retention")
