"""What a flow module declares so the application can assemble it.

Each flow module exposes `FLOW = Flow(...)`; flows/__init__.py lists them.
The main menu is built only from declared entries, so no entry leads nowhere.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from telegram.ext import BaseHandler

from flows.callbacks import Callback, Menu


def exact_pattern(data: Callback) -> str:
    """The handler regex for exactly one button's data (a menu entry, the Main menu button),
    where the kind's own pattern would take every button of the kind."""
    return rf"^{re.escape(data.pack())}\Z"


@dataclass(frozen=True)
class MenuEntry:
    key: str    # ASCII; the button sends callback data "menu:<key>"
    label: str  # msgid marked with N_()
    order: int  # position in the main menu, smallest first

    @property
    def callback_data(self) -> str:
        return Menu(self.key).pack()

    @property
    def pattern(self) -> str:
        """Regex for the CallbackQueryHandler that answers this entry (one key of Menu)."""
        return exact_pattern(Menu(self.key))


@dataclass(frozen=True)
class Command:
    name: str         # without the slash
    description: str  # msgid marked with N_(), shown in Telegram's command list


@dataclass(frozen=True)
class Flow:
    name: str
    # Given the exit handlers (flows/__init__.py), which conversations list in their fallbacks.
    handlers: Callable[[Sequence[BaseHandler]], list[BaseHandler]]
    menu: tuple[MenuEntry, ...] = ()
    commands: tuple[Command, ...] = ()
