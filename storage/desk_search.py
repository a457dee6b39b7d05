"""Reads for the staff's case lists: /cases, /mine and /search, with their filters.

Lists are ordered urgent first, then newest first. The text matching of /search is
not SQL: bot/content/case_search.py scores the rows that pass the filters.
"""
from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database
from storage.desk import DeskCase, _to_desk_case


@dataclass(frozen=True)
class Filters:
    """None: no condition. status 'open' is every status but closed."""

    status: str | None = None
    province: str | None = None      # key in data/thai_provinces.csv
    kind: str | None = None          # 'W' or 'G'
    category: str | None = None
    assigned_to: int | None = None   # staff id ("mine")


def _where(filters: Filters) -> tuple[str, list[str | int]]:
    where: list[str] = []
    params: list[str | int] = []
    if filters.status == "open":
        where.append("status != 'closed'")
    elif filters.status is not None:
        where.append("status = ?")
        params.append(filters.status)
    for column, value in (("province", filters.province), ("kind", filters.kind),
                          ("category", filters.category),
                          ("assigned_staff_id", filters.assigned_to)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    return (" WHERE " + " AND ".join(where)) if where else "", params


async def count(db: Database, filters: Filters) -> int:
    where, params = _where(filters)
    return await db.fetchval(f"SELECT COUNT(*) FROM cases{where}", params)


async def page(db: Database, filters: Filters, limit: int, offset: int) -> list[DeskCase]:
    """One page of the cases that pass the filters: urgent first, newest first."""
    where, params = _where(filters)
    rows = await db.fetchall(f"SELECT * FROM cases{where} ORDER BY urgent DESC, id DESC"
                             " LIMIT ? OFFSET ?", (*params, limit, offset))
    return [_to_desk_case(row) for row in rows]


# What /search matches on (bot/content/case_search.py), and no more: reading whole cases for
# thousands of rows would take most of a search's time.
SEARCHED_COLUMNS = ("id", "kind", "seq", "anonymous", "employer", "workplace", "recruiter_name",
                    "place", "province", "reporter_name", "home_province")


async def searchable(db: Database, filters: Filters) -> list[dict]:
    """The searched columns of every case that passes the filters, in list order."""
    where, params = _where(filters)
    rows = await db.fetchall(f"SELECT {', '.join(SEARCHED_COLUMNS)} FROM cases{where}"
                             " ORDER BY urgent DESC, id DESC", params)
    return [dict(row) for row in rows]


async def by_ids(db: Database, case_ids: list[int]) -> list[DeskCase]:
    """These cases, in the order given (one page of search results)."""
    if not case_ids:
        return []
    marks = ", ".join("?" for _ in case_ids)
    rows = await db.fetchall(f"SELECT * FROM cases WHERE id IN ({marks})", case_ids)
    found = {row["id"]: _to_desk_case(row) for row in rows}
    return [found[case_id] for case_id in case_ids if case_id in found]
