"""The outbox sender: the one way the bot sends what nobody is waiting for right now.

Case cards and files, relays in both directions, notices to returnees and posts in the
staff group are outbox rows (storage/outbox.py), written with the change that causes
them. This job sends them: each chat's rows in order, a few chats at once, relays and
notices before staff-group posts, all within the token's budget (bot/ratelimit.py).
Every answer is classified once (bot/jobs/outcomes.py) and recorded on the row:
sent (with Telegram's message id), retried, or failed with the reason, after which the
kind's `failed` step tells whoever must know (the returnee, or staff in the thread).
A crash between a send and its record is the one case where a message can go twice;
nothing queued is ever lost.
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.context import DATABASE, SENDER, STAFF_CHAT, HotlineApplication, HotlineContext
from bot.jobs.outcomes import (
    FIRST_BACKOFF,
    MAX_ATTEMPTS,
    MAX_BACKOFF,
    Verdict,
    backoff,
    classify,
)
from storage import outbox, subscribers
from storage.db import Database
from storage.outbox import Row

log = logging.getLogger(__name__)

IN_FLIGHT = 8  # chats served at once (each chat one row at a time)
IDLE_SECONDS = 1.0  # look again this often when nothing is due


@dataclass(frozen=True)
class Kind:
    """How one kind of row is sent, and what follows.

    send(context, row) -> (chat id, message id) does the Bot API call(s);
    sent(context, row, chat_id, message_id) runs once it is recorded as sent;
    failed(context, row, verdict) once it is given up;
    thread_gone(context, row) forgets the case's thread so the next try makes it again;
    backoff: (first, longest) seconds between tries after transient errors (the formula is
    bot/jobs/outcomes.py's; a follow-up can wait longer than a relay)."""

    send: Callable[[HotlineContext, Row], Awaitable[tuple[int, int | None]]]
    sent: Callable[[HotlineContext, Row, int, int | None], Awaitable[None]] | None = None
    failed: Callable[[HotlineContext, Row, Verdict], Awaitable[None]] | None = None
    thread_gone: Callable[[HotlineContext, Row], Awaitable[None]] | None = None
    backoff: tuple[float, float] = (FIRST_BACKOFF, MAX_BACKOFF)


class Skip(Exception):
    """Raised by a kind's send when the row must not go any more (a follow-up the case has
    moved past): the row is dropped, nothing was sent."""


class Sender:
    def __init__(self, app: HotlineApplication, kinds: dict[str, Kind]) -> None:
        self.app, self.kinds = app, kinds
        self._wake = asyncio.Event()
        self._busy: dict[int, asyncio.Task] = {}  # chat -> its row being sent
        self._loop_task: asyncio.Task | None = None
        self.sent = self.failed = 0  # since start (metrics)

    @property
    def db(self) -> Database:
        return self.app.bot_data[DATABASE]

    def wake(self) -> None:
        """Rows were queued: look now."""
        self._wake.set()

    def start(self) -> None:
        self._loop_task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Let the rows in flight finish (and be recorded), then stop."""
        if self._loop_task is not None:
            self._loop_task.cancel()
            await asyncio.gather(self._loop_task, return_exceptions=True)
            self._loop_task = None
        if self._busy:
            await asyncio.gather(*self._busy.values(), return_exceptions=True)

    async def idle(self) -> None:
        """Until nothing is due and nothing is in flight (tests)."""
        while True:
            if self._busy:
                await asyncio.gather(*self._busy.values(), return_exceptions=True)
                continue
            if not await outbox.due(self.db, time.time(), set(), 1):
                return
            self.wake()
            await asyncio.sleep(0.01)

    async def _run(self) -> None:
        while True:
            try:
                self._wake.clear()
                room = IN_FLIGHT - len(self._busy)
                rows = await outbox.due(self.db, time.time(), set(self._busy), room) if room else []
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
            wait = max(0.0, min(wait, next_due - time.time()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), wait)

    async def _deliver(self, row: Row) -> None:
        context = HotlineContext(self.app)
        kind = self.kinds[row.kind]
        try:
            chat_id, message_id = await kind.send(context, row)
        except asyncio.CancelledError:
            raise
        except Skip:
            await outbox.drop(self.db, row.id)
            return
        except Exception as exc:
            verdict = classify(exc)
            if verdict.kind != "done":
                await self._handle(context, row, kind, verdict)
                return
            chat_id, message_id = row.chat_id, None  # an edit that changed nothing: done
        await outbox.mark_sent(self.db, row.id, chat_id, message_id)
        self.sent += 1
        if kind.sent is not None:
            await _quietly(kind.sent(context, row, chat_id, message_id), row)

    async def _handle(self, context: HotlineContext, row: Row, kind: Kind,
                      verdict: Verdict) -> None:
        db, now = self.db, time.time()
        if verdict.kind == "wait":
            await outbox.mark_retry(db, row.id, now + verdict.seconds, verdict.reason,
                                    counts=False)
            return
        if verdict.kind == "moved" and verdict.new_chat_id is not None:
            await staff_group_moved(context, verdict.new_chat_id)
            await outbox.mark_retry(db, row.id, now, verdict.reason, counts=False)
            return
        if verdict.kind == "thread_gone" and kind.thread_gone is not None \
                and row.attempts + 1 < MAX_ATTEMPTS:
            await kind.thread_gone(context, row)
            await outbox.mark_retry(db, row.id, now, verdict.reason)
            return
        if verdict.kind == "retry" and row.attempts + 1 < MAX_ATTEMPTS:
            delay = backoff(row.attempts + 1, *kind.backoff)
            await outbox.mark_retry(db, row.id, now + delay, verdict.reason)
            log.info("outbox %s (%s): %s; tried again later", row.id, row.kind,
                     verdict.reason.split(":")[0])
            return
        await outbox.mark_failed(db, row.id, verdict.reason)
        self.failed += 1
        log.warning("outbox %s (%s) failed: %s", row.id, row.kind, verdict.reason.split(":")[0])
        if verdict.kind == "unreachable" and row.chat_id != outbox.STAFF_GROUP:
            await subscribers.mark_unreachable(db, row.chat_id)
        if kind.failed is not None:
            await _quietly(kind.failed(context, row, verdict), row)


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


def wake(context: HotlineContext) -> None:
    """Rows were queued: the sender looks now (no sender, as in some tools: nothing)."""
    sender = context.bot_data.get(SENDER)
    if sender is not None:
        sender.wake()


async def _quietly(step: Awaitable[None], row: Row) -> None:
    try:
        await step
    except Exception as exc:  # a follow-up step (a ✓, a warning) must not undo the record
        log.warning("outbox %s (%s): the step after it failed: %s", row.id, row.kind,
                    type(exc).__name__)
