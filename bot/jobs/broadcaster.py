"""The broadcast sender: delivers queued alerts from the outbox at a steady rate.

It sends through its own telegram.Bot, which has no rate limiter, so alerts never
queue in front of the replies people are waiting for (those go through the
application's AIORateLimiter); it paces itself instead: BROADCAST_RATE messages
a second, never more than that in any one second, with a few sends in flight so
network latency does not lower the rate.

Errors, as bot/jobs/outcomes.py classifies them for every sender:
- 429 RetryAfter: nothing is sent for exactly retry_after seconds; the row is retried.
- network errors, timeouts and 5xx: the row is retried with backoff (2, 4, 8 ... s),
  and failed after MAX_ATTEMPTS; several in a row pause all sending briefly.
- 403 Forbidden (blocked the bot, deactivated): blocked, the person unreachable.
- 400 and anything else: failed, with Telegram's reason.

Every row is marked in the database as soon as Telegram answers for it (answers
that arrive while a write is under way are written together in the next
transaction), and a send counts as finished only then; so a restart resumes where
it stopped, and only a send in flight at the moment of a crash (sent, answer not
yet written) can reach its person twice.
"""
from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from telegram import Bot
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot import i18n
from bot.context import HotlineApplication, HotlineContext
from bot.jobs.outcomes import Verdict, backoff, classify
from bot.ratelimit import TelegramBudget
from bot.settings import Settings
from bot.state import BROADCASTER, DATABASE
from flows.admin.broadcast_texts import control_markup, progress_text
from flows.returnee.alert_texts import alert_markup, alert_text
from storage import broadcasts, users
from storage.broadcasts import Broadcast, Delivery, Outcome
from storage.db import Database

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # tries per person for network errors and 5xx
OUTAGE_AFTER = 3  # transient errors in a row that pause all sending
MAX_BACKOFF = 300.0  # seconds
CATCH_UP = 0.05  # seconds of sends that may go out back to back after a stall
SLICE = 0.02  # longest sleep between checks for a stop (a stop waits at most this)
WINDOW = 1.0 + 1e-6  # one second, and a little more than float rounding of Unix time


class Clock:
    """Wall time and sleeping; the benchmark swaps in a simulated clock."""

    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass
class _Progress:
    """What the admin's progress message last showed, to compute the rate."""

    at: float
    sent: int
    rate: float = 0.0
    text: str = ""


