"""Backups: `python -m bot backup FILE`, `python -m bot restore FILE`, and the daily job.

The job (when BACKUP_DIR is set) checks every hour whether the newest backup there is a
day old, and if so writes a new one and deletes all but the newest BACKUP_KEEP. The
files themselves are the record of the last run, so restarts neither skip nor repeat a
day. The copy runs in a thread; the bot goes on answering meanwhile.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from datetime import timedelta
from pathlib import Path

from bot.context import HotlineApplication, HotlineContext
from bot.settings import Settings
from storage import backup as files

log = logging.getLogger(__name__)

CHECK_SECONDS = 3600
FIRST_CHECK_SECONDS = 60
EVERY = timedelta(days=1)


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    make = commands.add_parser(
        "backup", help="copy the database into a new file (safe while the bot runs)")
    make.add_argument("file", help="the new backup file (created readable by you only)")
    restore = commands.add_parser(
        "restore", help="replace the database by a backup (the bot must be stopped)")
    restore.add_argument("file", help="a file made by `backup`")


# PostgreSQL keeps its own backups; a copy made here would be a weaker one.
ON_POSTGRESQL = (
    "error: DATABASE_URL is set: the database is PostgreSQL, which this command does not "
    "copy.\nBack it up with pg_dump (e.g. `pg_dump --format=custom --file=hotline.dump "
    "\"$DATABASE_URL\"`, restored with pg_restore) or with your managed service's "
    "point-in-time recovery (README, \"Backups on PostgreSQL\").")


def run_backup(settings: Settings, args: argparse.Namespace) -> int:
    if settings.database_url is not None:
        print(ON_POSTGRESQL, file=sys.stderr)
        return 1
    try:
        path = files.backup(settings.database_path, args.file)
    except files.BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"backup written to {path}")
    return 0


def run_restore(settings: Settings, args: argparse.Namespace) -> int:
    if settings.database_url is not None:
        print("error: DATABASE_URL is set: restore a PostgreSQL database with pg_restore "
              "(from a pg_dump file) or your managed service's point-in-time recovery, "
              "with the bot stopped", file=sys.stderr)
        return 1
    try:
        kept = files.restore(args.file, settings.database_path)
    except files.BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{settings.database_path} restored from {args.file}")
    if kept is not None:
        print(f"the database it replaced is kept as {kept}")
    return 0


def backup_due(folder: str, now: float | None = None) -> bool:
    made = files.backups_in(folder)
    if not made:
        return True
    age = (now or time.time()) - made[-1].stat().st_mtime
    return age >= EVERY.total_seconds()


async def make_daily_backup(settings: Settings) -> Path | None:
    """A new backup in BACKUP_DIR if the newest is a day old; the old ones pruned."""
    assert settings.backup_dir is not None
    if not backup_due(settings.backup_dir):
        return None
    target = Path(settings.backup_dir) / files.new_backup_name()
    await asyncio.to_thread(files.backup, settings.database_path, target)
    deleted = files.prune(settings.backup_dir, settings.backup_keep)
    log.info("daily backup written; %d older one(s) deleted", len(deleted))
    return target


async def on_backup_due(context: HotlineContext) -> None:
    try:
        await make_daily_backup(context.settings)
    except Exception as exc:  # the next hour retries
        log.error("the daily backup failed (%s: %s); retried in an hour",
                  type(exc).__name__, exc)


def install(app: HotlineApplication, settings: Settings) -> None:
    if settings.backup_dir is None or settings.database_path == ":memory:":
        return
    if settings.database_url is not None:
        log.warning("BACKUP_DIR is ignored on PostgreSQL: back it up with pg_dump or the "
                    "managed service's point-in-time recovery")
        return
    if app.job_queue is None:
        log.warning("no job queue: no daily backups (BACKUP_DIR)")
        return
    app.job_queue.run_repeating(on_backup_due, interval=CHECK_SECONDS,
                                first=FIRST_CHECK_SECONDS, name="backup")
