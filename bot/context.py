"""The callback context every handler receives, with the hotline's services on it."""
from __future__ import annotations

from typing import TYPE_CHECKING

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.content.directory import Directory
from bot.content.services import Content
from bot.settings import Settings
from storage.db import Database

if TYPE_CHECKING:
    from flows.registry import MenuEntry

from bot.state import (  # noqa: F401  (the service keys, re-exported for the wiring)
    CONTENT,
    DATABASE,
    DIRECTORY,
    INBOX,
    MENU,
    SENDER,
    SETTINGS,
    STAFF_CHAT,
    UPDATES_REQUEST,
    BotData,
    UserData,
)


class HotlineContext(CallbackContext[ExtBot, UserData, dict, BotData]):
    @property
    def person_state(self) -> UserData:
        """This person's user_data (PTB types it Optional; every handler here has a person)."""
        data = self.user_data
        if data is None:
            raise RuntimeError("an update without a user reached a handler that needs one")
        return data

    @property
    def settings(self) -> Settings:
        return self.bot_data[SETTINGS]

    @property
    def staff_chat_id(self) -> int | None:
        """Where the staff group is now: where Telegram moved it, else STAFF_CHAT_ID."""
        return self.bot_data.get(STAFF_CHAT) or self.settings.staff_chat_id

    @property
    def db(self) -> Database:
        return self.bot_data[DATABASE]

    @property
    def directory(self) -> Directory:
        return self.bot_data[DIRECTORY]

    @property
    def content(self) -> Content:
        return self.bot_data[CONTENT]

    @property
    def menu_entries(self) -> list[MenuEntry]:
        return self.bot_data[MENU]


HotlineApplication = Application[ExtBot, HotlineContext, UserData, dict, BotData, JobQueue]
