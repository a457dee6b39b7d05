"""`python -m bot console`: chat with the real application in a terminal.

No Telegram and no token: the same handlers and database as `run`, talking to
an in-memory Bot API. Type text to send it (digits too: "12" is text); type `#` and a
button's number to press it (`#3`);
`!photo`, `!voice`, `!document`, `!sticker`, `!location`, `!contact` send those
kinds of message; `!quit` (or Ctrl+D) leaves.
"""
from __future__ import annotations

import asyncio
import re
import sys
from typing import Any, TextIO

from telegram import Update

from bot.app import build_application
from bot.devtools.offline import OfflineBotAPI, OfflineRequest
from bot.runner import running
from bot.settings import Settings
from storage.db import Database

BUTTON = re.compile(r"^#\d{1,3}$")  # "#3" presses button 3; "3" alone is text (a number asked)
CONSOLE_USER = {"id": 100_001, "first_name": "Console", "language_code": "km"}
_KINDS: dict[str, dict[str, Any]] = {
    "!photo": {"photo": True}, "!voice": {"voice": True}, "!document": {"document": True},
    "!sticker": {"sticker": True}, "!location": {"location": (13.36, 103.86)},
    "!contact": {"contact": "+85512345678"},
}


class Console:
    def __init__(self, api: OfflineBotAPI, out: TextIO, user: dict) -> None:
        self.api, self.out, self.user = api, out, user
        self.shown = 0  # how many of api.sent have been printed
        self.buttons: list[tuple[dict, str]] = []  # (message, callback data) by number

    def update_for(self, line: str) -> dict | None:
        """The update a typed line stands for, or None (after saying why)."""
        if BUTTON.match(line):
            number = int(line[1:])
            if 1 <= number <= len(self.buttons):
                message, data = self.buttons[number - 1]
                return self.api.user_presses(self.user, message, data)
            self.out.write(f"(no button {number}; choose #1-#{len(self.buttons)})\n"
                           if self.buttons else "(no buttons to press yet)\n")
            return None
        if line in _KINDS:
            return self.api.user_sends(self.user, **_KINDS[line])
        return self.api.user_sends(self.user, line)

    def print_replies(self) -> None:
        for message in self.api.sent[self.shown:]:
            if message["chat"]["id"] != self.user["id"]:
                continue
            prefix = "(edited) " if message.get("edited") else ""
            body = message.get("text") or message.get("caption") or _kind_of(message)
            self.out.write(f"\nbot> {prefix}{body}\n")
            rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            if rows:
                self.buttons = []
                for row in rows:
                    labels = []
                    for btn in row:
                        if "callback_data" in btn:
                            self.buttons.append((message, btn["callback_data"]))
                            labels.append(f"[#{len(self.buttons)}] {btn['text']}")
                        else:
                            labels.append(f"[link] {btn['text']}")
                    self.out.write("     " + "   ".join(labels) + "\n")
        self.shown = len(self.api.sent)
        self.out.flush()


def _kind_of(message: dict) -> str:
    for kind in ("photo", "voice", "document", "sticker", "location", "contact"):
        if kind in message:
            return f"[{kind}]"
    return "[message]"


async def run_console(settings: Settings, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout,
                      user: dict | None = None) -> None:
    api = OfflineBotAPI()
    console = Console(api, out, user or CONSOLE_USER)
    db = await Database.open(settings.database)
    try:
        app = build_application(settings, db, request=OfflineRequest(api))
        async with running(app, polling=False):
            out.write("Hotline console. Type /start. #3 presses button 3. !quit leaves.\n")
            out.flush()
            while True:
                line = await asyncio.to_thread(stdin.readline)
                if not line or line.strip() == "!quit":
                    break
                line = line.rstrip("\n")
                if not line.strip():
                    continue
                raw = console.update_for(line.strip())
                if raw is not None:
                    api.updates.clear()  # handed over directly, not through getUpdates
                    await app.process_update(Update.de_json(raw, app.bot))
                    await app.update_queue.join()  # and what it put back (after consent)
                console.print_replies()
    finally:
        await db.close()
