"""The log must never hold what people wrote, their names, phone numbers or the token.

tests/conftest.py captures every log record of every test at the levels the bot runs
with (bot/cli.py: INFO, httpx at WARNING because its lines carry the token) and
collects what the test users sent; at the end of the test the two are compared.
"""
from __future__ import annotations

import logging
import re

# Shorter typed texts ("12", "Yes", "second") are everyday words and numbers that log
# lines hold for other reasons; names are matched from three letters, as whole words.
MIN_TEXT, MIN_NAME = 8, 3
TOKEN = "123456:TEST-TOKEN"


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith("tests"):
            self.records.append(record)


def secrets_of(user: dict, text: str | None, content: dict) -> set[str]:
    """What a test user's message reveals: names, username, typed text, caption, phone."""
    names = {user.get(key) for key in ("first_name", "last_name", "username")}
    texts = {content.get("caption"), content.get("contact")}
    if text and not text.startswith("/"):
        texts.add(text)
    return ({n for n in names if isinstance(n, str) and len(n) >= MIN_NAME}
            | {t for t in texts if isinstance(t, str) and len(t) >= MIN_TEXT})


def as_text(record: logging.LogRecord) -> str:
    text = record.getMessage()
    if record.exc_info and record.exc_info[1] is not None:
        text += "\n" + logging.Formatter().formatException(record.exc_info)
    return text


def leaks(records: list[logging.LogRecord], secrets: set[str]) -> list[str]:
    """'logger: secret' for every record that holds a secret (names as whole words)."""
    found = []
    for record in records:
        text = as_text(record)
        if TOKEN in text:  # anywhere, also inside a URL
            found.append(f"{record.name}: the bot token")
        for secret in secrets:
            pattern = r"(?<!\w)" + re.escape(secret) + r"(?!\w)"
            if re.search(pattern, text):
                found.append(f"{record.name}: {secret!r}")
    return found
