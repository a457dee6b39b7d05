"""What the hotline keeps about a reporter beyond the users row basics: gender.

Asked once per person and skippable ('unsaid'); donors and the ILO report by gender.
"""
from __future__ import annotations

from storage.db import Database

GENDERS = ("woman", "man", "other", "unsaid")


async def gender(db: Database, telegram_id: int) -> str | None:
    """The recorded answer, 'unsaid' when skipped, None when never asked."""
    return await db.fetchval("SELECT gender FROM users WHERE telegram_id = ?", (telegram_id,))


async def set_gender(db: Database, telegram_id: int, value: str) -> None:
    if value not in GENDERS:
        raise ValueError(f"unknown gender answer {value!r}")
    await db.execute_write(
        "UPDATE users SET gender = ? WHERE telegram_id = ?", (value, telegram_id)
    )
