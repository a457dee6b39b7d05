"""The users table: one row per person who wrote to the bot."""
from __future__ import annotations

from dataclasses import dataclass

from storage.clock import now_text
from storage.db import Database, Row

LANGUAGES = ("km", "en")


@dataclass(frozen=True)
class User:
    telegram_id: int
    language: str
    language_chosen: bool
    first_seen: str
    last_seen: str
    consent_at: str | None


def _to_user(row: Row) -> User:
    return User(
        telegram_id=row["telegram_id"],
        language=row["language"],
        language_chosen=bool(row["language_chosen"]),
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        consent_at=row["consent_at"],
    )


async def get(db: Database, telegram_id: int) -> User | None:
    row = await db.fetchone("SELECT * FROM users WHERE telegram_id = ?", (telegram_id,))
    return None if row is None else _to_user(row)


async def get_or_create(db: Database, telegram_id: int, default_language: str) -> User:
    """The user's row, created with `default_language` on first contact.

    Someone who deleted their data (deleted_at) and writes again starts fresh: a new
    first contact, the default language, and the privacy notice to accept again.
    """
    now = now_text()
    await db.execute_write(
        "INSERT INTO users(telegram_id, language, first_seen, last_seen) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(telegram_id) DO UPDATE SET last_seen = excluded.last_seen,"
        " first_seen = CASE WHEN users.deleted_at IS NULL THEN users.first_seen"
        " ELSE excluded.first_seen END,"
        " language = CASE WHEN users.deleted_at IS NULL THEN users.language"
        " ELSE excluded.language END,"
        " deleted_at = NULL",
        (telegram_id, default_language, now, now),
    )
    user = await get(db, telegram_id)
    assert user is not None
    return user


async def set_language(db: Database, telegram_id: int, language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    await db.execute_write(
        "UPDATE users SET language = ?, language_chosen = 1 WHERE telegram_id = ?",
        (language, telegram_id),
    )


async def record_consent(db: Database, telegram_id: int) -> None:
    """Store when the person accepted the privacy notice (first time only)."""
    await db.execute_write(
        "UPDATE users SET consent_at = COALESCE(consent_at, ?) WHERE telegram_id = ?",
        (now_text(), telegram_id),
    )


async def count(db: Database) -> int:
    """People who wrote to the bot (not the row that owns erased cases)."""
    return int(await db.fetchval("SELECT COUNT(*) FROM users WHERE telegram_id != 0"))
