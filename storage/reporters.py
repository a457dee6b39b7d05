"""What the hotline keeps about a reporter beyond the users row basics: gender and
home province.

Each is asked once per person and skippable ('unsaid'); donors and the ILO report
by gender, and the needs assessment by the province where returnees live now.
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


async def home_province(db: Database, telegram_id: int) -> str | None:
    """A key of data/provinces_kh.csv, 'unsaid' when skipped, None when never asked."""
    return await db.fetchval("SELECT home_province FROM users WHERE telegram_id = ?",
                             (telegram_id,))


async def set_home_province(db: Database, telegram_id: int, value: str) -> None:
    await db.execute_write(
        "UPDATE users SET home_province = ? WHERE telegram_id = ?", (value, telegram_id))
