"""Running the application: long polling for Telegram, with a clean stop on signals."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from bot import context as services
from bot import web
from bot.app import build_application, prepare, warm_up
from bot.context import HotlineApplication
from bot.inbox import Inbox
from bot.jobs.sender import load_staff_chat
from bot.polling import poll
from bot.settings import Settings
from storage import backup
from storage.db import Database

if TYPE_CHECKING:
    from storage.standby import Leadership

log = logging.getLogger(__name__)


class LeadershipLost(RuntimeError):
    """The session that held the active instance's lock broke: this process stopped."""


@contextlib.asynccontextmanager
async def running(app: HotlineApplication, *, polling: bool,
                  stop: asyncio.Event | None = None) -> AsyncIterator[HotlineApplication]:
    """initialize, prepare, start, handle what a crash left, (poll) ... then stop in reverse
    order: polling first, then the handlers finish what was queued, then persistence.

    If polling fails for good (a revoked token), `stop` is set and leaving re-raises it."""
    async with app:
        await load_staff_chat(app)
        await warm_up(app)
        await prepare(app)
        await app.start()
        sender = app.bot_data[services.SENDER]
        sender.start()
        updates_inbox: Inbox = app.bot_data[services.INBOX]
        await updates_inbox.replay(app)
        poller = (asyncio.create_task(poll(app, updates_inbox,
                                           app.bot_data[services.UPDATES_REQUEST]))
                  if polling else None)
        if poller is not None and stop is not None:
            poller.add_done_callback(lambda _task: stop.set())
        try:
            yield app
        finally:
            if poller is not None:
                poller.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await poller
            await app.stop()
            await sender.stop()  # what is in flight is recorded; the rest waits in the outbox


async def serve(settings: Settings) -> None:
    """`python -m bot run`: poll Telegram (or, with WEBHOOK_URL, take its webhook calls)
    until SIGTERM or SIGINT. The listener stops first, so nothing arrives while the
    handlers finish. On PostgreSQL it first waits as a standby while another instance is
    active on the database (storage/standby.py)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    with backup.in_use(settings.database):  # `restore` refuses meanwhile
        db = await Database.open(settings.database)
        leadership: Leadership | None = None
        watch: asyncio.Task[None] | None = None
        try:
            if db.is_postgresql:  # one active instance per database; any other waits
                from storage.standby import Leadership

                leadership = await Leadership.connect(settings.database)
                if not await leadership.acquire(stop):
                    log.info("stopping (standby)")
                    return
                watch = asyncio.create_task(leadership.lost())
                watch.add_done_callback(lambda _task: stop.set())
            app = build_application(settings, db)
            async with running(app, polling=settings.webhook_url is None, stop=stop), \
                    web.serving(app, settings):
                log.info("the bot is running (%s); stop it with Ctrl+C or SIGTERM",
                         "webhook" if settings.webhook_url else "long polling")
                await stop.wait()
                log.info("stopping")
        finally:
            lost = watch is not None and watch.done() and not watch.cancelled()
            if watch is not None:
                watch.cancel()
            await db.close()
            if leadership is not None:
                await leadership.close()  # the lock goes with the session: a standby takes over
            if lost:
                raise LeadershipLost()
