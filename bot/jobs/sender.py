"""The outbox sender: the one way the bot sends what nobody is waiting for right now.

Case cards and files, relays in both directions, notices to returnees, posts in the
staff group, follow-ups and safety alerts are outbox rows (storage/outbox.py), written
with the change that causes them. This sender sends them in two lanes:
- each chat's rows in order, a few chats at once, relays and notices before staff-group
  posts before follow-ups;
- safety alerts (bot/jobs/alert_lane.py): paced at BROADCAST_RATE, many in flight, with
  what the other sends leave of the token's budget (or Telegram's paid lane).
Both go through `attempt`: the kind's send, one classification of Telegram's answer
(bot/jobs/outcomes.py) and one policy for what follows (wait, retry with backoff, make
the thread again, follow the moved group, give up with the reason, after which the
kind's `failed` step tells whoever must know). Answers are written by one group-commit
writer, many per transaction. A crash between a send and its record is the one case
where a message can go twice; nothing queued is ever lost.
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.context import DATABASE, SENDER, STAFF_CHAT, HotlineApplication, HotlineContext
from bot.jobs.outcomes import (
    FIRST_BACKOFF,
    MAX_ATTEMPTS,
    MAX_BACKOFF,
    Verdict,
    backoff,
    classify,
)
from storage import outbox
from storage.db import Database
from storage.outbox import Outcome, Row

if TYPE_CHECKING:
    from bot.jobs.alert_lane import AlertLane

log = logging.getLogger(__name__)

IN_FLIGHT = 8  # chats served at once (each chat one row at a time)
IDLE_SECONDS = 1.0  # look again this often when nothing is due


class Clock:
    """Wall time and sleeping; tests and the benchmark swap in a simulated clock."""

    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass(frozen=True)
class Kind:
    """How one kind of row is sent, and what follows.

    send(context, row) -> (chat id, message id) does the Bot API call(s);
    sent(context, row, chat_id, message_id) runs once it is recorded as sent;
    failed(context, row, verdict) once it is given up;
    thread_gone(context, row) forgets the case's thread so the next try makes it again;
    backoff: (first, longest) seconds between tries after transient errors (the formula is
    bot/jobs/outcomes.py's; a follow-up can wait longer than a relay), and attempts: how
    many tries before giving up."""

    send: Callable[[HotlineContext, Row], Awaitable[tuple[int, int | None]]]
    sent: Callable[[HotlineContext, Row, int, int | None], Awaitable[None]] | None = None
    failed: Callable[[HotlineContext, Row, Verdict], Awaitable[None]] | None = None
    thread_gone: Callable[[HotlineContext, Row], Awaitable[None]] | None = None
    backoff: tuple[float, float] = (FIRST_BACKOFF, MAX_BACKOFF)
    attempts: int = MAX_ATTEMPTS


class Skip(Exception):
    """Raised by a kind's send when the row must not go any more (a follow-up the case has
    moved past, a progress edit that would change nothing): dropped, nothing was sent."""


@dataclass(frozen=True)
class Attempt:
    """One try of a row: what to record, Telegram's verdict (None: sent), and the kind's
    step to run once it is recorded."""

    outcome: Outcome
    verdict: Verdict | None = None
    after: Callable[[], Awaitable[None]] | None = None


class Recorder:
    """Writes answers together: those that arrive while a write is under way go into the
    next transaction (group commit), and each waits until its own is written."""

    def __init__(self, db: Callable[[], Database]) -> None:
        self._db = db
        self._waiting: list[tuple[Outcome, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def write(self, outcome: Outcome) -> None:
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((outcome, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all())
        await done

    async def _write_all(self) -> None:
        while self._waiting:
            group, self._waiting = self._waiting, []
            try:
                await outbox.record(self._db(), [outcome for outcome, _ in group])
            except Exception as exc:
                for _, done in group:
                    done.set_exception(exc)
            else:
                for _, done in group:
                    done.set_result(None)


class Sender:
    def __init__(self, app: HotlineApplication, kinds: dict[str, Kind], *,
                 alerts: AlertLane | None = None, clock: Clock | None = None) -> None:
        self.app, self.clock = app, clock or Clock()
        self.alerts = alerts
        if alerts is not None:
            alerts.attach(self)
        self.kinds = {**kinds, **(alerts.kinds() if alerts is not None else {})}
        self.recorder = Recorder(lambda: self.db)
        self._wake = asyncio.Event()
        self._busy: dict[int, asyncio.Task] = {}  # chat -> its row being sent
        self._loop_task: asyncio.Task | None = None
        self._alert_task: asyncio.Task | None = None
        self._stopping = False
        self.sent = self.failed = 0  # since start, alerts apart (metrics; alerts: /broadcasts)

    @property
    def db(self) -> Database:
        return self.app.bot_data[DATABASE]

    def wake(self) -> None:
        """Rows were queued: look now."""
        self.wake_chats()
        if self.alerts is not None:
            self.alerts.wake()

    def wake_chats(self) -> None:
        """Rows for people's chats or the staff group were queued (not alerts): look now."""
        self._wake.set()

    def broadcast_stopped(self) -> None:
        """A broadcast was paused or cancelled: the alert lane stops taking its rows now."""
        if self.alerts is not None:
            self.alerts.status_changed()

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._stopping = False
        self._loop_task = loop.create_task(self._run())
        if self.alerts is not None:
            self._alert_task = loop.create_task(self.alerts.run(lambda: not self._stopping))

    async def stop(self) -> None:
        """Let the rows in flight finish (and be recorded), then stop."""
        self._stopping = True
        if self.alerts is not None:
            self.alerts.wake()
        if self._loop_task is not None:
            self._loop_task.cancel()
            await asyncio.gather(self._loop_task, return_exceptions=True)
            self._loop_task = None
        if self._busy:
            await asyncio.gather(*self._busy.values(), return_exceptions=True)
        if self._alert_task is not None:
            await asyncio.gather(self._alert_task, return_exceptions=True)
            self._alert_task = None

    async def idle(self) -> None:
        """Until nothing is due and nothing is in flight (tests)."""
        while True:
            if self._busy:
                await asyncio.gather(*self._busy.values(), return_exceptions=True)
                continue
            if not await outbox.due(self.db, self.clock.now(), set(), 1):
                return
            self.wake()
            await asyncio.sleep(0.01)

    # -- the chats' lanes: each chat's rows in order --------------------------------------
    async def _run(self) -> None:
        while True:
            try:
                self._wake.clear()
                room = IN_FLIGHT - len(self._busy)
                rows = (await outbox.due(self.db, self.clock.now(), set(self._busy), room)
                        if room else [])
                for row in rows:
                    task = asyncio.get_running_loop().create_task(self._deliver(row))
                    self._busy[row.chat_id] = task
                    task.add_done_callback(functools.partial(self._done, row.chat_id))
                if not rows:
                    await self._sleep()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database hiccuped: the rows are still there
                log.exception("outbox sender: unexpected error; trying again shortly")
                await asyncio.sleep(IDLE_SECONDS)

    def _done(self, chat_id: int, _task: asyncio.Task[None]) -> None:
        self._busy.pop(chat_id, None)
        self._wake.set()

    async def _sleep(self) -> None:
        wait = IDLE_SECONDS
        next_due = await outbox.next_due_at(self.db)
        if next_due is not None:
            wait = max(0.0, min(wait, next_due - self.clock.now()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), wait)

    async def _deliver(self, row: Row) -> None:
        attempt = await self.attempt(row)
        if attempt is not None:
            await self.finish(row, attempt)

    # -- one try of one row, for every lane ---------------------------------------------
    async def attempt(self, row: Row) -> Attempt | None:
        """Send the row once and decide what its answer means; None if the kind skipped it
        (then it is dropped: nothing was sent)."""
        context = HotlineContext(self.app)
        kind = self.kinds[row.kind]
        try:
            chat_id, message_id = await kind.send(context, row)
        except asyncio.CancelledError:
            raise
        except Skip:
            await outbox.drop(self.db, row.id)
            return None
        except Exception as exc:
            verdict = classify(exc)
            if verdict.kind != "done":
                return await self._refused(context, row, kind, verdict)
            chat_id, message_id = row.chat_id, None  # an edit that changed nothing: done
        after = None if kind.sent is None else functools.partial(
            kind.sent, context, row, chat_id, message_id)
        return Attempt(Outcome(row.id, "sent", chat_id, message_id), None, after)

    async def finish(self, row: Row, attempt: Attempt) -> None:
        """Record the try, then run the kind's step that follows it."""
        try:
            await self.recorder.write(attempt.outcome)
        except Exception:  # the row stays queued and goes again: the one case of a duplicate
            log.exception("outbox %s (%s): its answer could not be recorded", row.id, row.kind)
            return
        if row.broadcast_id is None:
            self.sent += attempt.outcome.status == "sent"
            self.failed += attempt.outcome.status == "failed"
        if attempt.after is not None:
            try:
                await attempt.after()
            except Exception as exc:  # a step after (a ✓, a warning) must not undo the record
                log.warning("outbox %s (%s): the step after it failed: %s", row.id, row.kind,
                            type(exc).__name__)

    async def _refused(self, context: HotlineContext, row: Row, kind: Kind,
                       verdict: Verdict) -> Attempt:
        now, tries = self.clock.now(), row.attempts + 1
        if verdict.kind == "wait":
            return Attempt(Outcome(row.id, "retry", at=now + verdict.seconds,
                                   reason=verdict.reason, counts=False), verdict)
        if verdict.kind == "moved" and verdict.new_chat_id is not None:
            await staff_group_moved(context, verdict.new_chat_id)
            return Attempt(Outcome(row.id, "retry", at=now, reason=verdict.reason,
                                   counts=False), verdict)
        if verdict.kind == "thread_gone" and kind.thread_gone is not None \
                and tries < kind.attempts:
            await kind.thread_gone(context, row)
            return Attempt(Outcome(row.id, "retry", at=now, reason=verdict.reason), verdict)
        reason = verdict.reason
        if verdict.kind == "retry":
            if tries < kind.attempts:
                log.info("outbox %s (%s): %s; tried again later", row.id, row.kind,
                         reason.split(":")[0])
                return Attempt(Outcome(row.id, "retry", at=now + backoff(tries, *kind.backoff),
                                       reason=reason), verdict)
            reason = f"gave up after {tries} attempts: {reason}"
        if row.broadcast_id is None:  # an alert's failure counts in its broadcast's figures
            log.warning("outbox %s (%s) failed: %s", row.id, row.kind, reason.split(":")[0])
        unreachable = verdict.kind == "unreachable" and row.chat_id != outbox.STAFF_GROUP
        after = None if kind.failed is None else functools.partial(
            kind.failed, context, row, verdict)
        return Attempt(Outcome(row.id, "failed", row.chat_id, reason=reason,
                               unreachable=unreachable), verdict, after)


