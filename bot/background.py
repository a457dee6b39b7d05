"""Work a handler starts but does not wait for (posting a new case to the staff group).

The person's answer must not wait for Telegram's 20-messages-a-minute limit of the staff
group. Such work runs as a task of the Application (PTB waits for it at stop); what it
fails to do is left to the repeating sweep that finds it undone in the database.
"""
from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from bot import context as services
from bot.context import HotlineApplication, HotlineContext


def start(context: HotlineContext, work: Coroutine[Any, Any, Any], name: str) -> None:
    tasks: set[asyncio.Task] = context.bot_data[services.BACKGROUND]
    task = context.application.create_task(work, name=name)
    tasks.add(task)
    task.add_done_callback(tasks.discard)


async def settle(app: HotlineApplication) -> None:
    """Until no background work is left (tests, and a clean stop)."""
    tasks: set[asyncio.Task] = app.bot_data[services.BACKGROUND]
    while tasks:
        await asyncio.gather(*tasks, return_exceptions=True)
