"""The sender's lane for safety alerts: outbox rows of lane ALERTS, sent at a steady rate.

A broadcast queues one row per subscriber (storage/broadcasts.py). This lane takes the
due rows of sending broadcasts and sends them BROADCAST_RATE a second, never more in any
one second, with enough sends in flight that network latency does not lower the rate.
Each try goes through the sender's `attempt` (one classification, one retry policy) and
its answer through the sender's group-commit writer, so hundreds of answers a second are
a few transactions.

Whose turn it is: free alerts take only what answers, relays and notices leave of the
token's budget (bot/ratelimit.py `alert_slot`), so an alert to 100,000 people never makes
anyone wait for an answer. Paid broadcasts (BROADCAST_PAID) go in Telegram's own lane of
up to 1,000 a second (allow_paid_broadcast) and do not take from the budget. Alerts go
through their own telegram.Bot, with its own connection pool and no rate limiter: a
thousand alerts in flight never hold a connection an answer needs.

A 429 stops the lane for exactly retry_after seconds; several network errors in a row
(an outage) pause it briefly with backoff; a 403 marks the person unreachable and fails
their other queued alerts. The admin's progress message is edited by `progress` rows in
the outbox, queued every BROADCAST_PROGRESS_SECONDS while a broadcast sends.
"""
from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass

from telegram import Bot
from telegram.request import HTTPXRequest

from bot import i18n
from bot.context import HotlineApplication, HotlineContext
from bot.jobs.outcomes import MAX_BACKOFF, backoff
from bot.jobs.sender import Attempt, Clock, Kind, Sender, Skip
from bot.ratelimit import TelegramBudget
from bot.settings import Settings
from flows.admin.broadcast_texts import control_markup, progress_text
from flows.returnee.alert_texts import alert_markup, alert_text
from storage import broadcasts, outbox, users
from storage.broadcasts import Broadcast
from storage.db import Database
from storage.outbox import Row

log = logging.getLogger(__name__)

ATTEMPTS = 6  # tries per person for network errors and 5xx
LONGEST_BACKOFF = 300.0  # seconds
OUTAGE_AFTER = 3  # transient errors in a row that pause the whole lane
CATCH_UP = 0.05  # seconds of sends that may go out back to back after a stall
SLICE = 0.02  # longest sleep between checks for a stop (a stop waits at most this)
WINDOW = 1.0 + 1e-6  # one second, and a little more than float rounding of Unix time


class Pacer:
    """`rate` sends a second, evenly spaced, never more than `rate` in any one second; and
    a pause for everyone when Telegram asks for one (429) or looks down."""

    def __init__(self, rate: float, clock: Clock) -> None:
        self.clock = clock
        self.rate = rate
        self._next_slot = 0.0
        self._recent: collections.deque[float] = collections.deque()  # starts, last second
        self.pause_until = 0.0

    @property
    def rate(self) -> float:
        return self._rate

    @rate.setter
    def rate(self, rate: float) -> None:
        self._rate, self._interval = rate, 1.0 / rate
        self.concurrency = concurrency_for(rate)

    def pause(self, seconds: float) -> None:
        self.pause_until = max(self.pause_until, self.clock.now() + seconds)

    def wait_time(self) -> float:
        """0 if a send may start now (then it is counted), else how long until one may."""
        now = self.clock.now()
        while self._recent and self._recent[0] + WINDOW <= now:
            self._recent.popleft()
        ready = max(self._next_slot, self.pause_until)
        if len(self._recent) >= self.rate:
            ready = max(ready, self._recent[0] + WINDOW)
        if ready > now or len(self._recent) >= self.rate:
            return max(ready - now, 1e-6)
        self._next_slot = max(self._next_slot, now - CATCH_UP) + self._interval
        self._recent.append(now)
        return 0.0


def concurrency_for(rate: float) -> int:
    """Sends in flight: enough to keep the rate up at ~0.3 s per request."""
    return max(4, min(200, int(rate * 0.3) + 1))


@dataclass
class _Progress:
    """What the admin's progress message last showed, to compute the rate."""

    at: float
    sent: int
    rate: float = 0.0
    text: str = ""


