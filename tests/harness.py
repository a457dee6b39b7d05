"""Drive the real application as people would, through the fake Bot API.

    async with BotHarness.started(settings, fake) as bot:
        person = bot.person(language_code="km")
        replies = await person.send("/start")
        replies = await person.press("English")
        assert "What would you like to do?" in replies[-1].text
"""
from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass

from bot import context as services
from bot.app import build_application
from bot.context import HotlineApplication
from bot.ratelimit import TelegramBudget
from bot.runner import running
from bot.settings import Settings
from storage.db import Database
from tests.fake_api import FakeBotAPI

_user_ids = itertools.count(200_001)


def fast_rate_limiter() -> TelegramBudget:
    """The real limiter with Telegram's numbers raised, so tests do not crawl."""
    return TelegramBudget(overall_per_second=10_000, group_per_minute=600_000, chat_burst=10_000)


@dataclass
class Reply:
    """One message the bot sent (or edited) in a chat."""

    raw: dict

    @property
    def text(self) -> str:
        return self.raw.get("text") or self.raw.get("caption") or ""

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback data) of every inline button, row by row."""
        rows = (self.raw.get("reply_markup") or {}).get("inline_keyboard") or []
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.buttons]

    def data_for(self, label: str) -> str:
        for text, data in self.buttons:
            if text == label:
                return data
        raise AssertionError(f"no button {label!r} in {self.labels}")

    def __repr__(self) -> str:
        return f"Reply({self.text[:60]!r}, buttons={self.labels})"


class BotHarness:
    def __init__(self, settings: Settings, fake: FakeBotAPI, db: Database,
                 app: HotlineApplication) -> None:
        self.settings, self.fake, self.db, self.app = settings, fake, db, app

    @classmethod
    @contextlib.asynccontextmanager
    async def started(cls, settings: Settings, fake: FakeBotAPI) -> AsyncIterator[BotHarness]:
        db = await Database.open(settings.database_path)
        try:
            app = build_application(settings, db, rate_limiter=fast_rate_limiter())
            async with running(app, polling=True):
                yield cls(settings, fake, db, app)
        finally:
            await db.close()

    @property
    def api(self):
        return self.fake.api

    def person(self, language_code: str | None = "km", user_id: int | None = None,
               first_name: str = "Sokha") -> Person:
        user = {"id": user_id or next(_user_ids), "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return Person(self, user)

    def staff(self, username: str | None = None, user_id: int | None = None,
              first_name: str = "Dara", chat_id: int | None = None) -> StaffMember:
        """Someone writing in the staff group (settings.staff_chat_id unless chat_id)."""
        user = {"id": user_id or next(_user_ids), "first_name": first_name}
        if username:
            user["username"] = username
        chat = chat_id if chat_id is not None else self.settings.staff_chat_id
        assert chat is not None, "these settings have no staff group"
        return StaffMember(self, user, chat)

    async def settle(self) -> None:
        """Until the outbox sender has sent (or given up) everything due now."""
        await self.app.bot_data[services.SENDER].idle()

    async def deliver(self, update: dict, *, settle: bool = True) -> None:
        """Hand an update to the bot and wait until it has been fully processed, with the
        background work it started (unless `settle=False`)."""
        self.fake.queue(update)
        await self.fake.wait_fetched(update["update_id"])
        await self.app.update_queue.join()
        if settle:
            await self.settle()


class Person:
    """A Telegram user in a private chat with the bot."""

    def __init__(self, harness: BotHarness, user: dict) -> None:
        self.harness, self.user = harness, user

    @property
    def id(self) -> int:
        return self.user["id"]

    @property
    def chat(self) -> list[Reply]:
        """Everything the bot has sent to this person so far."""
        return [Reply(m) for m in self.harness.api.sent_to(self.id)]

    @property
    def last(self) -> Reply:
        return self.chat[-1]

    async def send(self, text: str | None = None, *, settle: bool = True,
                   **content) -> list[Reply]:
        """Send a message (text, or photo=True, voice=True, ...); returns the bot's replies.

        settle=False: do not wait for the background work it starts (staff-group posts)."""
        before = len(self.harness.api.sent_to(self.id))
        update = self.harness.api.user_sends(self.user, text, **content)
        await self.harness.deliver(update, settle=settle)
        return self.chat[before:]

    async def press(self, label: str, reply: Reply | None = None, *,
                    settle: bool = True) -> list[Reply]:
        """Press the button with this label on `reply` (default: the latest with buttons)."""
        reply = reply or self.latest_with_buttons()
        return await self.press_data(reply.data_for(label), reply, settle=settle)

    async def press_data(self, data: str, reply: Reply | None = None, *,
                         settle: bool = True) -> list[Reply]:
        """Press a button by its callback data (also forged data, for tests that try)."""
        reply = reply or self.latest_with_buttons()
        before = len(self.harness.api.sent_to(self.id))
        message = self.harness.api.messages.get((self.id, reply.raw["message_id"]), reply.raw)
        update = self.harness.api.user_presses(self.user, message, data)
        await self.harness.deliver(update, settle=settle)
        return self.chat[before:]

    def latest_with_buttons(self) -> Reply:
        for reply in reversed(self.chat):
            if reply.buttons:
                return reply
        raise AssertionError("the bot has sent no buttons to this person")


class StaffMember:
    """A Telegram user in the staff group: writes in case threads and presses card buttons."""

    def __init__(self, harness: BotHarness, user: dict, chat_id: int) -> None:
        self.harness, self.user, self.chat_id = harness, user, chat_id

    @property
    def id(self) -> int:
        return self.user["id"]

    @property
    def group(self) -> list[Reply]:
        """Everything the bot has posted (or edited) in the staff group so far."""
        return [Reply(m) for m in self.harness.api.sent_to(self.chat_id)]

    def in_thread(self, thread_id: int) -> list[Reply]:
        return [r for r in self.group if r.raw.get("message_thread_id") == thread_id]

    async def send(self, text: str | None = None, *, thread_id: int | None = None,
                   reply_to: int | None = None, **content) -> list[Reply]:
        """Write in the group (in a topic, or as a reply); returns what the bot posted there.

        The sent message itself is in self.last_sent (for its reactions and replies)."""
        before = len(self.harness.api.sent_to(self.chat_id))
        update = self.harness.api.user_sends(self.user, text, chat_id=self.chat_id,
                                             message_thread_id=thread_id, reply_to=reply_to,
                                             **content)
        self.last_sent = update["message"]
        await self.harness.deliver(update)
        return self.group[before:]

    async def press(self, label: str, reply: Reply) -> list[Reply]:
        return await self.press_data(reply.data_for(label), reply)

    async def press_data(self, data: str, reply: Reply) -> list[Reply]:
        """Press a button (by its callback data) on a message in the group."""
        before = len(self.harness.api.sent_to(self.chat_id))
        message = self.harness.api.messages.get((self.chat_id, reply.raw["message_id"]), reply.raw)
        update = self.harness.api.user_presses(self.user, message, data)
        await self.harness.deliver(update)
        return self.group[before:]

    def reactions(self, message_id: int | None = None) -> list[dict]:
        """Reactions the bot set on a message of this staff member (default: the last sent)."""
        key = (self.chat_id, message_id or self.last_sent["message_id"])
        return self.harness.api.reactions.get(key, [])
