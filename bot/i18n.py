"""Khmer and English text through gettext catalogs (locales/*/LC_MESSAGES/messages.po).

The .po files are read directly at start-up, so a fresh checkout needs no
compile step. The current language is a context variable, set once per update
(bot.people.load_person) or with `use_language()` in jobs that write to many
people; `_()` translates into it. Placeholders use str.format: translate first,
then `.format(...)`.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator
from datetime import date, datetime, tzinfo
from decimal import Decimal

from babel import dates, numbers
from babel.messages.pofile import read_po

from bot.resources import locales_dir

LANGUAGES = ("km", "en")
DEFAULT_LANGUAGE = "km"
LOCALES_DIR = locales_dir()
DOMAIN = "messages"

# Each language's own name, shown the same to everyone: not translated on purpose.
LANGUAGE_NAMES = {"km": "ភាសាខ្មែរ", "en": "English"}

_current = contextvars.ContextVar("language", default=DEFAULT_LANGUAGE)


def N_(msgid: str) -> str:
    """Mark a string for extraction without translating it yet (menu labels, constants)."""
    return msgid


@functools.cache
def catalog(language: str) -> dict[str, str]:
    """msgid -> msgstr for one language; fuzzy and empty entries are left out."""
    path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as fileobj:
        po = read_po(fileobj, locale=language)
    return {
        message.id: message.string
        for message in po
        if message.id and message.string and not message.fuzzy
        and isinstance(message.id, str) and isinstance(message.string, str)
    }


def gettext(msgid: str, language: str | None = None) -> str:
    """The translation of msgid, or msgid itself (English) when there is none."""
    return catalog(language or _current.get()).get(msgid, msgid)


_ = gettext


def current_language() -> str:
    return _current.get()


def set_language(language: str) -> None:
    _current.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


@contextlib.contextmanager
def use_language(language: str) -> Iterator[None]:
    """Translate into `language` inside the block (for jobs writing to many people)."""
    token = _current.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _current.reset(token)


def language_from_telegram(language_code: str | None) -> str:
    """Khmer unless the person's Telegram app is in English."""
    if language_code and language_code.lower().split("-")[0] == "en":
        return "en"
    return DEFAULT_LANGUAGE


# -- formatting for the reader's locale (Babel gives Latin digits for km) ----
def format_date(value: date | datetime, tz: tzinfo | None = None) -> str:
    if isinstance(value, datetime) and tz is not None:
        value = value.astimezone(tz)
    return dates.format_date(value, format="medium", locale=_current.get())


def format_datetime(value: datetime, tz: tzinfo) -> str:
    return dates.format_datetime(value.astimezone(tz), format="medium", locale=_current.get())


def format_money(amount: Decimal | float, currency: str) -> str:
    return numbers.format_currency(amount, currency, locale=_current.get())


def format_number(value: Decimal | float) -> str:
    return numbers.format_decimal(value, locale=_current.get())