class AlertLane:
    def __init__(self, bot: Bot, *, rate: float, paid: bool = False,
                 budget: TelegramBudget | None = None, retry_seconds: float = 2.0,
                 poll_seconds: float = 2.0, progress_seconds: float = 5.0,
                 owns_bot: bool = False) -> None:
        self.bot, self.paid, self.owns_bot = bot, paid, owns_bot
        # Paid broadcasts have Telegram's own lane (1000/s) and do not take from the budget.
        self.budget = None if paid else budget
        self._rate = rate
        self.retry_seconds, self.poll_seconds = retry_seconds, poll_seconds
        self.progress_seconds = progress_seconds
        self.sender: Sender | None = None
        self.pacer: Pacer | None = None
        self._tasks: dict[int, asyncio.Task] = {}  # outbox row id -> its send
        self._broadcast_of: dict[int, int | None] = {}  # outbox row id -> its broadcast
        self._texts: dict[int, Broadcast] = {}
        self._progress: dict[int, _Progress] = {}
        self._last_report = 0.0
        self._transient_in_row = 0
        self._wake = asyncio.Event()
        self._a_send_finished = asyncio.Event()
        self._statuses_changed = False

    @property
    def rate(self) -> float:
        """BROADCAST_RATE: alerts a second."""
        return self._rate

    @rate.setter
    def rate(self, rate: float) -> None:
        self._rate = rate
        if self.pacer is not None:
            self.pacer.rate = rate

    def kinds(self) -> dict[str, Kind]:
        return {"alert": Kind(self._send_alert, backoff=(self.retry_seconds, LONGEST_BACKOFF),
                              attempts=ATTEMPTS),
                "progress": Kind(self._send_progress)}

    # -- control from handlers and the sender -------------------------------------------
    def wake(self) -> None:
        """A broadcast was queued or resumed: look now rather than at the next poll."""
        self._wake.set()

    def status_changed(self) -> None:
        """A broadcast was paused or cancelled: stop taking its rows at once."""
        self._statuses_changed = True
        self._wake.set()

    def attach(self, sender: Sender) -> None:
        """The sender this lane belongs to (its clock, database, attempt and writer)."""
        self.sender = sender
        self.pacer = Pacer(self.rate, sender.clock)

    async def run(self, keep_running: Callable[[], bool]) -> None:
        """Send until keep_running() turns false, then let the sends in flight finish."""
        sender = self.sender
        assert sender is not None, "a lane runs as part of a Sender"
        log.info("alert lane started: %s messages a second%s", self.rate,
                 " (paid broadcasts)" if self.paid else "")
        ready = False
        try:
            while keep_running():
                try:
                    if not ready:  # getMe: Telegram may be out of reach at start-up
                        await self.bot.initialize()
                        ready = True
                    worked = await self._send_due(keep_running)
                    await self._report_progress(force=not worked)
                    if not worked:
                        await self._idle(keep_running)
                except Exception:
                    log.exception("alert lane: unexpected error; trying again shortly")
                    await self._sleep(self.poll_seconds, keep_running)
        finally:
            if self._tasks:
                await asyncio.gather(*self._tasks.values(), return_exceptions=True)
            with contextlib.suppress(Exception):
                await self._report_progress(force=True)
            sender.wake_chats()  # the last progress edits
            if self.owns_bot and ready:
                await self.bot.shutdown()
            log.info("alert lane stopped")

    async def run_until_done(self) -> None:
        """Send until nothing is queued for a sending broadcast (benchmark, tests)."""
        done = False

        async def watch() -> None:
            nonlocal done
            while not done:
                await asyncio.sleep(0.05)
                if not self._tasks and await outbox.next_alert_due_at(self._db) is None:
                    done = True
                    self.wake()

        watcher = asyncio.create_task(watch())
        try:
            await self.run(lambda: not done)
        finally:
            watcher.cancel()

    @property
    def _db(self) -> Database:
        assert self.sender is not None
        return self.sender.db

    @property
    def _clock(self) -> Clock:
        assert self.sender is not None
        return self.sender.clock

    # -- sending --------------------------------------------------------------------------
    async def _send_due(self, keep_running: Callable[[], bool]) -> bool:
        """Send one batch (about a second's worth) of due rows; False if none were due."""
        assert self.pacer is not None
        batch = max(20, int(self.rate))
        self._statuses_changed = False
        self._wake.clear()  # a wake-up from now on is for rows this query may not see
        # Rows in flight when the query starts may be read before their answer is written:
        # leave out everything that was in flight at any time during the query.
        busy = set(self._tasks)
        if not self._tasks:  # a broadcast a crash left half queued: the rest now
            await broadcasts.enqueue_unfinished(self._db)
        rows = await outbox.alerts_due(self._db, self._clock.now(), batch + len(busy))
        busy |= set(self._tasks)
        rows = [row for row in rows if row.id not in busy]
        if not rows:
            if self._tasks:  # only sends in flight: wait for one to finish
                await self._wait_for_a_send()
                return True
            return False
        for broadcast_id in {row.broadcast_id for row in rows}:
            if broadcast_id is not None:  # read before the pace starts counting
                await self._broadcast(broadcast_id)
        for row in rows:
            await self._wait_for_slot(keep_running)
            if not keep_running() or self._statuses_changed:
                break
            self._broadcast_of[row.id] = row.broadcast_id
            self._tasks[row.id] = asyncio.create_task(self._deliver(row))
            self._tasks[row.id].add_done_callback(functools.partial(self._sent, row.id))
            if self._clock.now() - self._last_report >= self.progress_seconds:
                await self._report_progress()
        return True

    async def _wait_for_slot(self, keep_running: Callable[[], bool]) -> None:
        """Until the next send may start: the pace, a pause, the sends in flight."""
        assert self.pacer is not None
        while keep_running() and not self._statuses_changed:
            if len(self._tasks) >= self.pacer.concurrency:
                await self._wait_for_a_send()
                continue
            wait = self.pacer.wait_time()
            if not wait:
                return
            await self._sleep(min(wait, SLICE), keep_running)

    def _sent(self, row_id: int, _task: asyncio.Task[None]) -> None:
        self._tasks.pop(row_id, None)
        self._broadcast_of.pop(row_id, None)
        self._a_send_finished.set()

    async def _wait_for_a_send(self) -> None:
        """Until a send in flight finishes (its answer is recorded), at most SLICE."""
        self._a_send_finished.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._a_send_finished.wait(), SLICE)

    async def _deliver(self, row: Row) -> None:
        assert self.sender is not None
        attempt = await self.sender.attempt(row)
        if attempt is None:
            return
        self._follow(attempt)
        await self.sender.finish(row, attempt)

    def _follow(self, attempt: Attempt) -> None:
        """What one answer means for the whole lane: a 429 stops it for exactly as long as
        Telegram asks; transient errors in a row look like an outage and pause it."""
        assert self.pacer is not None
        verdict = attempt.verdict
        if verdict is not None and verdict.kind == "wait":
            self.pacer.pause(verdict.seconds)
            log.warning("alerts: flood control, waiting %s s", verdict.seconds)
        elif verdict is not None and verdict.kind == "retry":
            self._transient_in_row += 1
            if self._transient_in_row >= OUTAGE_AFTER:
                self.pacer.pause(backoff(self._transient_in_row - OUTAGE_AFTER + 1,
                                         self.retry_seconds, MAX_BACKOFF))
        else:
            self._transient_in_row = 0

    async def _send_alert(self, context: HotlineContext, row: Row) -> tuple[int, int | None]:
        """The alert in the person's language, with its Stop button; after the person's place
        in the budget when broadcasts are free."""
        assert row.broadcast_id is not None
        broadcast = await self._broadcast(row.broadcast_id)
        language = row.payload.get("language", i18n.DEFAULT_LANGUAGE)
        text = alert_text(language, broadcast.text_km, broadcast.text_en)
        markup = alert_markup(language)
        paid = True if self.paid else None
        await self._pause_over()
        if self.budget is not None:
            await self.budget.alert_slot(row.chat_id)
        if broadcast.photo:
            message = await self.bot.send_photo(row.chat_id, broadcast.photo, caption=text,
                                                reply_markup=markup, allow_paid_broadcast=paid)
        else:
            message = await self.bot.send_message(row.chat_id, text, reply_markup=markup,
                                                  allow_paid_broadcast=paid)
        return row.chat_id, message.message_id

    async def _pause_over(self) -> None:
        """A send given its place just before a 429 came back waits out the pause too."""
        assert self.pacer is not None
        while (left := self.pacer.pause_until - self._clock.now()) > 0:
            await self._clock.sleep(left)

    async def _broadcast(self, broadcast_id: int) -> Broadcast:
        broadcast = self._texts.get(broadcast_id)
        if broadcast is None:
            broadcast = await broadcasts.get(self._db, broadcast_id)
            assert broadcast is not None
            self._texts[broadcast_id] = broadcast
        return broadcast

    # -- waiting --------------------------------------------------------------------------
    async def _idle(self, keep_running: Callable[[], bool]) -> None:
        """Nothing due: wait for a wake-up, the next retry, or the next poll."""
        wait = self.poll_seconds
        next_due = await outbox.next_alert_due_at(self._db)
        if next_due is not None:
            wait = max(0.0, min(wait, next_due - self._clock.now()))
        await self._sleep(wait, keep_running, wakeable=True)

    async def _sleep(self, seconds: float, keep_running: Callable[[], bool],
                     wakeable: bool = False) -> None:
        """Sleep in short slices so a stop (or a wake-up) is noticed quickly."""
        end = self._clock.now() + seconds
        while keep_running():
            left = end - self._clock.now()
            if left <= 0 or (wakeable and self._wake.is_set()):
                return
            if wakeable and type(self._clock) is Clock:  # real time: an event can wake us
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), min(left, SLICE))
            else:
                await self._clock.sleep(min(left, SLICE))

    # -- progress -------------------------------------------------------------------------
    async def _report_progress(self, force: bool = False) -> None:
        """Finish complete broadcasts, and queue an edit of each admin's progress message."""
        now = self._clock.now()
        if not force and now - self._last_report < self.progress_seconds:
            return
        self._last_report = now
        in_flight = set(self._broadcast_of.values())
        watched = {b.id for b in await broadcasts.sending(self._db)} | set(self._progress)
        for broadcast_id in sorted(watched):
            if broadcast_id not in in_flight:
                await broadcasts.finish_if_complete(self._db, broadcast_id)
            await broadcasts.queue_progress_edit(self._db, broadcast_id)
        if watched and self.sender is not None:
            self.sender.wake_chats()

    async def _send_progress(self, context: HotlineContext, row: Row
                             ) -> tuple[int, int | None]:
        """Edit the broadcast's progress message if its figures changed (else: skipped)."""
        broadcast = await broadcasts.get(self._db, int(row.payload["broadcast"]))
        if broadcast is None or broadcast.progress_message_id is None \
                or broadcast.progress_chat_id is None:
            raise Skip("no progress message")
        self._texts[broadcast.id] = broadcast
        figures = await broadcasts.figures(self._db, broadcast.id)
        now = self._clock.now()
        shown = self._progress.get(broadcast.id)
        if shown is None:
            shown = self._progress[broadcast.id] = _Progress(now, figures.sent)
        elif now - shown.at >= 1.0:
            shown.rate = (figures.sent - shown.sent) / (now - shown.at)
            shown.at, shown.sent = now, figures.sent
        if broadcast.status in ("done", "cancelled"):
            self._progress.pop(broadcast.id, None)  # the last edit
        language = await _language_of(self._db, broadcast.created_by)
        with i18n.use_language(language):
            text = progress_text(broadcast, figures, shown.rate or self.rate)
            markup = control_markup(broadcast)
        if text == shown.text:
            raise Skip("the progress message already shows this")
        await context.bot.edit_message_text(text, broadcast.progress_chat_id,
                                            broadcast.progress_message_id, reply_markup=markup)
        shown.text = text
        return broadcast.progress_chat_id, broadcast.progress_message_id


async def _language_of(db: Database, telegram_id: int | None) -> str:
    if telegram_id is None:
        return i18n.DEFAULT_LANGUAGE
    person = await users.get(db, telegram_id)
    return person.language if person else i18n.DEFAULT_LANGUAGE


# -- wiring ---------------------------------------------------------------------------------
def alert_bot(app_bot: Bot, concurrency: int) -> Bot:
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


def for_app(app: HotlineApplication, settings: Settings, *, budget: bool = True) -> AlertLane:
    """The lane for the application's sender, from the settings (`budget=False`: alerts
    are paced by BROADCAST_RATE alone, as on a simulated clock in the benchmark)."""
    limiter = app.bot.rate_limiter
    bot = alert_bot(app.bot, concurrency_for(settings.broadcast_rate))
    return AlertLane(
        bot, owns_bot=bot.request is not app.bot.request,
        rate=settings.broadcast_rate, paid=settings.broadcast_paid,
        budget=limiter if budget and isinstance(limiter, TelegramBudget) else None,
        retry_seconds=settings.broadcast_retry_seconds,
        poll_seconds=settings.broadcast_poll_seconds,
        progress_seconds=settings.broadcast_progress_seconds)
