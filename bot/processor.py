"""The update processor: each person's updates in order, different people in parallel.

ConversationHandler and user_data need one person's updates handled one by one;
nothing needs everyone to wait for everyone. So updates are keyed by who they belong
to (a group chat as a whole, so the staff group keeps its order; otherwise the person)
and each key runs its updates strictly one after another, oldest first, while up to
`max_in_flight` updates of different keys run at once (python-telegram-bot's
BaseUpdateProcessor, made for this: PTB issue #3509).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 256
# PTB takes its own slot before ours; updates waiting behind their own person's earlier
# update would hold those slots, so PTB's gate is wide and ours (taken after the
# person's turn) is the real bound.
_PTB_GATE = 1_000_000

OrderKey = tuple[str, int]


def order_key(update: object) -> OrderKey | None:
    """Whose turn an update waits for: a group chat, else the person, else its chat."""
    if not isinstance(update, Update):
        return None
    chat, user = update.effective_chat, update.effective_user
    if chat is not None and chat.type != ChatType.PRIVATE:
        return ("chat", chat.id)
    if user is not None:
        return ("user", user.id)
    if chat is not None:
        return ("chat", chat.id)
    return None


class _Turns:
    """A lock per key, dropped when nobody waits for it (memory stays flat)."""

    def __init__(self) -> None:
        self._locks: dict[OrderKey, tuple[asyncio.Lock, list[int]]] = {}

    def __len__(self) -> int:
        return len(self._locks)

    async def run(self, key: OrderKey, work: Callable[[], Awaitable[None]]) -> None:
        lock, users = self._locks.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:  # asyncio.Lock wakes its waiters first come, first served
                await work()
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[key]


class PerPersonProcessor(BaseUpdateProcessor):
    """Runs updates of different people concurrently, each person's in arrival order.

    `on_done(update)` runs after the handlers of an update finished, before the same
    person's next update starts (the inbox marks the update handled there)."""

    def __init__(self, max_in_flight: int = MAX_IN_FLIGHT,
                 on_done: Callable[[object], Awaitable[None]] | None = None) -> None:
        super().__init__(max_concurrent_updates=_PTB_GATE)
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._turns = _Turns()
        self.on_done = on_done
        # on_finished(update, seconds from its arrival here): bot/metrics.py's latency
        self.on_finished: Callable[[object, float], None] | None = None

    @property
    def waiting_people(self) -> int:
        """How many people have an update running or waiting (for metrics and tests)."""
        return len(self._turns)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        arrived = asyncio.get_running_loop().time()

        async def work() -> None:
            async with self._in_flight:
                try:
                    await coroutine
                except Exception:  # PTB's error handlers saw what they could; count it as handled
                    log.exception("an update failed outside its handlers")
            if self.on_finished is not None:
                self.on_finished(update, asyncio.get_running_loop().time() - arrived)
            if self.on_done is not None:
                await self.on_done(update)

        key = order_key(update)
        if key is None:
            await work()
        else:
            await self._turns.run(key, work)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
