"""Rows behind the bot's persistence: conversation positions and per-user data."""
from __future__ import annotations

import json
from typing import Any

from storage.db import Database


async def load_conversations(db: Database, name: str) -> dict[tuple, Any]:
    rows = await db.fetchall("SELECT key, state FROM ptb_conversations WHERE name = ?", (name,))
    return {tuple(json.loads(r["key"])): json.loads(r["state"]) for r in rows}


async def load_user_data(db: Database) -> dict[int, dict]:
    rows = await db.fetchall("SELECT user_id, data FROM ptb_user_data")
    return {r["user_id"]: json.loads(r["data"]) for r in rows}


async def save(
    db: Database,
    conversations: dict[tuple[str, tuple], Any],
    user_data: dict[int, dict | None],
) -> None:
    """Write pending changes in one transaction. A state or data of None deletes the row.

    Four statements whatever the number of people (executemany): the write lock is held
    briefly even when hundreds of people moved on since the last write."""
    gone_states = [(name, json.dumps(list(key))) for (name, key), state in conversations.items()
                   if state is None]
    states = [(name, json.dumps(list(key)), json.dumps(state))
              for (name, key), state in conversations.items() if state is not None]
    gone_data = [(user_id,) for user_id, data in user_data.items() if data is None]
    data_rows = [(user_id, json.dumps(data, ensure_ascii=False))
                 for user_id, data in user_data.items() if data is not None]
    async with db.transaction() as conn:
        await conn.executemany("DELETE FROM ptb_conversations WHERE name = ? AND key = ?",
                               gone_states)
        await conn.executemany(
            "INSERT INTO ptb_conversations(name, key, state) VALUES (?, ?, ?)"
            " ON CONFLICT(name, key) DO UPDATE SET state = excluded.state", states)
        await conn.executemany("DELETE FROM ptb_user_data WHERE user_id = ?", gone_data)
        await conn.executemany(
            "INSERT INTO ptb_user_data(user_id, data) VALUES (?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET data = excluded.data", data_rows)
