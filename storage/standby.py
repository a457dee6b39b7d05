"""One active bot per PostgreSQL database; a second instance waits as a standby.

The active process holds a session-level advisory lock on a connection of its own. A
standby asks for the lock every POLL_SECONDS (pg_try_advisory_lock, which never blocks)
and gets it as soon as the holder's session ends: PostgreSQL ends it when the process
dies, however it dies (SIGKILL, a power cut of its server: when the TCP connection
drops). The holder checks its session every CHECK_SECONDS: a lock that may have been
lost (the connection broke) means another instance may take over, so the holder stops.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging

from storage import pg

log = logging.getLogger(__name__)

LOCK_KEY = 7_421_018_018  # "the hotline bot is running on this database"
POLL_SECONDS = 1.0
CHECK_SECONDS = 2.0
CHECK_TIMEOUT_SECONDS = 5.0


class Leadership:
    """The advisory lock's own session. `await Leadership.connect(url)`, then `acquire`."""

    def __init__(self, conn: pg.Connection) -> None:
        self._conn = conn
        self.held = False

    @classmethod
    async def connect(cls, url: str) -> Leadership:
        return cls(await pg.Connection.connect(url, reconnect=False))

    async def try_acquire(self) -> bool:
        rows = await self._conn.execute_fetchall("SELECT pg_try_advisory_lock(?)", (LOCK_KEY,))
        self.held = bool(rows[0][0])
        return self.held

    async def acquire(self, stop: asyncio.Event, poll_seconds: float = POLL_SECONDS) -> bool:
        """Wait until this process holds the lock (True) or `stop` is set (False)."""
        if await self.try_acquire():
            return True
        log.info("standby: another instance is active on this database; asking again "
                 "every %.0f s", poll_seconds)
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_seconds)
            if not stop.is_set() and await self.try_acquire():
                log.info("standby: the active instance is gone; taking over")
                return True
        return False

    async def lost(self, check_seconds: float = CHECK_SECONDS) -> None:
        """Return when the lock's session no longer answers (the lock may be gone)."""
        while True:
            await asyncio.sleep(check_seconds)
            try:
                await asyncio.wait_for(self._conn.execute_fetchall("SELECT 1"),
                                       CHECK_TIMEOUT_SECONDS)
            except (TimeoutError, pg.Error, OSError) as exc:
                log.error("the database session that holds the active instance's lock "
                          "failed (%s); stopping so that one instance only is active",
                          type(exc).__name__)
                self.held = False
                return

    async def close(self) -> None:
        """Ends the session, and with it the lock: a standby takes over at once."""
        with contextlib.suppress(pg.Error, OSError):
            await self._conn.close()
        self.held = False
