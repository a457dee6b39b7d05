"""The daily retention job: personal details of cases closed more than RETENTION_DAYS ago
are erased, keeping anonymous statistics (storage.privacy.erase_cases says what stays), and
so is what the bot keeps between messages (an unfinished report) of people not seen for
RETENTION_DAYS. Their copies in the staff group are deleted or edited through the outbox.

The job checks every hour and works at most once a day: the last run is stored in the
database (job_runs), so restarts neither skip nor repeat a day. `now` is a parameter so
tests can move the clock.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, cast

from bot.context import HotlineApplication, HotlineContext
from bot.settings import Settings
from bot.state import kept_between_messages
from flows.desk import thread as desk_thread
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
    drafts = erase_old_sessions(context, now - timedelta(days=settings.retention_days))
    log.info("retention: personal details of %d closed case(s) erased, and what %d "
             "person(s) left unfinished", len(erased), drafts)
    if settings.staff_enabled:
        for case_id in erased:  # the cards in the staff group lose the details too
            dc = await desk.get(db, case_id)
            if dc is not None:
                await desk_thread.refresh_card(context, dc)
    return erased


def erase_old_sessions(context: HotlineContext, seen_before: datetime) -> int:
    """Forget what people not seen since `seen_before` left in user_data (an unfinished
    report, a question half answered): a draft is never newer than its person's last
    message. Their next message finds no draft, and the form says so and shows the menu.
    Returns how many people's sessions were erased."""
    application = context.application
    day = seen_before.date().isoformat()
    erased = []
    for user_id, data in application.user_data.items():
        seen = data.get("seen_on")  # set (bot/people.py) on every day a person writes in private
        leftovers = kept_between_messages(data)
        if isinstance(seen, str) and seen < day and leftovers:
            store = cast("dict[str, Any]", data)  # a plain dict at run time; these keys are dynamic
            for key in leftovers:
                store.pop(key, None)
            erased.append(user_id)
    if erased:
        application.mark_data_for_update_persistence(user_ids=erased)
    return len(erased)


async def on_retention_due(context: HotlineContext) -> None:
    """The JobQueue callback."""
    try:
        await run_retention(context, utcnow())
    except Exception:  # a failed round must not stop the job; the next hour retries
        log.exception("retention job failed")


def install(app: HotlineApplication, settings: Settings) -> None:
    if app.job_queue is None:
        log.warning("no job queue: old cases are not erased (RETENTION_DAYS)")
        return
    app.job_queue.run_repeating(on_retention_due, interval=CHECK_SECONDS, first=CHECK_SECONDS,
                                name="retention")