class Broadcaster:
    def __init__(self, db: Database, bot: Bot, *, rate: float, paid: bool = False,
                 poll_seconds: float = 2.0, progress_seconds: float = 5.0,
                 retry_seconds: float = 2.0, clock: Clock | None = None,
                 progress_bot: Bot | None = None, budget: TelegramBudget | None = None) -> None:
        self.db, self.bot = db, bot
        self.paid = paid
        self.poll_seconds, self.progress_seconds = poll_seconds, progress_seconds
        self.retry_seconds = retry_seconds
        self.clock = clock or Clock()
        self.progress_bot = progress_bot or bot
        # The token's budget shared with replies (bot/ratelimit.py): alerts take what is
        # left. Paid broadcasts have Telegram's own lane (1000/s) and do not take from it.
        self.budget = None if paid else budget
        self.rate = rate
        self._next_slot = 0.0
        self._recent: collections.deque[float] = collections.deque()  # send times, last second
        self._pause_until = 0.0
        self._transient_in_row = 0
        self._tasks: dict[tuple[int, int], asyncio.Task] = {}
        self._texts: dict[int, Broadcast] = {}
        self._progress: dict[int, _Progress] = {}
        self._last_report = 0.0
        self._wake = asyncio.Event()
        self._a_send_finished = asyncio.Event()
        self._answers: list[tuple[Outcome, asyncio.Future]] = []
        self._writer: asyncio.Task | None = None
        self._statuses_changed = False

    @property
    def rate(self) -> float:
        return self._rate

    @rate.setter
    def rate(self, rate: float) -> None:
        self._rate, self._interval = rate, 1.0 / rate
        self.concurrency = concurrency_for(rate)

    # -- control from handlers and the application ---------------------------------
    def wake(self) -> None:
        """A broadcast was queued or resumed: look now rather than at the next poll."""
        self._wake.set()

    def status_changed(self) -> None:
        """A broadcast was paused or cancelled: stop taking its rows at once."""
        self._statuses_changed = True
        self._wake.set()

    async def run(self, keep_running: Callable[[], bool]) -> None:
        """Send until keep_running() turns false, then let sends in flight finish."""
        log.info("broadcast sender started: %s messages a second%s", self.rate,
                 " (paid broadcasts)" if self.paid else "")
        try:
            while keep_running():
                try:
                    worked = await self._send_due(keep_running)
                    await self._report_progress(force=not worked)
                    if not worked:
                        await self._idle(keep_running)
                except Exception:
                    log.exception("broadcast sender: unexpected error; retrying shortly")
                    await self._sleep(self.poll_seconds, keep_running)
        finally:
            await self._drain()
            try:
                await self._report_progress(force=True)
            except Exception:
                log.exception("broadcast sender: could not report progress on stop")
            log.info("broadcast sender stopped")

    async def run_until_done(self) -> None:
        """Send until nothing is queued for a sending broadcast (benchmark, CLI tools)."""
        done = False

        def keep_running() -> bool:
            return not done

        async def watch() -> None:
            nonlocal done
            while not done:
                await asyncio.sleep(0.05)
                if not self._tasks and await broadcasts.next_due_time(self.db) is None:
                    done = True
                    self.wake()

        watcher = asyncio.create_task(watch())
        try:
            await self.run(keep_running)
        finally:
            watcher.cancel()

    # -- sending -------------------------------------------------------------------
    async def _send_due(self, keep_running: Callable[[], bool]) -> bool:
        """Send one batch (about a second's worth) of due rows; False if none were due."""
        batch = max(20, int(self.rate))
        self._statuses_changed = False
        self._wake.clear()  # a wake-up from now on is for rows this query may not see
        # Rows in flight when the query starts may be read before their answer is written:
        # leave out everything that was in flight at any time during the query.
        busy = set(self._tasks)
        if not self._tasks:  # a broadcast a crash left half queued: the rest now
            await broadcasts.enqueue_unfinished(self.db)
        rows = await broadcasts.due(self.db, self.clock.now(), batch + len(busy))
        busy |= set(self._tasks)
        rows = [row for row in rows if (row.broadcast_id, row.user_id) not in busy]
        if not rows:
            if self._tasks:  # only sends in flight: wait for one to finish
                await self._wait_for_a_send()
                return True
            return False
        for row in rows:
            await self._wait_for_slot(keep_running)
            if not keep_running() or self._statuses_changed:
                break
            key = (row.broadcast_id, row.user_id)
            self._tasks[key] = asyncio.create_task(self._deliver(row))
            self._tasks[key].add_done_callback(functools.partial(self._sent, key))
            if self.clock.now() - self._last_report >= self.progress_seconds:
                await self._report_progress()
        return True

    async def _wait_for_slot(self, keep_running: Callable[[], bool]) -> None:
        """Until the next send is allowed: pacing, RetryAfter, sends in flight."""
        while keep_running() and not self._statuses_changed:
            now = self.clock.now()
            while self._recent and self._recent[0] + WINDOW <= now:
                self._recent.popleft()
            ready = max(self._next_slot, self._pause_until)
            if len(self._recent) >= self.rate:  # never more than `rate` in any second
                ready = max(ready, self._recent[0] + WINDOW)
            if ready > now or len(self._recent) >= self.rate:
                await self._sleep(min(max(ready - now, 1e-6), SLICE), keep_running)
                continue
            if len(self._tasks) >= self.concurrency:
                await self._wait_for_a_send()
                continue
            self._next_slot = max(self._next_slot, now - CATCH_UP) + self._interval
            self._recent.append(now)
            return

    def _sent(self, key: tuple[int, int], _task: asyncio.Task[None]) -> None:
        self._tasks.pop(key, None)
        self._a_send_finished.set()

    async def _wait_for_a_send(self) -> None:
        """Until a send in flight finishes (its answer is recorded), at most SLICE."""
        self._a_send_finished.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._a_send_finished.wait(), SLICE)

    async def _deliver(self, row: Delivery) -> None:
        """Send one alert and record Telegram's answer for its row."""
        broadcast = await self._broadcast(row.broadcast_id)
        text = alert_text(row.language, broadcast.text_km, broadcast.text_en)
        markup = alert_markup(row.language)
        paid = True if self.paid else None
        try:
            if self.budget is not None:
                await self.budget.alert_slot(row.user_id)
            if broadcast.photo:
                await self.bot.send_photo(row.user_id, broadcast.photo, caption=text,
                                          reply_markup=markup, allow_paid_broadcast=paid)
            else:
                await self.bot.send_message(row.user_id, text, reply_markup=markup,
                                            allow_paid_broadcast=paid)
        except Exception as exc:  # what Telegram said, as every sender reads it
            await self._refused(row, classify(exc), exc)
        else:
            self._transient_in_row = 0
            await self._record(Outcome(row, "sent"))

    async def _refused(self, row: Delivery, verdict: Verdict, exc: Exception) -> None:
        if verdict.kind == "wait":
            self._pause_until = max(self._pause_until, self.clock.now() + verdict.seconds)
            log.warning("broadcast %s: flood control, waiting %s s", row.broadcast_id,
                        verdict.seconds)
            await self._record(Outcome(row, "retry", verdict.reason,
                                       self.clock.now() + verdict.seconds, counts=False))
        elif verdict.kind == "unreachable":
            await self._record(Outcome(row, "blocked", str(exc)))
        elif verdict.kind == "retry":
            if not isinstance(exc, TelegramError):
                log.exception("broadcast %s: unexpected error while sending", row.broadcast_id)
            await self._transient(row, exc)
        else:  # failed, moved, thread_gone: nothing to make again for a person's chat
            await self._record(Outcome(row, "failed", str(exc)))

    async def _transient(self, row: Delivery, exc: Exception) -> None:
        """Network error, timeout or 5xx: retry later, or give up after MAX_ATTEMPTS."""
        attempts = row.attempts + 1
        reason = f"{type(exc).__name__}: {exc}"
        self._transient_in_row += 1
        if self._transient_in_row >= OUTAGE_AFTER:  # looks like an outage: everyone waits
            pause = backoff(self._transient_in_row - OUTAGE_AFTER + 1, self.retry_seconds,
                            MAX_BACKOFF)
            self._pause_until = max(self._pause_until, self.clock.now() + pause)
        if attempts >= MAX_ATTEMPTS:
            await self._record(Outcome(row, "failed", f"gave up after {attempts} attempts: {reason}"))
            return
        delay = backoff(attempts, self.retry_seconds, MAX_BACKOFF)
        await self._record(Outcome(row, "retry", reason, self.clock.now() + delay))

    async def _record(self, outcome: Outcome) -> None:
        """Write Telegram's answer for a row before its send counts as finished.

        Answers that arrive while a write is under way go together into the next
        transaction (group commit): one write per batch, not per message."""
        done = asyncio.get_running_loop().create_future()
        self._answers.append((outcome, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_answers())
        try:
            await done
        except Exception:
            # the row stays queued and will be sent again: the one case of a duplicate
            log.exception("broadcast %s: could not record an answer", outcome.delivery.broadcast_id)

    async def _write_answers(self) -> None:
        while self._answers:
            group, self._answers = self._answers, []
            try:
                await broadcasts.record(self.db, [outcome for outcome, _ in group])
            except Exception as exc:
                for _, done in group:
                    done.set_exception(exc)
            else:
                for _, done in group:
                    done.set_result(None)

    async def _broadcast(self, broadcast_id: int) -> Broadcast:
        broadcast = self._texts.get(broadcast_id)
        if broadcast is None:
            broadcast = await broadcasts.get(self.db, broadcast_id)
            assert broadcast is not None
            self._texts[broadcast_id] = broadcast
        return broadcast

    # -- waiting -------------------------------------------------------------------
    async def _idle(self, keep_running: Callable[[], bool]) -> None:
        """Nothing due: wait for a wake-up, the next retry, or the next poll."""
        wait = self.poll_seconds
        next_due = await broadcasts.next_due_time(self.db)
        if next_due is not None:
            wait = max(0.0, min(wait, next_due - self.clock.now()))
        await self._sleep(wait, keep_running, wakeable=True)

    async def _sleep(self, seconds: float, keep_running: Callable[[], bool],
                     wakeable: bool = False) -> None:
        """Sleep in short slices so a stop (or a wake-up) is noticed quickly."""
        end = self.clock.now() + seconds
        while keep_running():
            left = end - self.clock.now()
            if left <= 0 or (wakeable and self._wake.is_set()):
                return
            if wakeable and type(self.clock) is Clock:  # real time: an event can wake us
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), min(left, SLICE))
            else:
                await self.clock.sleep(min(left, SLICE))

    async def _drain(self) -> None:
        """Let sends in flight finish and record their answers."""
        if self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    # -- progress ------------------------------------------------------------------
    async def _report_progress(self, force: bool = False) -> None:
        """Finish complete broadcasts and edit the admins' progress messages."""
        now = self.clock.now()
        if not force and now - self._last_report < self.progress_seconds:
            return
        self._last_report = now
        in_flight = {broadcast_id for broadcast_id, _ in self._tasks}
        watched = await broadcasts.sending(self.db)
        watched += [b for b in map(self._texts.get, list(self._progress)) if b]
        seen = set()
        for broadcast in watched:
            if broadcast.id in seen:
                continue
            seen.add(broadcast.id)
            if broadcast.id not in in_flight:
                await broadcasts.finish_if_complete(self.db, broadcast.id)
            await self.show_progress(broadcast.id)

    async def show_progress(self, broadcast_id: int) -> None:
        """Edit the broadcast's progress message if its figures changed."""
        broadcast = await broadcasts.get(self.db, broadcast_id)
        if broadcast is None:
            return
        self._texts[broadcast_id] = broadcast
        figures = await broadcasts.figures(self.db, broadcast_id)
        now = self.clock.now()
        previous = self._progress.get(broadcast_id)
        if previous is None:
            previous = self._progress[broadcast_id] = _Progress(now, figures.sent)
        elif now - previous.at >= 1.0:
            previous.rate = (figures.sent - previous.sent) / (now - previous.at)
            previous.at, previous.sent = now, figures.sent
        if broadcast.status in ("done", "cancelled"):
            self._progress.pop(broadcast_id, None)  # the last edit
        if broadcast.progress_chat_id is None or broadcast.progress_message_id is None:
            return
        language = await _language_of(self.db, broadcast.created_by)
        with i18n.use_language(language):
            text = progress_text(broadcast, figures, previous.rate or self.rate)
            markup = control_markup(broadcast)
        if text == previous.text:
            return
        previous.text = text
        try:
            await self.progress_bot.edit_message_text(
                text, broadcast.progress_chat_id, broadcast.progress_message_id,
                reply_markup=markup,
            )
        except TelegramError as exc:
            log.info("broadcast %s: progress message not edited (%s)", broadcast_id,
                     type(exc).__name__)


