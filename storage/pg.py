"""The PostgreSQL engine: connections that look like the aiosqlite ones storage/ uses.

storage/ writes portable SQL with `?` placeholders and passes ISO times from Python;
this module is the only place that knows PostgreSQL: it turns `?` into psycopg's `%s`,
gives rows that are read by name and by position (as aiosqlite.Row), and translates the
migrations' few SQLite-only words (INTEGER is 64-bit there, REAL a double, an
`id INTEGER PRIMARY KEY` is a rowid that numbers itself).

psycopg 3 rather than asyncpg: its client-side `%s` parameters map one to one onto `?`
(asyncpg needs `$1`, `$2`), and it sends Python strings untyped, so PostgreSQL casts
them where a column needs it, as SQLite's loose typing lets storage/ do today.
"""
from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Awaitable, Callable, Generator, Iterable, Sequence
from decimal import Decimal
from typing import Any, Self

import psycopg
from psycopg.adapt import Dumper, Loader
from psycopg.rows import RowMaker

Error = psycopg.Error


class Row(tuple[Any, ...]):
    """A result row read by position (`row[0]`) or by column name (`row["id"]`), and
    `dict(row)`, as aiosqlite.Row."""

    _names: dict[str, int]

    def __new__(cls, values: Sequence[Any], names: dict[str, int]) -> Self:
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def _row_factory(cursor: psycopg.AsyncCursor[Any]) -> RowMaker[Row]:
    names = {column.name: i for i, column in enumerate(cursor.description or ())}
    return lambda values: Row(values, names)


class _NumericLoader(Loader):
    """SUM() of an integer column is numeric in PostgreSQL: an int, as SQLite gives."""

    def load(self, data: Any) -> int | float:
        value = Decimal(bytes(data).decode())
        return int(value) if value == value.to_integral_value() else float(value)


class _BoolDumper(Dumper):
    """True and False are 1 and 0, as on SQLite: the schema's flags are integers."""

    oid = psycopg.adapters.types["int8"].oid

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


@functools.lru_cache(maxsize=4096)
def placeholders(sql: str) -> str:
    """`?` -> `%s` and `%` -> `%%`, outside quoted strings and identifiers."""
    out: list[str] = []
    quote = ""
    for char in sql:
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "?":
            out.append("%s")
            continue
        if char == "%":
            out.append("%%")
            continue
        out.append(char)
    return "".join(out)


class Cursor:
    """What a statement left: its rows (all read at once), rowcount, description."""

    def __init__(self, rows: list[Row], rowcount: int) -> None:
        self._rows, self.rowcount = rows, rowcount
        self._next = 0

    async def fetchone(self) -> Row | None:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    async def fetchall(self) -> list[Row]:
        rest, self._next = self._rows[self._next:], len(self._rows)
        return rest

    def __aiter__(self) -> Cursor:
        return self

    async def __anext__(self) -> Row:
        row = await self.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row


class _Pending:
    """`await conn.execute(...)` and `async with conn.execute(...) as cur`, as aiosqlite."""

    def __init__(self, run: Callable[[], Awaitable[Cursor]]) -> None:
        self._run = run

    def __await__(self) -> Generator[Any, None, Cursor]:
        return self._run().__await__()

    async def __aenter__(self) -> Cursor:
        return await self._run()

    async def __aexit__(self, *exc: object) -> None:
        return None


class Connection:
    """One PostgreSQL session in autocommit mode: BEGIN ... COMMIT are explicit, as on
    SQLite. Reconnects when the server closed the session (a restart, a failover), unless
    `reconnect=False` (a session that holds a lock must not quietly become another)."""

    def __init__(self, url: str, settings: Sequence[str] = (), reconnect: bool = True) -> None:
        self.url, self._settings, self._reconnect = url, tuple(settings), reconnect
        self._conn: psycopg.AsyncConnection[Row] | None = None
        self.trace: Callable[[str], object] | None = None

    @classmethod
    async def connect(cls, url: str, settings: Sequence[str] = (),
                      reconnect: bool = True) -> Connection:
        conn = cls(url, settings, reconnect)
        await conn._session()
        return conn

    async def _session(self) -> psycopg.AsyncConnection[Row]:
        if self._conn is None or self._conn.closed:
            if self._conn is not None and not self._reconnect:
                raise psycopg.OperationalError("the session is closed")
            conn = await psycopg.AsyncConnection.connect(
                self.url, autocommit=True, row_factory=_row_factory)
            conn.adapters.register_loader("numeric", _NumericLoader)
            conn.adapters.register_dumper(bool, _BoolDumper)
            for statement in self._settings:
                await conn.execute(statement)
            self._conn = conn
        return self._conn

    @property
    def in_transaction(self) -> bool:
        return self._conn is not None and not self._conn.closed and (
            self._conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE)

    def execute(self, sql: str, params: Iterable[Any] = ()) -> _Pending:
        return _Pending(lambda: self._execute(sql, tuple(params)))

    async def _execute(self, sql: str, params: tuple[Any, ...]) -> Cursor:
        if self.trace is not None:
            self.trace(sql)
        conn = await self._session()
        cur = await conn.execute(placeholders(sql) if params else sql, params or None)
        rows = await cur.fetchall() if cur.description is not None else []
        return Cursor(rows, cur.rowcount)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Cursor:
        rows = [tuple(row) for row in rows]
        if not rows:
            return Cursor([], 0)
        if self.trace is not None:
            self.trace(sql)
        conn = await self._session()
        async with conn.cursor() as cur:
            await cur.executemany(placeholders(sql), rows)
            return Cursor([], cur.rowcount)

    async def execute_fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        cur = await self._execute(sql, tuple(params))
        return await cur.fetchall()

    async def script(self, sql: str) -> None:
        """Several statements without parameters (a migration file)."""
        conn = await self._session()
        await conn.execute(sql)  # a file's text, not user input

    async def rollback(self) -> None:
        """ROLLBACK if a transaction is open (also after a cancelled statement)."""
        with contextlib.suppress(psycopg.Error):
            if self.in_transaction:
                await self.execute("ROLLBACK")

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()


# -- migrations ------------------------------------------------------------------------
_DDL = [
    # A rowid alias that numbers itself (AUTOINCREMENT: never reused; identity never is).
    (re.compile(r"\bid\s+INTEGER\s+PRIMARY\s+KEY(\s+AUTOINCREMENT)?\b", re.IGNORECASE),
     "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b", re.IGNORECASE), "BIGINT"),  # SQLite's INTEGER is 64-bit (Telegram ids)
    (re.compile(r"\bREAL\b", re.IGNORECASE), "DOUBLE PRECISION"),  # SQLite's REAL is 8 bytes
    (re.compile(r"\bBLOB\b", re.IGNORECASE), "BYTEA"),
    (re.compile(r"strftime\('%Y-%m-%dT%H:%M:%SZ',\s*'now'\)", re.IGNORECASE),
     "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"),
]


def translate_migration(script: str) -> str:
    """A migration file (written for SQLite) as PostgreSQL runs it."""
    for pattern, replacement in _DDL:
        script = pattern.sub(replacement, script)
    code = re.sub(r"--[^\n]*", "", script)
    if re.search(r"AUTOINCREMENT|\bPRAGMA\b|\bOR\s+(IGNORE|REPLACE)\b|strftime|julianday",
                 code, re.IGNORECASE):
        raise RuntimeError("a migration uses SQLite-only SQL that has no translation")
    return script
