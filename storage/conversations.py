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
    """Write pending changes in one transaction. A state or data of None deletes the row."""
    async with db.transaction() as conn:
        for (name, key), state in conversations.items():
            key_text = json.dumps(list(key))
            if state is None:
                await conn.execute(
                    "DELETE FROM ptb_conversations WHERE name = ? AND key = ?", (name, key_text)
                )
            else:
                await conn.execute(
                    "INSERT INTO ptb_conversations(name, key, state) VALUES (?, ?, ?)"
                    " ON CONFLICT(name, key) DO UPDATE SET state = excluded.state",
                    (name, key_text, json.dumps(state)),
                )
        for user_id, data in user_data.items():
            if data is None:
                await conn.execute("DELETE FROM ptb_user_data WHERE user_id = ?", (user_id,))
            else:
                await conn.execute(
                    "INSERT INTO ptb_user_data(user_id, data) VALUES (?, ?)"
                    " ON CONFLICT(user_id) DO UPDATE SET data = excluded.data",
                    (user_id, json.dumps(data, ensure_ascii=False)),
                )
