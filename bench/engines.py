"""The benchmarks on either storage engine (`--engine sqlite postgresql`).

On PostgreSQL a real server is started from the pgserver package (as the tests do:
tests/engine.py) and every database a benchmark opens by a file path becomes a fresh
PostgreSQL database, so the benchmark code is the same on both engines. The server's
fsync is off (as in the tests): the figures measure the bot and the engine, not the disk.
"""
from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from storage.db import Database, is_url
from storage.pg import placeholders

ENGINES = ("sqlite", "postgresql")
_server: Any = None  # tests.engine.Server, started on first use


@contextlib.contextmanager
def using(engine: str) -> Iterator[None]:
    """Database.open(path) opens `engine` while inside."""
    if engine == "sqlite":
        yield
        return
    global _server
    from tests.engine import Server

    if _server is None:
        _server = Server()
    original = Database.open.__func__  # type: ignore[attr-defined]

    async def open_on_postgresql(cls: type[Database], path: str | Path) -> Database:
        return await original(cls, path if is_url(path) else _server.database_for(path))

    Database.open = classmethod(open_on_postgresql)  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        Database.open = classmethod(original)  # type: ignore[method-assign,assignment]
        _server.drop_test_databases()


def stop() -> None:
    if _server is not None:
        _server.stop()


class _Bulk:
    def __init__(self, conn: Any, postgresql: bool) -> None:
        self.conn, self.postgresql = conn, postgresql

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        if self.postgresql:
            with self.conn.cursor() as cur:
                cur.executemany(placeholders(sql), list(rows))
        else:
            self.conn.executemany(sql, rows)


@contextlib.contextmanager
def bulk(path: Path) -> Iterator[_Bulk]:
    """A plain connection for filling a benchmark's database fast, committed on leaving."""
    if _server is not None and str(Path(path).resolve()) in _server.by_path:
        import psycopg

        with psycopg.connect(_server.database_for(path)) as conn:
            yield _Bulk(conn, True)
        return
    with sqlite3.connect(path) as conn:
        yield _Bulk(conn, False)
