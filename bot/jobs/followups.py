"""Follow-ups: the sweep that hands what is due to the outbox, and how the one sender
(bot/jobs/sender.py) delivers a follow-up row.

Follow-ups are rows (storage/followups.py), not jobs: PTB's JobQueue keeps jobs in memory
only, so one repeating job sweeps the table every FOLLOWUP sweep interval (and once right
after start-up) and turns each follow-up that fell due into an outbox row (lane 3: after
relays, notices and staff-group posts, before safety alerts). A bot that was stopped
hands over, on its next start, everything that fell due meanwhile, once.

During QUIET_HOURS nothing is handed over: what is due moves to the end of the quiet
hours, QUIET_SPREAD apart, after anything moved there already.

When the sender takes the row, the follow-up is checked against the person and the case:
nothing goes to someone who blocked the bot, deleted their data or pressed Stop
reminders, nor a check the case has moved past (the follow-up is cancelled and the row
dropped). Telegram's answer is the sender's to classify (bot/jobs/outcomes.py) and retry; here
only what follows: sent (and staff told, for their own follow-ups), or failed for good
(blocked, or Telegram's reason) with a line in the case's thread.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Final

from bot.context import HotlineApplication, HotlineContext
from bot.i18n import use_language
from bot.jobs import followup_time, sender
from bot.jobs.outcomes import Verdict
from bot.jobs.sender import Kind, Skip
from bot.settings import Settings
from flows.desk import followup_texts as desk_followups
from flows.returnee.followup_texts import followup_message
from storage import desk, followups
from storage.outbox import Row

log = logging.getLogger(__name__)

BATCH = 30  # follow-ups handed over per sweep at most; the rest in the next sweeps
RETRY_SECONDS = 30.0  # the follow-up lane's first backoff; then 60, 120 ... up to MAX_BACKOFF
MAX_BACKOFF = 3600.0
QUIET_SPREAD = timedelta(seconds=5)
FIRST_SWEEP_SECONDS = 1.0  # after start-up: what fell due while the bot was down
_LOCK: Final = "followup_lock"  # bot_data: one sweep at a time


async def sweep(context: HotlineContext) -> int:
    """Hand what is due now (by the follow-up clock) to the outbox; returns how many."""
    lock = context.bot_data.setdefault(_LOCK, asyncio.Lock())
    async with lock:
        settings: Settings = context.settings
        now = followup_time.now(context.bot_data)
        morning = followup_time.quiet_until(now, settings.quiet_hours, settings.timezone)
        if morning is not None:
            moved = await followups.defer_due(context.db, now, morning, QUIET_SPREAD)
            if moved:
                log.info("quiet hours: %s follow-ups moved to the morning", moved)
            return 0
        released = await followups.release_due(context.db, now, BATCH)
        if released:
            sender.wake(context)
        return released


# -- the outbox kind 'followup' -------------------------------------------------------------
async def _send(context: HotlineContext, row: Row) -> tuple[int, int | None]:
    db = context.db
    followup = await followups.get(db, row.followup_id) if row.followup_id else None
    reason = "gone" if followup is None else await followups.why_not_send(db, followup)
    if reason is not None or followup is None:
        if followup is not None:
            await followups.mark_cancelled(db, followup.id, reason or "gone")
        log.info("follow-up %s cancelled: %s", row.followup_id, reason)
        raise Skip(reason or "gone")
    dc = await desk.get(db, followup.case_id)
    assert dc is not None  # why_not_send checked the case
    with use_language(dc.case.reporter_language):
        text, markup = followup_message(context, dc, followup)
    message = await context.bot.send_message(followup.person_id, text, reply_markup=markup)
    return message.chat_id, message.message_id


async def _sent(context: HotlineContext, row: Row, chat_id: int, message_id: int | None
                ) -> None:
    followup = await followups.get(context.db, row.followup_id or 0)
    if followup is None or message_id is None:
        return
    await followups.mark_sent(context.db, followup.id, message_id, _now(context))
    log.info("follow-up %s (%s) sent for case %s", followup.id, followup.kind, followup.case_id)
    dc = await desk.get(context.db, followup.case_id)
    if followup.kind == "staff" and dc is not None:
        await desk_followups.tell_staff_delivery(context, dc, followup, "sent")


async def _failed(context: HotlineContext, row: Row, verdict: Verdict) -> None:
    followup = await followups.get(context.db, row.followup_id or 0)
    if followup is None:
        return
    blocked = verdict.kind == "unreachable"
    error = f"blocked: {verdict.reason}" if blocked else verdict.reason
    if verdict.kind == "retry":
        error = f"gave up after {row.attempts + 1} attempts: {verdict.reason}"
    await followups.mark_failed(context.db, followup.id, error)
    log.warning("follow-up %s failed", followup.id)
    dc = await desk.get(context.db, followup.case_id)
    if dc is not None:
        await desk_followups.tell_staff_delivery(
            context, dc, followup, "blocked" if blocked else "failed", error[:200])


KINDS = {"followup": Kind(_send, sent=_sent, failed=_failed,
                          backoff=(RETRY_SECONDS, MAX_BACKOFF))}


def _now(context: HotlineContext) -> datetime:
    return followup_time.now(context.bot_data)


async def run_sweep(context: HotlineContext) -> None:
    """The JobQueue callback."""
    try:
        await sweep(context)
    except Exception:  # a failed round must not stop the job; the next one retries
        log.exception("follow-up sweep failed")


def install(app: HotlineApplication, settings: Settings) -> None:
    """The follow-up clock and the repeating sweep, started with the application."""
    followup_time.install_clock(app.bot_data, settings.followup_clock_shift)
    assert app.job_queue is not None
    app.job_queue.run_repeating(run_sweep, interval=settings.followup_sweep_seconds,
                                first=FIRST_SWEEP_SECONDS, name="follow-up-sweep")
