"""Which storage engine the tests run on: HOTLINE_TEST_DATABASE=sqlite (default) or postgresql.

On PostgreSQL one real server is started for the test session from the `pgserver` package
(PostgreSQL's own binaries from PyPI, no system install), the migrations are applied once to
a template database, and every database a test opens by a file path (the settings'
DATABASE_PATH, `Database.open(tmp_path / ...)`) becomes a fresh database copied from that
template, the same one each time the test opens that path again (a restart) and for the
bot processes it starts (DATABASE_URL). So every test that does not read an SQLite file
itself runs unchanged on both engines.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

ENGINE = os.environ.get("HOTLINE_TEST_DATABASE", "sqlite").strip().lower() or "sqlite"
if ENGINE not in ("sqlite", "postgresql"):
    raise RuntimeError(f"HOTLINE_TEST_DATABASE: {ENGINE!r} is neither sqlite nor postgresql")
POSTGRESQL = ENGINE == "postgresql"
TEMPLATE = "hotline_template"

_names = itertools.count(1)


def _database_errors() -> tuple[type[Exception], ...]:
    import sqlite3

    import psycopg

    return (sqlite3.OperationalError, psycopg.Error)


DATABASE_ERRORS = _database_errors()  # what reading a database that is not ready raises


class Server:
    """The test session's PostgreSQL server and the databases made for the current test."""

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="hotline-pg-")
        with warnings.catch_warnings():  # platformdirs: no XDG_RUNTIME_DIR in CI
            warnings.simplefilter("ignore")
            import pgserver

            self._server = pgserver.get_server(self.folder, cleanup_mode="stop")
        self.admin_url = self._server.get_uri()
        # Tests need no durability against a power cut: faster commits and copies.
        self.admin("ALTER SYSTEM SET fsync = off", "ALTER SYSTEM SET full_page_writes = off",
                   "SELECT pg_reload_conf()")
        self.admin(f"CREATE DATABASE {TEMPLATE}")
        # In a thread of its own: the caller may be inside an event loop (the benchmarks).
        with concurrent.futures.ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, _migrate(self.url(TEMPLATE))).result()
        self.by_path: dict[str, str] = {}  # this test's SQLite paths -> database names

    def url(self, name: str) -> str:
        """The URL of database `name` on this server (a Unix socket)."""
        return self.admin_url.replace("/postgres?", f"/{name}?", 1)

    def admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)  # type: ignore[arg-type]

    def database_for(self, path: str | os.PathLike[str]) -> str:
        """The URL standing in for this SQLite path in the current test (made on first use)."""
        key = str(path) if str(path) == ":memory:" else str(Path(path).resolve())
        if key == ":memory:" or key not in self.by_path:
            name = f"test_{os.getpid()}_{next(_names)}"
            self.admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
            if key == ":memory:":
                key = f":memory:{name}"
            self.by_path[key] = name
        return self.url(self.by_path[key])

    def drop_test_databases(self) -> None:
        names, self.by_path = list(self.by_path.values()), {}
        self.admin(*(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)" for name in names))

    def stop(self) -> None:
        self._server.cleanup()
        shutil.rmtree(self.folder, ignore_errors=True)


async def _migrate(url: str) -> None:
    from storage.db import Database

    db = await Database.open(url)
    await db.close()


server: Server | None = None  # set for the session when POSTGRESQL


def url_for(path: str | os.PathLike[str]) -> str | None:
    """On PostgreSQL, the URL standing in for an SQLite path; None on SQLite."""
    return None if server is None else server.database_for(path)


def query(path: str | os.PathLike[str], sql: str, params: tuple[Any, ...] = ()) -> list[tuple]:
    """Rows from the database at `path` (the test's SQLite file, or the PostgreSQL database
    standing in for it), read from outside the bot as an operator's tool would."""
    if server is None:
        import sqlite3

        with sqlite3.connect(path, timeout=10) as db:
            return db.execute(sql, params).fetchall()
    import psycopg

    from storage.pg import placeholders

    with psycopg.connect(server.database_for(path), autocommit=True) as conn:
        return conn.execute(placeholders(sql) if params else sql, params or None).fetchall()
