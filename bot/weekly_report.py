"""The weekly report in the staff group: every Monday at 08:00 in TIMEZONE, the figures of
the week before (Monday to Sunday) and the chart (bot/charts.py). On by default;
WEEKLY_REPORT=off stops it.

A job checks every minute whether this week's report is due and not yet posted; the
last post is stored in the database (job_runs), so a restart neither repeats it nor
forgets it (a bot that was down on Monday morning posts when it is back, that week).
A new database starts counting from now: the first report is the next Monday's.
`now` is a parameter so tests can move the clock.
"""
from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from telegram.error import TelegramError

from bot import charts, reports
from bot.context import HotlineApplication, HotlineContext
from bot.i18n import _, use_language
from storage import privacy
from storage.clock import from_text, to_text, utcnow

log = logging.getLogger(__name__)

JOB = "weekly_report"
CHECK_SECONDS = 60
POST_AT = time(8, 0)  # Monday, in TIMEZONE


def due_since(now: datetime, settings) -> datetime:
    """This week's Monday 08:00 in TIMEZONE, or last week's when that is still ahead."""
    local = now.astimezone(settings.timezone)
    monday = local.date() - timedelta(days=local.weekday())
    due = datetime.combine(monday, POST_AT, tzinfo=settings.timezone)
    return due if due <= local else due - timedelta(weeks=1)


async def run_weekly(context: HotlineContext, now: datetime) -> bool:
    """Post the report if it is due; True if it was posted."""
    db, settings = context.db, context.settings
    if not settings.staff_enabled or not settings.weekly_report:
        return False
    last = await privacy.last_run(db, JOB)
    due = due_since(now, settings)
    if last is None:  # a new database: nothing was missed
        await privacy.set_last_run(db, JOB, to_text(now))
        return False
    if from_text(last) >= due:
        return False
    await post_report(context, now)
    await privacy.set_last_run(db, JOB, to_text(now))
    log.info("weekly report posted in the staff group")
    return True


async def post_report(context: HotlineContext, now: datetime) -> None:
    """Last week's figures as text, then the chart, in STAFF_LANGUAGE."""
    db, settings = context.db, context.settings
    end = due_since(now, settings).date() - timedelta(days=1)  # the Sunday before
    start = end - timedelta(days=6)
    with use_language(settings.staff_language):
        figures = await reports.gather(db, settings, start, end)
        text = _("🗓 Weekly report") + "\n" + reports.render(figures)
        png = await charts.chart_png(db, settings, now)
        caption = _("📈 Cases per week by category, and open cases by status")
    await context.bot.send_message(context.staff_chat_id, text[:4096])
    await context.bot.send_photo(context.staff_chat_id, png, caption=caption,
                                 filename="hotline-chart.png")


async def on_weekly_due(context: HotlineContext) -> None:
    """The JobQueue callback."""
    try:
        await run_weekly(context, utcnow())
    except TelegramError as exc:  # posted at the next check
        log.warning("weekly report not posted yet: %s", type(exc).__name__)
    except Exception:  # a failed round must not stop the job
        log.exception("weekly report failed")


def install(app: HotlineApplication, settings) -> None:
    if not settings.weekly_report or not settings.staff_enabled:
        return
    if app.job_queue is None:
        log.warning("no job queue: no weekly report")
        return
    app.job_queue.run_repeating(on_weekly_due, interval=CHECK_SECONDS, first=CHECK_SECONDS,
                                name=JOB)
