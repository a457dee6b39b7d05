"""What Telegram's answer to a send means, for everything the bot sends on its own.

One classification (courier's, RapidPro's gateway) for every row the outbox sender sends,
safety alerts included:
- wait: 429 RetryAfter: nothing is sent for exactly that long, then the same message;
- retry: network errors, timeouts, 5xx: again after a capped exponential backoff,
  given up after MAX_ATTEMPTS;
- unreachable: 403 (blocked the bot, deactivated): stop; the person is marked;
- thread_gone: 400 "message thread not found" (staff deleted the case's topic): make
  the thread again and send there;
- moved: ChatMigrated (the group became a supergroup with a new id): send there;
- done: 400 "message is not modified" (an edit that shows what is already there): success;
- failed: any other 400 and the rest: this message cannot be sent; go on with the next.
"""
from __future__ import annotations

from dataclasses import dataclass

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.ratelimit import retry_after_seconds

MAX_ATTEMPTS = 8
FIRST_BACKOFF = 2.0  # seconds; then 4, 8 ... up to MAX_BACKOFF
MAX_BACKOFF = 600.0
_NOT_MODIFIED = "message is not modified"
_THREAD_GONE = ("message thread not found", "thread not found", "topic_deleted",
                "topic deleted", "topic_closed")


@dataclass(frozen=True)
class Verdict:
    kind: str  # wait, retry, unreachable, thread_gone, moved, done, failed
    reason: str
    seconds: float = 0.0  # wait: how long
    new_chat_id: int | None = None  # moved: where to


def classify(exc: BaseException) -> Verdict:
    name, said = type(exc).__name__, str(exc)
    reason = said if said.startswith(name) else f"{name}: {said}"  # "Forbidden: bot was ..."
    if isinstance(exc, RetryAfter):
        seconds = retry_after_seconds(exc)
        return Verdict("wait", f"429: retry after {seconds:g} s", seconds=seconds)
    if isinstance(exc, ChatMigrated):
        return Verdict("moved", reason, new_chat_id=exc.new_chat_id)
    if isinstance(exc, Forbidden):
        return Verdict("unreachable", reason)
    if isinstance(exc, BadRequest):  # a NetworkError subclass in PTB: test it first
        text = str(exc).lower()
        if _NOT_MODIFIED in text:
            return Verdict("done", reason)
        if any(marker in text for marker in _THREAD_GONE):
            return Verdict("thread_gone", reason)
        return Verdict("failed", reason)
    if isinstance(exc, (NetworkError, InvalidToken)):  # timeouts, 5xx, connection errors
        return Verdict("retry", reason)
    if isinstance(exc, TelegramError):
        return Verdict("failed", reason)
    return Verdict("retry", reason)  # not Telegram's answer: as a network problem


def backoff(attempts: int, first: float = FIRST_BACKOFF, most: float = MAX_BACKOFF) -> float:
    """Seconds before try number `attempts + 1` after a transient error."""
    return min(most, first * 2 ** max(0, attempts - 1))
