"""The process's database: connections that write, one that reads, and migrations.

SQLite by default (a file path); PostgreSQL for a `postgresql://` URL (storage/pg.py
gives connections with the same calls, so the storage functions are the same on both).

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

On PostgreSQL the same three sessions: the writer commits with synchronous_commit=off
(a crash of the server may lose the last commits, as NORMAL on SQLite), the durable
writer waits for the server's WAL flush, and the reader runs in autocommit (READ
COMMITTED: it sees committed rows only).
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


# What the storage functions are handed: an aiosqlite or a storage.pg connection.
Connection = Any
Row = Any
_MIGRATION_LOCK = 4_815_162_342  # pg_advisory_lock key: one process migrates at a time


def is_url(target: str | os.PathLike[str]) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


class Database:
    """A connected database. Create with `await Database.open(path_or_url)`."""

    def __init__(self, conn: Connection, path: str, engine: str = "sqlite") -> None:
        self.conn = conn  # writes (synchronous=NORMAL); also reads for an in-memory database
        self.path = path  # the SQLite file, or the PostgreSQL URL
        self.engine = engine  # "sqlite" or "postgresql"
        self._durable: Connection | None = None  # writes with synchronous=FULL
        self._reader: Connection | None = None
        self._write_lock = asyncio.Lock()

    @property
    def is_postgresql(self) -> bool:
        return self.engine == "postgresql"

    @classmethod
    async def open(cls, path: str | os.PathLike[str]) -> Database:
        path = str(path)
        if is_url(path):
            return await cls._open_postgresql(path)
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

    @classmethod
    async def _open_postgresql(cls, url: str) -> Database:
        from storage import pg  # psycopg is needed only here (the `postgres` extra)

        db = cls(await pg.Connection.connect(url, ["SET synchronous_commit = off"]), url,
                 "postgresql")
        try:
            await db.migrate()
            db._durable = await pg.Connection.connect(url, ["SET synchronous_commit = on"])
            db._reader = await pg.Connection.connect(
                url, ["SET default_transaction_read_only = on"])
        except BaseException:
            await db.close()
            raise
        return db

    async def close(self) -> None:
        for conn in (self._reader, self._durable, self.conn):
            if conn is not None:
                await conn.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _connections(self) -> list[Connection]:
        return [c for c in (self.conn, self._durable, self._reader) if c is not None]

    # -- reading -------------------------------------------------------------
    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
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
            if self.is_postgresql:
                conn.trace = callback
            else:
                await conn.set_trace_callback(callback)

    # -- writing -------------------------------------------------------------
    def _writer(self, durable: bool) -> Connection:
        return self._durable if durable and self._durable is not None else self.conn

    async def execute_write(self, sql: str, params: Iterable[Any] = (), *,
                            durable: bool = False) -> int:
        """Run one statement in its own transaction; returns the number of rows changed."""
        async with self._write_lock, self._writer(durable).execute(sql, tuple(params)) as cur:
            return max(cur.rowcount, 0)

    async def write_returning(self, sql: str, params: Iterable[Any] = (), *,
                              durable: bool = False) -> list[Row]:
        """Run one statement with a RETURNING clause in its own transaction; its rows."""
        async with self._write_lock:
            return await _rows(self._writer(durable), sql, params)

    @contextlib.asynccontextmanager
    async def transaction(self, *, durable: bool = False) -> AsyncIterator[Connection]:
        """BEGIN IMMEDIATE ... COMMIT under the write lock, rolled back on any exception
        (a cancellation included). Never await Telegram inside: everyone's writes wait."""
        conn = self._writer(durable)
        async with self._write_lock:
            try:
                await conn.execute("BEGIN" if self.is_postgresql else "BEGIN IMMEDIATE")
                yield conn
                await conn.execute("COMMIT")
            except BaseException:
                # Shielded: a cancelled task must not leave the connection mid-transaction.
                await asyncio.shield(
                    conn.rollback() if self.is_postgresql else _rollback(conn))
                raise

    # -- migrations ----------------------------------------------------------
    async def migrate(self) -> list[str]:
        """Apply the numbered SQL files not yet recorded; returns their names."""
        if self.is_postgresql:
            return await self._migrate_postgresql()
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

    async def _migrate_postgresql(self) -> list[str]:
        """The same files, translated (storage/pg.py), each in its own transaction; an
        advisory lock makes a second process starting at the same time wait for the first."""
        conn = self.conn
        await conn.execute("SELECT pg_advisory_lock(?)", (_MIGRATION_LOCK,))
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version BIGINT PRIMARY KEY, name TEXT NOT NULL,"
                " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            done = {row[0] for row in await conn.execute_fetchall(
                "SELECT version FROM schema_migrations")}
            applied = []
            for version, path in migration_files():
                if version in done:
                    continue
                script = _pg().translate_migration(path.read_text(encoding="utf-8"))
                name = path.name.replace("'", "")
                try:
                    await conn.script(
                        f"BEGIN;\n{script}\n"
                        f"INSERT INTO schema_migrations(version, name) VALUES ({version}, '{name}');"
                        "\nCOMMIT;")
                except BaseException:
                    await asyncio.shield(conn.rollback())
                    raise
                applied.append(path.name)
            return applied
        finally:
            await conn.execute("SELECT pg_advisory_unlock(?)", (_MIGRATION_LOCK,))


async def _connect(path: str) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute("PRAGMA foreign_keys=ON")
    await conn.execute("PRAGMA busy_timeout=5000")
    return conn


async def _rows(conn: Connection, sql: str, params: Iterable[Any]) -> list[Row]:
    # One call into the connection's thread: a statement left open between two calls would
    # hold a read snapshot that other coroutines' reads then share, and miss new commits.
    return list(await conn.execute_fetchall(sql, tuple(params)))


async def _rollback(conn: Connection) -> None:
    # The statement that was cancelled still ran; ROLLBACK after it, if anything is open.
    with contextlib.suppress(aiosqlite.OperationalError):
        await conn.execute("ROLLBACK")


def _pg() -> Any:
    from storage import pg

    return pg


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
