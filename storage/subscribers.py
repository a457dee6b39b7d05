"""Who wants safety alerts, their home province, and who can no longer be reached."""
from __future__ import annotations

from dataclasses import dataclass

from storage.clock import now_text
from storage.db import Connection, Database


@dataclass(frozen=True)
class Subscription:
    telegram_id: int
    subscribed: bool
    province: str | None


async def get(db: Database, telegram_id: int) -> Subscription | None:
    """The person's choice, or None when they were never asked."""
    row = await db.fetchone(
        "SELECT telegram_id, subscribed, province FROM subscribers WHERE telegram_id = ?",
        (telegram_id,),
    )
    if row is None:
        return None
    return Subscription(row["telegram_id"], bool(row["subscribed"]), row["province"])


async def mark_asked(db: Database, telegram_id: int) -> bool:
    """Record that the onboarding question was asked (answer: no, until they say yes).

    Returns False when the person was asked or chose before: ask only once.
    """
    now = now_text()
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO subscribers(telegram_id, subscribed, asked_at, changed_at)"
            " VALUES (?, 0, ?, ?) ON CONFLICT(telegram_id) DO NOTHING",
            (telegram_id, now, now),
        )
        return cursor.rowcount == 1


async def set_subscribed(db: Database, telegram_id: int, subscribed: bool) -> None:
    """Turn alerts on or off. Turning them off drops the person's queued alerts;
    turning them on means they can be reached again."""
    now = now_text()
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO subscribers(telegram_id, subscribed, asked_at, changed_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT(telegram_id)"
            " DO UPDATE SET subscribed = excluded.subscribed, changed_at = excluded.changed_at",
            (telegram_id, int(subscribed), now, now),
        )
        if subscribed:
            await conn.execute(
                "UPDATE users SET unreachable_at = NULL WHERE telegram_id = ?", (telegram_id,)
            )
        else:
            await conn.execute(
                "DELETE FROM outbox WHERE chat_id = ? AND broadcast_id IS NOT NULL"
                " AND status = 'queued'", (telegram_id,)
            )


async def set_province(db: Database, telegram_id: int, province: str | None) -> None:
    now = now_text()
    await db.execute_write(
        "INSERT INTO subscribers(telegram_id, subscribed, province, asked_at, changed_at)"
        " VALUES (?, 0, ?, ?, ?) ON CONFLICT(telegram_id)"
        " DO UPDATE SET province = excluded.province, changed_at = excluded.changed_at",
        (telegram_id, province, now, now),
    )


async def mark_unreachable(db: Database, telegram_id: int) -> None:
    """The person blocked the bot (or was deactivated): send them nothing more."""
    async with db.transaction() as conn:
        await set_unreachable(conn, [telegram_id])


async def set_unreachable(conn: Connection, telegram_ids: list[int]) -> None:
    """mark_unreachable, for several people, inside the caller's transaction (the sender
    records a 403 this way)."""
    await conn.executemany(
        "UPDATE users SET unreachable_at = COALESCE(unreachable_at, ?) WHERE telegram_id = ?",
        [(now_text(), telegram_id) for telegram_id in telegram_ids])


async def mark_reachable(db: Database, telegram_id: int) -> None:
    """The person unblocked the bot."""
    await db.execute_write(
        "UPDATE users SET unreachable_at = NULL WHERE telegram_id = ?", (telegram_id,)
    )


async def is_unreachable(db: Database, telegram_id: int) -> bool:
    value = await db.fetchval(
        "SELECT unreachable_at FROM users WHERE telegram_id = ?", (telegram_id,)
    )
    return value is not None
