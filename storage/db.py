"""The process's SQLite database: connections that write, one that reads, and migrations.

Handlers and jobs run concurrently, so every write goes through one lock held
from BEGIN to COMMIT (`transaction()`, `execute_write()`), and reads use a second
connection that only ever sees committed rows (WAL): a reader never sees a row
that a concurrent transaction later rolls back. An in-memory database has a single
connection, so its reads take the write lock instead.

Commits use synchronous=NORMAL (safe against a crash of the process). Commits that
precede a promise to a person ("received") or an acknowledgement to Telegram pass
`durable=True`: they go through a third connection with synchronous=FULL, so they
also survive a power cut, and with them every commit before (one WAL). All writers
share the one lock, so SQLite never sees two at once.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import AsyncIterator, Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


class Database:
    """A connected database. Create with `await Database.open(path)`."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self.conn = conn  # writes (synchronous=NORMAL); also reads for an in-memory database
        self.path = path
        self._durable: aiosqlite.Connection | None = None  # writes with synchronous=FULL
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | os.PathLike[str]) -> Database:
        path = str(path)
        if path != ":memory:":
            _create_private_file(path)
        conn = await _connect(path)
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        db = cls(conn, path)
        await db.migrate()
        if path != ":memory:":
            db._durable = await _connect(path)
            await db._durable.execute("PRAGMA synchronous=FULL")
            db._reader = await _connect(path)
            await db._reader.execute("PRAGMA query_only=ON")
        return db

    async def close(self) -> None:
        for conn in (self._reader, self._durable, self.conn):
            if conn is not None:
                await conn.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _connections(self) -> list[aiosqlite.Connection]:
        return [c for c in (self.conn, self._durable, self._reader) if c is not None]

    # -- reading -------------------------------------------------------------
    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        if self._reader is None:  # in memory: one connection, so wait for open transactions
            async with self._write_lock:
                return await _rows(self.conn, sql, params)
        return await _rows(self._reader, sql, params)

    async def fetchval(self, sql: str, params: Iterable[Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def trace(self, callback: Any) -> None:
        """Call `callback(sql)` for every statement on every connection (benchmarks)."""
        for conn in self._connections():
            await conn.set_trace_callback(callback)

    # -- writing -------------------------------------------------------------
    def _writer(self, durable: bool) -> aiosqlite.Connection:
        return self._durable if durable and self._durable is not None else self.conn

    async def execute_write(self, sql: str, params: Iterable[Any] = (), *,
                            durable: bool = False) -> int:
        """Run one statement in its own transaction; returns lastrowid."""
        async with self._write_lock, self._writer(durable).execute(sql, tuple(params)) as cur:
            return cur.lastrowid or 0

    async def write_returning(self, sql: str, params: Iterable[Any] = (), *,
                              durable: bool = False) -> list[aiosqlite.Row]:
        """Run one statement with a RETURNING clause in its own transaction; its rows."""
        async with self._write_lock:
            return await _rows(self._writer(durable), sql, params)

    @contextlib.asynccontextmanager
    async def transaction(self, *, durable: bool = False) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT under the write lock, rolled back on any exception
        (a cancellation included). Never await Telegram inside: everyone's writes wait."""
        conn = self._writer(durable)
        async with self._write_lock:
            try:
                await conn.execute("BEGIN IMMEDIATE")
                yield conn
                await conn.execute("COMMIT")
            except BaseException:
                # Shielded: a cancelled task must not leave the connection mid-transaction.
                await asyncio.shield(_rollback(conn))
                raise

    # -- migrations ----------------------------------------------------------
    async def migrate(self) -> list[str]:
        """Apply the numbered SQL files not yet recorded; returns their names."""
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))"
        )
        done = {row[0] for row in await self.fetchall("SELECT version FROM schema_migrations")}
        applied = []
        for version, path in migration_files():
            if version in done:
                continue
            script = path.read_text(encoding="utf-8")
            name = path.name.replace("'", "")
            # executescript commits first; BEGIN/COMMIT make each file atomic.
            await self.conn.executescript(
                f"BEGIN;\n{script}\n"
                f"INSERT INTO schema_migrations(version, name) VALUES ({version}, '{name}');\n"
                "COMMIT;"
            )
            applied.append(path.name)
        return applied


async def _connect(path: str) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute("PRAGMA foreign_keys=ON")
    await conn.execute("PRAGMA busy_timeout=5000")
    return conn


async def _rows(conn: aiosqlite.Connection, sql: str, params: Iterable[Any]
                ) -> list[aiosqlite.Row]:
    # One call into the connection's thread: a statement left open between two calls would
    # hold a read snapshot that other coroutines' reads then share, and miss new commits.
    return list(await conn.execute_fetchall(sql, tuple(params)))


async def _rollback(conn: aiosqlite.Connection) -> None:
    # The statement that was cancelled still ran; ROLLBACK after it, if anything is open.
    with contextlib.suppress(aiosqlite.OperationalError):
        await conn.execute("ROLLBACK")


def migration_files() -> list[tuple[int, Path]]:
    files = []
    # Package data (pyproject.toml), read through importlib.resources: also installed.
    for path in sorted(Path(str(resources.files("storage") / "migrations")).glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise RuntimeError(f"migration file name not NNN_name.sql: {path.name}")
        files.append((int(match.group(1)), path))
    versions = [v for v, _ in files]
    if len(set(versions)) != len(versions):
        raise RuntimeError("two migration files share a number")
    return files


def _create_private_file(path: str) -> None:
    """Create the database file readable by its owner only (0600)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
