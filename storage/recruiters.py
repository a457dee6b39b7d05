"""The recruiter registry (agencies and import history) and the anonymous search log."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from storage.clock import now_text
from storage.db import Database, Row

STATUSES = ("active", "suspended", "revoked", "expired")
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Recruiter:
    """One agency as listed; `id` is None until stored."""

    licence_no: str
    name_latin: str
    name_khmer: str
    aliases: tuple[str, ...]
    status: str
    valid_until: str  # YYYY-MM-DD or ""
    destinations: tuple[str, ...]
    address: str
    source: str
    as_of: str  # YYYY-MM-DD
    id: int | None = None


@dataclass(frozen=True)
class ImportRecord:
    id: int
    imported_at: str
    file_name: str
    row_count: int
    is_sample: bool
    source: str
    as_of: str


_COLUMNS = ("licence_no, name_latin, name_khmer, aliases, status, valid_until,"
            " destinations, address, source, as_of")


def _to_recruiter(row: Row) -> Recruiter:
    return Recruiter(
        id=row["id"],
        licence_no=row["licence_no"],
        name_latin=row["name_latin"],
        name_khmer=row["name_khmer"],
        aliases=_split(row["aliases"]),
        status=row["status"],
        valid_until=row["valid_until"],
        destinations=_split(row["destinations"]),
        address=row["address"],
        source=row["source"],
        as_of=row["as_of"],
    )


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(LIST_SEPARATOR) if part)


def _to_import(row: Row) -> ImportRecord:
    return ImportRecord(
        id=row["id"], imported_at=row["imported_at"], file_name=row["file_name"],
        row_count=row["row_count"], is_sample=bool(row["is_sample"]),
        source=row["source"], as_of=row["as_of"],
    )


async def replace_registry(
    db: Database, recruiters: list[Recruiter], *, file_name: str, is_sample: bool
) -> int:
    """Replace every agency with `recruiters` in one transaction; returns the import id."""
    source = Counter(r.source for r in recruiters).most_common(1)[0][0] if recruiters else ""
    as_of = max((r.as_of for r in recruiters), default="")
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM recruiters")
        await conn.executemany(
            f"INSERT INTO recruiters ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (r.licence_no, r.name_latin, r.name_khmer, LIST_SEPARATOR.join(r.aliases),
                 r.status, r.valid_until, LIST_SEPARATOR.join(r.destinations), r.address,
                 r.source, r.as_of)
                for r in recruiters
            ],
        )
        cursor = await conn.execute(
            "INSERT INTO recruiter_imports"
            " (imported_at, file_name, row_count, is_sample, source, as_of)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (now_text(), file_name, len(recruiters), int(is_sample), source, as_of),
        )
        return int((await cursor.fetchone())[0])


async def all_recruiters(db: Database) -> list[Recruiter]:
    """The whole registry in import (file) order."""
    rows = await db.fetchall(f"SELECT id, {_COLUMNS} FROM recruiters ORDER BY id")
    return [_to_recruiter(row) for row in rows]


async def get(db: Database, recruiter_id: int) -> Recruiter | None:
    row = await db.fetchone(f"SELECT id, {_COLUMNS} FROM recruiters WHERE id = ?", (recruiter_id,))
    return None if row is None else _to_recruiter(row)


async def latest_import(db: Database) -> ImportRecord | None:
    """The import that the registry currently holds (a primary-key lookup: cheap per search)."""
    row = await db.fetchone("SELECT * FROM recruiter_imports ORDER BY id DESC LIMIT 1")
    return None if row is None else _to_import(row)


async def log_search(db: Database, query: str, query_key: str, result_kind: str) -> None:
    """Record a search with no trace of who made it."""
    await db.execute_write(
        "INSERT INTO recruiter_searches (query, query_key, result_kind, searched_at)"
        " VALUES (?, ?, ?, ?)",
        (query, query_key, result_kind, now_text()),
    )


async def most_asked(
    db: Database, result_kind: str, since: str, limit: int = 20
) -> list[tuple[str, int]]:
    """(query, count) of the searches of one kind since a UTC time text, most asked first."""
    rows = await db.fetchall(
        "SELECT MIN(query) AS query, COUNT(*) AS asked FROM recruiter_searches"
        " WHERE result_kind = ? AND searched_at >= ?"
        " GROUP BY query_key ORDER BY asked DESC, query LIMIT ?",
        (result_kind, since, limit),
    )
    return [(row["query"], row["asked"]) for row in rows]