async def _language_of(db: Database, telegram_id: int | None) -> str:
    if telegram_id is None:
        return i18n.DEFAULT_LANGUAGE
    person = await users.get(db, telegram_id)
    return person.language if person else i18n.DEFAULT_LANGUAGE


def concurrency_for(rate: float) -> int:
    """Sends in flight: enough to keep the rate up at ~0.3 s per request."""
    return max(4, min(200, int(rate * 0.3) + 1))


# -- wiring into the application ----------------------------------------------------------
def sender_bot(app_bot: Bot, concurrency: int) -> Bot:
    """A Bot with the application's token and server but no rate limiter, and its own
    connection pool; an offline request object (console, benchmark) is shared."""
    request = app_bot.request
    if isinstance(request, HTTPXRequest):
        request = HTTPXRequest(connection_pool_size=concurrency + 2)
    token = app_bot.token
    base_url = app_bot.base_url.removesuffix(token)
    base_file_url = app_bot.base_file_url.removesuffix(token)
    return Bot(token, base_url=base_url, base_file_url=base_file_url, request=request,
               get_updates_request=request)


def install(app: HotlineApplication, settings: Settings) -> None:
    """Start the sender with the application (a job that runs until the application stops;
    Application.stop() waits for it, and it finishes the sends in flight first)."""

    async def run_sender(context: HotlineContext) -> None:
        broadcaster: Broadcaster = context.bot_data[BROADCASTER]
        bot = broadcaster.bot
        await bot.initialize()
        try:
            await broadcaster.run(lambda: context.application.running)
        finally:
            if bot.request is not context.bot.request:
                await bot.shutdown()

    broadcaster = Broadcaster(
        app.bot_data[DATABASE], sender_bot(app.bot, concurrency_for(settings.broadcast_rate)),
        rate=settings.broadcast_rate, paid=settings.broadcast_paid,
        poll_seconds=settings.broadcast_poll_seconds,
        progress_seconds=settings.broadcast_progress_seconds,
        retry_seconds=settings.broadcast_retry_seconds, progress_bot=app.bot,
        budget=app.bot.rate_limiter if isinstance(app.bot.rate_limiter, TelegramBudget) else None,
    )
    app.bot_data[BROADCASTER] = broadcaster
    assert app.job_queue is not None  # the job-queue extra is a dependency
    app.job_queue.run_once(run_sender, when=0, name="broadcast-sender",
                           job_kwargs={"misfire_grace_time": None})
