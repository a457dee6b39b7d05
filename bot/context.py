"""The callback context every handler receives, with the hotline's services on it."""
from __future__ import annotations

from typing import TYPE_CHECKING

from telegram.ext import Application, CallbackContext, ExtBot

from bot.content import Content
from bot.directory import Directory
from bot.settings import Settings
from storage.db import Database

if TYPE_CHECKING:
    from flows.registry import MenuEntry

# Keys under which build_application puts the services into application.bot_data
# (not persisted: bot_data stays in memory).
SETTINGS, DATABASE, DIRECTORY, MENU = "settings", "db", "directory", "menu"
CONTENT = "content"  # programmes and documents from data/services.csv
SENDER = "sender"  # bot.sender.Sender: sends the outbox
STAFF_CHAT = "staff_chat"  # the staff group's id when Telegram moved it (storage/outbox.py)
INBOX = "inbox"  # bot.inbox.Inbox: where updates are stored before they are handled
UPDATES_REQUEST = "updates_request"  # bot.polling.UpdatesRequest: the getUpdates connection


class HotlineContext(CallbackContext[ExtBot, dict, dict, dict]):
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


HotlineApplication = Application[ExtBot, HotlineContext, dict, dict, dict, object]
