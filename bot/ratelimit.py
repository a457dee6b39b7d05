"""The bot token's sending budget, as Telegram sets it.

Telegram allows a bot about 30 messages a second overall, 20 a minute in one group, and
about one a second in one private chat with short bursts; past that it answers 429
(RetryAfter). PTB's AIORateLimiter knows the first two but not the third, and it counts
the overall limit as a leaky bucket that lets twice the rate through after a quiet
moment. Here each limit is a sliding window, so the bot never sends more than Telegram
takes: a person who sends 50 photos slows their own chat, not everybody's. A 429 that
still comes (Telegram's limits move) stops every request for exactly retry_after
seconds, as Telegram asks, and the request is tried again.
"""
from __future__ import annotations

import asyncio
import collections
import logging
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

# Telegram counts about 30 a second where calls arrive; the network bunches calls that
# left evenly, so the bot keeps two a second in hand rather than meet 429s (which stop
# every send for a second).
OVERALL_PER_SECOND = 28
GROUP_PER_MINUTE = 20
CHAT_BURST = 3  # in CHAT_BURST seconds: a short burst, about one a second after it
MAX_RETRIES = 3


class SlidingWindow:
    """At most `limit` starts in any `seconds`; `acquire` waits for a free place."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit, self.seconds = limit, seconds
        self._starts: collections.deque[float] = collections.deque()

    def idle(self, now: float) -> bool:
        return not self._starts or now - self._starts[-1] >= self.seconds

    def wait_time(self, now: float) -> float:
        """0 if a start fits now, else the seconds until one does."""
        while self._starts and now - self._starts[0] >= self.seconds:
            self._starts.popleft()
        return 0.0 if len(self._starts) < self.limit else self._starts[0] + self.seconds - now

    def take(self, now: float) -> bool:
        """Count a start now, if it fits."""
        if self.wait_time(now):
            return False
        self._starts.append(now)
        return True

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        while not self.take(loop.time()):
            await asyncio.sleep(self.wait_time(loop.time()))

    async def room(self) -> None:
        """Until a start would fit (without counting it)."""
        loop = asyncio.get_running_loop()
        while wait := self.wait_time(loop.time()):
            await asyncio.sleep(wait)


class TelegramBudget(BaseRateLimiter[int]):
    """The sending budget of one bot token (install with ApplicationBuilder.rate_limiter)."""

    def __init__(self, overall_per_second: float = OVERALL_PER_SECOND,
                 group_per_minute: float = GROUP_PER_MINUTE, chat_burst: int = CHAT_BURST,
                 max_retries: int = MAX_RETRIES) -> None:
        self.overall = SlidingWindow(int(overall_per_second), 1.0)
        # ... and at most two in any 1/14 s: calls that leave in a bunch arrive spread by
        # the network's jitter, and a bunch across the edge of Telegram's second makes 429s.
        self.bunch = SlidingWindow(2, 2.0 / max(1.0, overall_per_second))
        self._group_limit, self._chat_burst = int(group_per_minute), chat_burst
        self._chats: dict[int, SlidingWindow] = {}
        self.max_retries = max_retries
        self._open = asyncio.Event()
        self._open.set()
        self.retry_afters = 0  # how many 429s Telegram sent (for metrics and benchmarks)
        self._waiting = 0  # calls waiting for an overall place (alerts let them go first)
        # on_request(None or the error) after each call to a chat: bot/metrics.py counts it
        self.on_request: Callable[[BaseException | None], None] | None = None

    @property
    def paused(self) -> bool:
        """Whether every send waits out a 429 now (for /healthz)."""
        return not self._open.is_set()

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def _window_of(self, chat_id: int) -> SlidingWindow:
        window = self._chats.get(chat_id)
        if window is None:
            if len(self._chats) > 10_000:  # forget chats that are quiet again
                now = asyncio.get_running_loop().time()
                self._chats = {c: w for c, w in self._chats.items() if not w.idle(now)}
            window = (SlidingWindow(self._group_limit, 60.0) if chat_id < 0
                      else SlidingWindow(self._chat_burst, float(self._chat_burst)))
            self._chats[chat_id] = window
        return window

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = _chat_of(data)
        retries = self.max_retries if rate_limit_args is None else rate_limit_args
        for attempt in range(retries + 1):
            await self._open.wait()
            if chat_id is not None:  # calls to no chat (answerCallbackQuery, getMe) are free
                await self._slots(self._window_of(chat_id))
            try:
                result = await callback(*args, **kwargs)
            except Exception as exc:
                if chat_id is not None and self.on_request is not None:
                    self.on_request(exc)
                if not isinstance(exc, RetryAfter):
                    raise
                self.retry_afters += 1
                if attempt == retries:
                    raise
                await self._pause(retry_after_seconds(exc))
            else:
                if chat_id is not None and self.on_request is not None:
                    self.on_request(None)
                return result
        raise AssertionError("unreachable")

    async def _slots(self, chat: SlidingWindow) -> None:
        """A place in the chat's window and in the overall one, both counted at the moment
        the call leaves (a chat's place taken early, then held up by the overall limit,
        would let its next calls bunch up at Telegram)."""
        loop = asyncio.get_running_loop()
        while True:
            await self._open.wait()
            await chat.room()
            self._waiting += 1
            try:
                await self.bunch.acquire()
                await self.overall.acquire()
            finally:
                self._waiting -= 1
            if not self._open.is_set():
                continue  # a 429 came meanwhile: a place counted before the pause is stale
            if chat.take(loop.time()):
                return
            # Another call to this chat took the place meanwhile: this overall place is
            # spent (rare: one person's calls mostly come one at a time).

    async def alert_slot(self, chat_id: int) -> None:
        """A place for one safety alert: only what answers and relays leave (an alert never
        goes while another call waits for a place), within the person's chat window too.
        The sender's alert lane calls this before each send (its own Bot has no rate
        limiter)."""
        loop = asyncio.get_running_loop()
        chat = self._window_of(chat_id)
        while True:
            await self._open.wait()
            now = loop.time()
            if not self._waiting and not chat.wait_time(now) and not self.bunch.wait_time(now) \
                    and self.overall.take(now):
                self.bunch.take(now)
                chat.take(now)
                return
            await asyncio.sleep(max(self.overall.wait_time(now), self.bunch.wait_time(now),
                                    chat.wait_time(now), 0.005))

    async def _pause(self, seconds: float) -> None:
        """Nobody sends for `seconds` (the first 429 closes, the last waiter reopens)."""
        log.info("Telegram asked to wait %.1f s (429)", seconds)
        self._open.clear()
        try:
            await asyncio.sleep(seconds)
        finally:
            self._open.set()


def _chat_of(data: dict[str, Any]) -> int | None:
    chat_id = data.get("chat_id")
    if chat_id is None:
        return None
    try:
        return int(chat_id)
    except (TypeError, ValueError):  # @channelname: counted as a group
        return -1


def retry_after_seconds(exc: RetryAfter) -> float:
    """RetryAfter's wait in seconds (int or timedelta, depending on PTB_TIMEDELTA)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
