"""Running the application: long polling for Telegram, with a clean stop on signals."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator

from telegram import Update

from bot.app import build_application, prepare
from bot.context import HotlineApplication
from bot.settings import Settings
from storage.db import Database

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def running(app: HotlineApplication, *, polling: bool) -> AsyncIterator[HotlineApplication]:
    """initialize, prepare, (poll,) start ... then stop in reverse order, flushing persistence."""
    async with app:
        await prepare(app)
        if polling:
            # Pending updates are people's messages: never dropped.
            await app.updater.start_polling(
                allowed_updates=Update.ALL_TYPES, drop_pending_updates=False
            )
        await app.start()
        try:
            yield app
        finally:
            if polling and app.updater.running:
                await app.updater.stop()
            await app.stop()


async def serve(settings: Settings) -> None:
    """`python -m bot run`: poll Telegram until SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    db = await Database.open(settings.database_path)
    try:
        app = build_application(settings, db)
        async with running(app, polling=True):
            log.info("the bot is running; stop it with Ctrl+C or SIGTERM")
            await stop.wait()
            log.info("stopping")
    finally:
        await db.close()
