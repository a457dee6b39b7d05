"""PTB persistence in the hotline's database (SQLite or PostgreSQL: storage/conversations.py).

Only conversation positions and user_data are persisted (JSON, never pickles).
PTB calls update_* for every touched key once per `update_interval`, all of them at
once (asyncio.gather); the first call of such a round lets the others buffer their
changes, then writes them all in one transaction, which the others wait for.
"""
from __future__ import annotations

import asyncio
import copy
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from storage import conversations as rows
from storage.db import Database

# Written within a few seconds: a crash loses at most this much form progress.
UPDATE_INTERVAL_SECONDS = 2.0


class SQLitePersistence(BasePersistence):
    def __init__(self, db: Database, update_interval: float = UPDATE_INTERVAL_SECONDS) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db = db
        self._pending_conversations: dict[tuple[str, tuple], Any] = {}
        self._pending_user_data: dict[int, dict | None] = {}
        self._round: asyncio.Future[None] | None = None  # the write the others wait for

    async def get_user_data(self) -> dict[int, dict]:
        return await rows.load_user_data(self.db)

    async def get_conversations(self, name: str) -> dict:
        return await rows.load_conversations(self.db, name)

    async def update_conversation(self, name: str, key: tuple, new_state: object | None) -> None:
        self._pending_conversations[(name, tuple(key))] = new_state
        await self._write_soon()

    async def update_user_data(self, user_id: int, data: dict) -> None:
        self._pending_user_data[user_id] = copy.deepcopy(data)
        await self._write_soon()

    async def drop_user_data(self, user_id: int) -> None:
        self._pending_user_data[user_id] = None
        await self._write_soon()

    async def flush(self) -> None:
        await self._write_pending()

    async def _write_soon(self) -> None:
        """One transaction for the whole round; a failure is raised to its first caller
        only (PTB logs it once) and the batch is kept for the next round."""
        if self._round is not None:
            await asyncio.shield(self._round)
            return
        self._round = round_written = asyncio.get_running_loop().create_future()
        try:
            await asyncio.sleep(0)  # the rest of the round buffers its changes now
            self._round = None
            await self._write_pending()
        finally:
            round_written.set_result(None)

    async def _write_pending(self) -> None:
        if not self._pending_conversations and not self._pending_user_data:
            return
        conversations, self._pending_conversations = self._pending_conversations, {}
        user_data, self._pending_user_data = self._pending_user_data, {}
        try:
            await rows.save(self.db, conversations, user_data)
        except Exception:
            # Keep the batch for the next interval (e.g. the database was locked by an
            # import); changes made meanwhile are newer and win.
            self._pending_conversations = {**conversations, **self._pending_conversations}
            self._pending_user_data = {**user_data, **self._pending_user_data}
            raise

    # Not persisted: chat_data, bot_data and callback_data stay in memory.
    async def get_chat_data(self) -> dict[int, dict]:
        return {}

    async def get_bot_data(self) -> dict:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        pass

    async def update_bot_data(self, data: dict) -> None:
        pass

    async def update_callback_data(self, data: object) -> None:
        pass

    async def drop_chat_data(self, chat_id: int) -> None:
        pass

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        pass

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        pass

    async def refresh_bot_data(self, bot_data: dict) -> None:
        pass