async def staff_group_moved(context: HotlineContext, new_chat_id: int) -> None:
    """Telegram moved the staff group (it became a supergroup): from now on the bot posts and
    listens there; said once in the log, for the admin to update STAFF_CHAT_ID."""
    old = context.staff_chat_id
    if old == new_chat_id:
        return
    await outbox.set_staff_chat_id(context.db, new_chat_id, old or 0)
    context.bot_data[STAFF_CHAT] = new_chat_id
    log.warning("the staff group moved to a new id (it became a supergroup): the bot now "
                "posts there; set STAFF_CHAT_ID=%s", new_chat_id)


async def load_staff_chat(app: HotlineApplication) -> None:
    """At start-up: a move stored earlier wins over STAFF_CHAT_ID."""
    moved = await outbox.staff_chat_id(app.bot_data[DATABASE])
    if moved is not None:
        app.bot_data[STAFF_CHAT] = moved


def broadcast_stopped(context: HotlineContext) -> None:
    """A broadcast was paused or cancelled: its alerts stop going now."""
    sender = context.bot_data.get(SENDER)
    if sender is not None:
        sender.broadcast_stopped()


def wake(context: HotlineContext) -> None:
    """Rows were queued: the sender looks now (no sender, as in some tools: nothing)."""
    sender = context.bot_data.get(SENDER)
    if sender is not None:
        sender.wake()
