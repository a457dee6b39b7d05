"""The durable inbox: every update is a row before Telegram is told it arrived.

python-telegram-bot confirms a batch of updates to Telegram at the next getUpdates,
before handling them, so a crash would lose everything fetched but not yet handled.
Here an update is first stored (`receive`, called by the polling loop before it asks
for the next offset, or by the webhook before its 200), then queued; the processor
marks it done when its handlers finished (`done`). At start-up the unfinished rows are
queued again, oldest first (`replay`). An update_id that is already a row is Telegram
sending it again: it is skipped, so nothing is handled twice.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from datetime import timedelta

from telegram import Update

from bot.context import HotlineApplication, HotlineContext
from bot.settings import Settings
from storage import inbox as rows
from storage.clock import utcnow
from storage.db import Database

log = logging.getLogger(__name__)

KEEP_DONE = timedelta(days=1)  # long enough to recognise any redelivery
PRUNE_EVERY_SECONDS = 3600
MAX_REPLAYS = 3


class Inbox:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._done: list[int] = []
        self._flushed: asyncio.Future[None] | None = None
        self.last_received: float | None = None  # loop time of the latest new update

    async def receive(self, app: HotlineApplication, updates: Sequence[dict],
                      parsed: Sequence[Update] | None = None) -> int:
        """Store the updates (JSON objects as Telegram sent them; `parsed`: the same as
        PTB objects, if at hand), then queue the new ones; returns how many were new."""
        fresh = await rows.accept(self.db, [(u["update_id"], json.dumps(u, ensure_ascii=False))
                                            for u in updates])
        for i, raw in enumerate(updates):
            if raw["update_id"] in fresh:
                update = parsed[i] if parsed is not None else Update.de_json(raw, app.bot)
                await app.update_queue.put(update)
        skipped = len(updates) - len(fresh)
        if skipped:
            log.info("%d update(s) received again were skipped", skipped)
        if fresh:
            self.last_received = asyncio.get_running_loop().time()
        return len(fresh)

    async def replay(self, app: HotlineApplication) -> int:
        """Queue the updates that were stored but never finished (a crash); how many."""
        unfinished, given_up = await rows.take_unfinished(self.db, MAX_REPLAYS)
        if given_up:
            log.error("%d update(s) failed %d start-ups in a row and were given up",
                      given_up, MAX_REPLAYS)
        for _update_id, payload in unfinished:
            await app.update_queue.put(Update.de_json(json.loads(payload), app.bot))
        if unfinished:
            log.info("%d update(s) from before the restart are handled first", len(unfinished))
        return len(unfinished)

    async def done(self, update: object) -> None:
        """Mark an update handled. Updates finishing together share one commit."""
        if not isinstance(update, Update):
            return
        self._done.append(update.update_id)
        if self._flushed is None:
            self._flushed = asyncio.get_running_loop().create_future()
            asyncio.get_running_loop().create_task(self._flush(self._flushed))
        await asyncio.shield(self._flushed)

    async def _flush(self, flushed: asyncio.Future[None]) -> None:
        await asyncio.sleep(0)  # let the others finishing now join this commit
        ids, self._done, self._flushed = self._done, [], None
        try:
            await rows.mark_done(self.db, ids)
        except Exception as exc:  # they are handled again after a restart: say so, go on
            log.error("could not mark %d update(s) done: %s", len(ids), type(exc).__name__)
        flushed.set_result(None)


async def prune(context: HotlineContext) -> None:
    """The JobQueue callback: forget handled updates older than KEEP_DONE."""
    try:
        await rows.prune(context.db, utcnow() - KEEP_DONE)
    except Exception:
        log.exception("pruning the inbox failed; the next hour retries")


def install(app: HotlineApplication, settings: Settings) -> None:
    """The daily prune of handled updates (a job, installed with the others: bot/jobs/)."""
    if app.job_queue is not None:
        app.job_queue.run_repeating(prune, interval=PRUNE_EVERY_SECONDS,
                                    first=PRUNE_EVERY_SECONDS, name="inbox-prune")
