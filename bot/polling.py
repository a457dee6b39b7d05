"""Long polling through the durable inbox.

PTB's Updater confirms updates to Telegram (the next getUpdates offset) before they are
handled; this loop moves the offset only after the batch is a row in the inbox. The
offset lives in memory only: Telegram may restart its numbering after a quiet week, and
redelivered updates are recognised by the inbox anyway.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Update
from telegram.error import (
    Conflict,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from bot.context import HotlineApplication
from bot.inbox import Inbox
from bot.ratelimit import retry_after_seconds

log = logging.getLogger(__name__)

POLL_TIMEOUT = 10  # seconds Telegram holds an empty getUpdates open
MAX_BACKOFF = 30.0


class UpdatesRequest(HTTPXRequest):
    """The getUpdates connection. It keeps the latest batch as Telegram sent it, which the
    inbox stores (serialising PTB's parsed objects back would cost more than handling a
    message)."""

    def __init__(self) -> None:
        super().__init__(connection_pool_size=1)  # as PTB's own getUpdates connection
        self.last_batch: list[dict[str, Any]] = []

    # PTB declares it static but calls it on the instance (self.parse_json_payload), which lets
    # this one keep the batch.
    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:  # type: ignore[override]
        data = super().parse_json_payload(payload)
        result = data.get("result")
        self.last_batch = result if isinstance(result, list) else []
        return data


async def _leave_webhook_mode(app: HotlineApplication) -> None:
    """getUpdates fails (409) while a webhook is set, e.g. after running with WEBHOOK_URL.
    Pending updates stay with Telegram and come through getUpdates."""
    try:
        await app.bot.delete_webhook(drop_pending_updates=False)
    except InvalidToken:
        raise
    except TelegramError as exc:
        log.warning("could not remove a webhook (%s); polling anyway", type(exc).__name__)


async def poll(app: HotlineApplication, inbox: Inbox, request: UpdatesRequest) -> None:
    """Fetch, store, queue, confirm; forever (cancel the task to stop)."""
    offset: int | None = None
    backoff = 1.0
    await _leave_webhook_mode(app)
    while True:
        try:
            updates = await app.bot.get_updates(offset=offset, timeout=POLL_TIMEOUT,
                                                allowed_updates=Update.ALL_TYPES)
        except TimedOut:
            continue
        except RetryAfter as exc:
            await asyncio.sleep(retry_after_seconds(exc))
            continue
        except InvalidToken:  # the token was revoked
            raise
        except (Conflict, NetworkError, TelegramError) as exc:
            log.warning("polling Telegram failed (%s); again in %.0f s", type(exc).__name__,
                        backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
            continue
        backoff = 1.0
        if not updates:
            continue
        try:
            await inbox.receive(app, request.last_batch, updates)
        except Exception:  # not stored: not confirmed either, so Telegram sends them again
            log.exception("could not store %d update(s); fetching them again", len(updates))
            await asyncio.sleep(1)
            continue
        offset = updates[-1].update_id + 1
