"""The SQL in storage/ runs on SQLite and PostgreSQL alike: no SQLite-only construct outside
the engine layer (storage/db.py, storage/pg.py, and storage/backup.py, which copies the
SQLite file itself), and none in a migration that the runner does not translate.

Every string in the storage modules is read (the SQL is in string literals) and matched
against what PostgreSQL does not run, or runs differently."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from storage import pg
from storage.db import migration_files

STORAGE = Path(__file__).resolve().parents[1] / "storage"
ENGINE_LAYER = {"db.py", "pg.py", "backup.py"}

SQLITE_ONLY = {
    r"\bINSERT\s+OR\s+(IGNORE|REPLACE|ABORT|FAIL|ROLLBACK)\b": "INSERT ... ON CONFLICT DO NOTHING",
    r"\bREPLACE\s+INTO\b": "INSERT ... ON CONFLICT DO UPDATE",
    r"\b(datetime|julianday|strftime|unixepoch|date|time)\s*\(\s*'": "times computed in Python",
    r"\bAUTOINCREMENT\b": "an id the migration runner translates (INTEGER PRIMARY KEY)",
    r"\browid\b|\boid\b|last_insert_rowid|\bchanges\s*\(": "RETURNING id / rowcount",
    r"\bPRAGMA\b": "PRAGMAs belong in storage/db.py",
    r"\bBEGIN\s+(IMMEDIATE|EXCLUSIVE|DEFERRED)\b": "db.transaction()",
    r"\bgroup_concat\s*\(": "string_agg is not on SQLite: join in Python",
    r"\bifnull\s*\(": "COALESCE",
    r"\bjson_(extract|each|array_length|set|insert|object|group_array)\s*\(|->>?\s*'":
        "JSON functions differ: read the JSON in Python",
    r"\bGLOB\b": "LIKE",
    r"\bCOLLATE\s+NOCASE\b": "lower() on both sides",
    r"\btypeof\s*\(|\bprintf\s*\(|\binstr\s*\(": "format or search in Python",
    r"\b(MAX|MIN)\s*\([^()]*,": "MAX/MIN of two values is GREATEST/LEAST on PostgreSQL: CASE",
    r"\bCASE\s+WHEN\s+\?\s+THEN\b": "an integer is not a truth value on PostgreSQL: ? = 1",
    r"\bsqlite_(master|schema|sequence)\b": "the engine layer knows the catalog",
    r"\bLIMIT\s+-1\b": "leave LIMIT out",
}


def strings_in(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string literal, f-strings with their holes as {}."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr):
            text = "".join(part.value if isinstance(part, ast.Constant) else "{}"
                           for part in node.values)
            found.append((node.lineno, text))
    return found


def sqlite_only(text: str) -> list[str]:
    return [f"{match.group(0)!r} (use {advice})" for pattern, advice in SQLITE_ONLY.items()
            for match in re.finditer(pattern, text, re.IGNORECASE)]


def storage_modules() -> list[Path]:
    return [path for path in sorted(STORAGE.glob("*.py")) if path.name not in ENGINE_LAYER]


@pytest.mark.parametrize("path", storage_modules(), ids=lambda path: path.name)
def test_storage_module_has_no_sqlite_only_sql(path):
    problems = [f"{path.name}:{line}: {problem}" for line, text in strings_in(path)
                for problem in sqlite_only(text)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", storage_modules(), ids=lambda path: path.name)
def test_storage_module_talks_to_no_engine_directly(path):
    source = path.read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from)\s+(sqlite3|aiosqlite|psycopg)\b", source, re.MULTILINE), \
        f"{path.name} imports a database driver: go through storage.db"
    assert ".lastrowid" not in source, f"{path.name}: use RETURNING id (PostgreSQL has no lastrowid)"


@pytest.mark.parametrize("version,path", migration_files(), ids=lambda v: str(v))
def test_migration_has_only_what_the_runner_translates(version, path):
    script = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
    translated = {r"\bAUTOINCREMENT\b",
                  r"\b(datetime|julianday|strftime|unixepoch|date|time)\s*\(\s*'"}
    problems = [problem for pattern, advice in SQLITE_ONLY.items() if pattern not in translated
                for problem in [f"{m.group(0)!r} (use {advice})"
                                for m in re.finditer(pattern, script, re.IGNORECASE)]]
    assert not problems, f"{path.name}: " + "; ".join(problems)
    pg.translate_migration(path.read_text(encoding="utf-8"))  # raises on what it cannot


def test_the_check_finds_what_it_looks_for():
    for sql in ("INSERT OR IGNORE INTO t VALUES (?)", "SELECT datetime('now')",
                "SELECT rowid FROM t", "SELECT MAX(a, b) FROM t", "PRAGMA foreign_keys=ON",
                "UPDATE t SET x = CASE WHEN ? THEN 0 ELSE x END"):
        assert sqlite_only(sql), sql
    for sql in ("INSERT INTO t VALUES (?) ON CONFLICT DO NOTHING RETURNING id",
                "SELECT MAX(seq) FROM cases", "SELECT COALESCE(MAX(seq), 0) FROM t"):
        assert not sqlite_only(sql), sql


def test_placeholders_become_psycopg_parameters_outside_quotes():
    assert pg.placeholders("SELECT ? WHERE a LIKE '%?%' AND b = ?") == \
        "SELECT %s WHERE a LIKE '%%?%%' AND b = %s"


def test_migrations_translate_sqlite_types_for_postgresql():
    sql = pg.translate_migration(
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER, at REAL, b BLOB);"
        "CREATE TABLE u (telegram_id INTEGER PRIMARY KEY);")
    assert "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" in sql
    assert "n BIGINT" in sql and "at DOUBLE PRECISION" in sql and "b BYTEA" in sql
    assert "telegram_id BIGINT PRIMARY KEY" in sql

