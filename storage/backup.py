"""Backups of the SQLite database with SQLite's online backup API.

The backup API copies a consistent snapshot while the bot goes on writing (WAL: its
writers are not blocked). Every file is created readable by its owner only (0600).
A running bot holds a shared lock on `<database>.lock` (`in_use`); restore takes it
exclusively, so it refuses to overwrite a database that a bot has open.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

BACKUP_PREFIX = "hotline-"
BACKUP_SUFFIX = ".sqlite3"


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why (no personal data)."""


def _create_private(path: Path) -> None:
    """Create `path` 0600; an existing file is never overwritten."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise BackupError(f"{path} exists already; choose a new file name") from None
    os.close(fd)


def backup(database_path: str | os.PathLike[str], target: str | os.PathLike[str]) -> Path:
    """Copy the database into the new file `target` (0600), consistent even while the bot
    writes. Blocking: call it in a thread from async code."""
    source_path, target = Path(database_path), Path(target)
    if not source_path.is_file():
        raise BackupError(f"there is no database at {source_path}")
    target.parent.mkdir(parents=True, exist_ok=True)
    _create_private(target)
    try:
        with contextlib.closing(sqlite3.connect(f"file:{source_path}?mode=ro", uri=True,
                                                timeout=30)) as source, \
                contextlib.closing(sqlite3.connect(target)) as copy:
            source.backup(copy)  # all pages in one step: one snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    except sqlite3.Error as exc:
        target.unlink(missing_ok=True)
        raise BackupError(f"the backup failed: {exc}") from None
    return target


def check(path: str | os.PathLike[str]) -> None:
    """Raise BackupError unless `path` is an intact database of this bot."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"there is no file {path}")
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is damaged (integrity check failed)")
            conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()
    except sqlite3.DatabaseError:
        raise BackupError(f"{path} is not a database of this bot") from None


@contextlib.contextmanager
def in_use(database_path: str) -> Iterator[None]:
    """Held by a running bot (and the console): restore refuses while anyone holds it.
    Nothing to hold on PostgreSQL (a URL): restore is the server's business there."""
    if database_path == ":memory:" or database_path.startswith(("postgresql:", "postgres:")):
        yield
        return
    with _lock_file(database_path) as fd:
        fcntl.flock(fd, fcntl.LOCK_SH)  # waits while a restore runs
        yield


@contextlib.contextmanager
def _lock_file(database_path: str) -> Iterator[int]:
    lock = Path(f"{database_path}.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        yield fd
    finally:
        os.close(fd)  # also releases the lock


def restore(backup_path: str | os.PathLike[str], database_path: str) -> Path | None:
    """Replace the database by the backup; the database it replaces is kept beside it
    (returned; None if there was none). Refuses while a bot has the database open."""
    check(backup_path)
    target = Path(database_path)
    with _lock_file(database_path) as fd:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(f"a running bot has {target} open: stop it first") from None
        kept = None
        if target.exists():
            kept = target.with_name(f"{target.name}.before-restore-{_stamp()}")
            backup(target, kept)  # also takes what is still in its WAL
        for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)
        backup(backup_path, target)
        return kept


def _stamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def new_backup_name(moment: datetime | None = None) -> str:
    return f"{BACKUP_PREFIX}{_stamp(moment)}{BACKUP_SUFFIX}"


def backups_in(folder: str | os.PathLike[str]) -> list[Path]:
    """The backups the daily job made in `folder`, oldest first (names sort by time)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.startswith(BACKUP_PREFIX)
                  and p.name.endswith(BACKUP_SUFFIX) and p.is_file())


def prune(folder: str | os.PathLike[str], keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups in `folder`; returns the deleted ones."""
    old = backups_in(folder)[:-keep] if keep > 0 else []
    for path in old:
        path.unlink(missing_ok=True)
    return old
