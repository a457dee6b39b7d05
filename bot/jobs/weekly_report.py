"""The weekly report in the staff group: every Monday at 08:00 in TIMEZONE, the figures of
the week before (Monday to Sunday) and the chart (bot/admin/charts.py). On by default;
WEEKLY_REPORT=off stops it.

A job checks every minute whether this week's report is due and not yet posted; the
report is queued in the outbox (the text, and a row that draws the chart when it is sent)
in the transaction that records the run in job_runs, so a restart neither repeats it nor
forgets it, and Telegram's faults are the sender's to handle (a bot that was down on Monday
morning posts when it is back, that week).
A new database starts counting from now: the first report is the next Monday's.
`now` is a parameter so tests can move the clock.
"""
from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from bot.admin import charts, reports
from bot.context import HotlineApplication, HotlineContext
from bot.i18n import _, use_language
from bot.jobs import sender
from bot.settings import Settings
from storage import outbox, privacy
from storage.clock import from_text, to_text, utcnow
from storage.outbox import Item, Row

log = logging.getLogger(__name__)

JOB = "weekly_report"
CHECK_SECONDS = 60
POST_AT = time(8, 0)  # Monday, in TIMEZONE


def due_since(now: datetime, settings: Settings) -> datetime:
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
    text = await report_text(context, now)
    async with db.transaction(durable=True) as conn:
        await outbox.add(conn, Item("staff_text", {"text": text[:4096]}))
        await outbox.add(conn, Item("weekly_chart", {"at": to_text(now)}))
        await privacy.record_run(conn, JOB, to_text(now))
    sender.wake(context)
    log.info("weekly report queued for the staff group")
    return True


async def report_text(context: HotlineContext, now: datetime) -> str:
    """Last week's figures, in STAFF_LANGUAGE."""
    db, settings = context.db, context.settings
    end = due_since(now, settings).date() - timedelta(days=1)  # the Sunday before
    start = end - timedelta(days=6)
    with use_language(settings.staff_language):
        figures = await reports.gather(db, settings, start, end)
        return _("🗓 Weekly report") + "\n" + reports.render(figures)


async def send_chart(context: HotlineContext, row: Row) -> tuple[int, int | None]:
    """The outbox kind 'weekly_chart': the chart, drawn when it is sent (figures only)."""
    settings = context.settings
    with use_language(settings.staff_language):
        png = await charts.chart_png(context.db, settings, from_text(row.payload["at"]))
        caption = _("📈 Cases per week by category, and open cases by status")
    chat_id = context.staff_chat_id
    if chat_id is None:  # the staff group was unset since: nothing to post to
        raise LookupError("no staff group")
    message = await context.bot.send_photo(chat_id, png, caption=caption,
                                           filename="hotline-chart.png")
    return message.chat_id, message.message_id


async def on_weekly_due(context: HotlineContext) -> None:
    """The JobQueue callback."""
    try:
        await run_weekly(context, utcnow())
    except Exception:  # a failed round must not stop the job
        log.exception("weekly report failed")


def install(app: HotlineApplication, settings: Settings) -> None:
    if not settings.weekly_report or not settings.staff_enabled:
        return
    if app.job_queue is None:
        log.warning("no job queue: no weekly report")
        return
    app.job_queue.run_repeating(on_weekly_due, interval=CHECK_SECONDS, first=CHECK_SECONDS,
                                name=JOB)
