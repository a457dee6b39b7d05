"""The follow-up sender: one repeating job sends the follow-ups that are due.

Follow-ups are rows (storage/followups.py), not jobs: PTB's JobQueue keeps jobs
in memory only, so the job just sweeps the table every FOLLOWUP sweep interval
(and once right after start-up). A bot that was stopped sends on its next start
everything that fell due meanwhile, once: a row is marked sent in the same step
as Telegram's answer, and a row marked sent is never taken again. Only a send in
flight at the moment of a crash (Telegram has it, the mark is not yet written)
could reach its person twice; nothing scheduled is ever lost.

Before each send the row is checked against the person and the case: nothing
goes to someone who blocked the bot, deleted their data or pressed Stop
reminders, nor a check the case has moved past (the row is cancelled).
During QUIET_HOURS nothing is sent: what is due moves to the end of the quiet
hours, QUIET_SPREAD apart, after anything moved there already.

Telegram's answers, as bot/outcomes.py classifies them for every sender:
- wait (429, after the rate limiter's own retries): tried again after retry_after,
  not counted as an attempt; this sweep stops.
- retry (network errors, timeouts, 5xx): backoff from RETRY_SECONDS, doubling, failed
  after MAX_ATTEMPTS; this sweep stops (Telegram looks unwell).
- unreachable (403): failed, the person marked unreachable (storage/subscribers.py,
  the same mark the alerts use), and the case thread told.
- anything else: failed with Telegram's reason; the case thread told.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from telegram.error import TelegramError

from bot import followup_time
from bot.context import HotlineContext
from bot.i18n import use_language
from bot.outcomes import Verdict, backoff, classify
from bot.settings import Settings
from flows import desk_followups
from flows.followups import followup_message
from storage import desk, followups, subscribers
from storage.followups import Followup

log = logging.getLogger(__name__)

BATCH = 30  # rows per sweep at most; the rest go in the next sweeps
MAX_ATTEMPTS = 8  # tries per row for network errors and 5xx
RETRY_SECONDS = 30.0  # first backoff; then 60, 120 ... up to MAX_BACKOFF
MAX_BACKOFF = 3600.0
QUIET_SPREAD = timedelta(seconds=5)
FIRST_SWEEP_SECONDS = 1.0  # after start-up: what fell due while the bot was down
_LOCK = "followup_lock"  # bot_data: one sweep at a time


async def sweep(context: HotlineContext) -> int:
    """Send what is due now (by the follow-up clock); returns how many were sent."""
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
        sent = 0
        for row in await followups.due(context.db, now, BATCH):
            outcome = await deliver(context, row)
            if outcome == "sent":
                sent += 1
            elif outcome == "pause":
                break
        return sent


async def deliver(context: HotlineContext, row: Followup) -> str:
    """Send one follow-up and record Telegram's answer for its row:
    'sent', 'cancelled', 'failed' or 'pause' (try again later, stop this sweep)."""
    db = context.db
    reason = await followups.why_not_send(db, row)
    if reason is not None:
        await followups.mark_cancelled(db, row.id, reason)
        log.info("follow-up %s cancelled: %s", row.id, reason)
        return "cancelled"
    dc = await desk.get(db, row.case_id)
    assert dc is not None  # why_not_send checked the case
    with use_language(dc.case.reporter_language):
        text, markup = followup_message(context, dc, row)
    try:
        message = await context.bot.send_message(row.person_id, text, reply_markup=markup)
    except TelegramError as exc:
        return await _not_sent(context, dc, row, classify(exc))
    await followups.mark_sent(db, row.id, message.message_id, _now(context))
    log.info("follow-up %s (%s) sent for case %s", row.id, row.kind, row.case_id)
    if row.kind == "staff":
        await desk_followups.tell_staff_delivery(context, dc, row, "sent")
    return "sent"


async def _not_sent(context: HotlineContext, dc, row: Followup, verdict: Verdict) -> str:
    """Record Telegram's refusal (bot/outcomes.py): 'pause' (stop this sweep) or 'failed'."""
    db = context.db
    if verdict.kind == "wait":
        await followups.mark_retry(db, row.id, _now(context) + timedelta(seconds=verdict.seconds),
                                   verdict.reason, counts=False)
        log.warning("follow-up %s: flood control, waiting %s s", row.id, verdict.seconds)
        return "pause"
    if verdict.kind == "unreachable":
        await followups.mark_failed(db, row.id, f"blocked: {verdict.reason}")
        await subscribers.mark_unreachable(db, row.person_id)
        log.info("follow-up %s: the person blocked the bot", row.id)
        await desk_followups.tell_staff_delivery(context, dc, row, "blocked")
        return "failed"
    attempts = row.attempts + 1
    if verdict.kind == "retry" and attempts < MAX_ATTEMPTS:
        delay = backoff(attempts, RETRY_SECONDS, MAX_BACKOFF)
        await followups.mark_retry(db, row.id, _now(context) + timedelta(seconds=delay),
                                   verdict.reason)
        log.warning("follow-up %s: %s; retry in %s s", row.id, verdict.reason.split(":")[0], delay)
        return "pause"
    if verdict.kind == "retry":
        await _fail(context, dc, row, f"gave up after {attempts} attempts: {verdict.reason}")
    else:
        await _fail(context, dc, row, verdict.reason)
    return "failed"


async def _fail(context: HotlineContext, dc, row: Followup, error: str) -> None:
    await followups.mark_failed(context.db, row.id, error)
    log.warning("follow-up %s failed", row.id)
    await desk_followups.tell_staff_delivery(context, dc, row, "failed", error[:200])


def _now(context: HotlineContext) -> datetime:
    return followup_time.now(context.bot_data)


async def run_sweep(context: HotlineContext) -> None:
    """The JobQueue callback."""
    try:
        await sweep(context)
    except Exception:  # a failed round must not stop the job; the next one retries
        log.exception("follow-up sweep failed")


def install(app, settings: Settings) -> None:
    """The follow-up clock and the repeating sweep, started with the application."""
    followup_time.install_clock(app.bot_data, settings.followup_clock_shift)
    app.job_queue.run_repeating(run_sweep, interval=settings.followup_sweep_seconds,
                                first=FIRST_SWEEP_SECONDS, name="follow-up-sweep")
