"""The log of typed messages and the intent they were taken for, with no trace of who."""
from __future__ import annotations

from storage.clock import now_text
from storage.db import Database


async def record(db: Database, intent: str | None, phrase: str | None) -> None:
    """One message: its intent, or (nothing matched) its normalised text."""
    await db.execute_write(
        "INSERT INTO intent_log (intent, phrase, logged_at) VALUES (?, ?, ?)",
        (intent, None if intent else phrase, now_text()),
    )


async def unmatched(db: Database, since: str, limit: int = 20) -> list[tuple[str, int]]:
    """(phrase, count) of what matched nothing since a UTC time text, most typed first."""
    rows = await db.fetchall(
        "SELECT phrase, COUNT(*) AS typed FROM intent_log"
        " WHERE intent IS NULL AND phrase IS NOT NULL AND logged_at >= ?"
        " GROUP BY phrase ORDER BY typed DESC, phrase LIMIT ?",
        (since, limit),
    )
    return [(row["phrase"], row["typed"]) for row in rows]


async def counts(db: Database, since: str) -> list[tuple[str | None, int]]:
    """(intent or None, count) since a UTC time text: how often each intent was understood."""
    rows = await db.fetchall(
        "SELECT intent, COUNT(*) AS typed FROM intent_log WHERE logged_at >= ?"
        " GROUP BY intent ORDER BY typed DESC", (since,),
    )
    return [(row["intent"], row["typed"]) for row in rows]
