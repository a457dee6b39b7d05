"""Backups: consistent while the bot writes, 0600, the daily job, restore and its refusal."""
from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time

import pytest

from bot.jobs import backups
from storage import backup
from storage.db import Database
from tests.resilience.process import cli_env, query, start_bot, stop_bot, wait_for

# Copies of the SQLite file; on PostgreSQL the commands refuse (tests/test_engine.py).
pytestmark = pytest.mark.sqlite_only("backups of the SQLite file (PostgreSQL: pg_dump)")


def mode_of(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


async def test_a_backup_taken_while_writing_is_consistent_and_private(tmp_path):
    db = await Database.open(tmp_path / "hotline.sqlite3")
    try:
        await db.execute_write("CREATE TABLE pairs (n INTEGER)")
        stop = asyncio.Event()

        async def write() -> None:  # two rows per transaction: a torn copy has an odd count
            n = 0
            while not stop.is_set():
                async with db.transaction() as conn:
                    await conn.execute("INSERT INTO pairs VALUES (?)", (n,))
                    await conn.execute("INSERT INTO pairs VALUES (?)", (n,))
                n += 1
                await asyncio.sleep(0)

        writer = asyncio.create_task(write())
        await asyncio.sleep(0.2)
        copies = []
        for i in range(5):
            copies.append(await asyncio.to_thread(backup.backup, db.path,
                                                  tmp_path / f"copy-{i}.sqlite3"))
            await asyncio.sleep(0.05)
        stop.set()
        await writer
    finally:
        await db.close()
    counts = []
    for copy in copies:
        assert mode_of(copy) == 0o600
        backup.check(copy)
        with sqlite3.connect(copy) as conn:
            count = conn.execute("SELECT COUNT(*) FROM pairs").fetchone()[0]
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert count % 2 == 0
        counts.append(count)
    assert counts == sorted(counts) and counts[-1] > counts[0] > 0  # the writer went on


def test_a_backup_never_overwrites_a_file(tmp_path):
    source = tmp_path / "hotline.sqlite3"
    with sqlite3.connect(source) as conn:
        conn.execute("CREATE TABLE schema_migrations (version INTEGER)")
    (tmp_path / "taken.sqlite3").write_text("precious")
    with pytest.raises(backup.BackupError, match="exists already"):
        backup.backup(source, tmp_path / "taken.sqlite3")
    assert (tmp_path / "taken.sqlite3").read_text() == "precious"
    with pytest.raises(backup.BackupError, match="no database"):
        backup.backup(tmp_path / "missing.sqlite3", tmp_path / "new.sqlite3")


def run_cli(tmp_path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path,
                          env=cli_env(tmp_path), capture_output=True, text=True, timeout=60)


async def test_backup_and_restore_on_the_command_line(tmp_path, fake_api):
    """A person's language survives backup, a change, and a restore of the backup."""
    api = fake_api.api
    person = {"id": 700_001, "first_name": "Dara", "language_code": "km"}
    process = await start_bot(tmp_path, fake_api)
    try:
        fake_api.queue(api.user_sends(person, "/start"))
        await wait_for(lambda: len(api.sent_to(person["id"])) >= 1)
        fake_api.queue(api.user_presses(person, api.sent_to(person["id"])[-1], "lang:en"))
        await wait_for(lambda: query(tmp_path, "SELECT language FROM users WHERE telegram_id = ?",
                                     (person["id"],)) == [("en",)])
        made = await asyncio.to_thread(run_cli, tmp_path, "backup", "saved/backup.sqlite3")
        assert made.returncode == 0, made.stderr
        assert mode_of(tmp_path / "saved" / "backup.sqlite3") == 0o600
        # restore refuses while the bot runs, and changes nothing
        refused = await asyncio.to_thread(run_cli, tmp_path, "restore", "saved/backup.sqlite3")
        assert refused.returncode == 1
        assert "running bot" in refused.stderr and "Traceback" not in refused.stderr
    finally:
        code, stderr = await stop_bot(process)
    assert code == 0, stderr
    with sqlite3.connect(tmp_path / "hotline.sqlite3") as conn:
        conn.execute("UPDATE users SET language = 'km' WHERE telegram_id = ?", (person["id"],))
    restored = await asyncio.to_thread(run_cli, tmp_path, "restore", "saved/backup.sqlite3")
    assert restored.returncode == 0, restored.stderr
    assert "kept as" in restored.stdout
    assert query(tmp_path, "SELECT language FROM users WHERE telegram_id = ?",
                 (person["id"],)) == [("en",)]
    assert mode_of(tmp_path / "hotline.sqlite3") == 0o600
    kept = [p for p in tmp_path.iterdir() if ".before-restore-" in p.name]
    assert len(kept) == 1 and mode_of(kept[0]) == 0o600
    with sqlite3.connect(kept[0]) as conn:  # the replaced database, kept whole
        assert conn.execute("SELECT language FROM users WHERE telegram_id = ?",
                            (person["id"],)).fetchone() == ("km",)


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    (tmp_path / "notes.sqlite3").write_text("not a database")
    result = run_cli(tmp_path, "restore", "notes.sqlite3")
    assert result.returncode == 1 and "not a database of this bot" in result.stderr
    result = run_cli(tmp_path, "restore", "missing.sqlite3")
    assert result.returncode == 1 and "no file" in result.stderr
    assert not (tmp_path / "hotline.sqlite3").exists()


def test_restore_refuses_while_a_process_holds_the_database(tmp_path):
    database = str(tmp_path / "hotline.sqlite3")
    with sqlite3.connect(tmp_path / "backup.sqlite3") as conn:
        conn.execute("CREATE TABLE schema_migrations (version INTEGER)")
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with backup.in_use(database):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        held.wait(10)
        with pytest.raises(backup.BackupError, match="running bot"):
            backup.restore(tmp_path / "backup.sqlite3", database)
    finally:
        release.set()
        thread.join()
    assert backup.restore(tmp_path / "backup.sqlite3", database) is None  # nothing replaced


async def test_the_daily_job_writes_one_a_day_and_keeps_backup_keep(tmp_path, settings):
    import dataclasses

    folder = tmp_path / "backups"
    settings = dataclasses.replace(settings, backup_dir=str(folder), backup_keep=3)
    db = await Database.open(settings.database_path)
    try:
        first = await backups.make_daily_backup(settings)
        assert first is not None and mode_of(first) == 0o600
        assert await backups.make_daily_backup(settings) is None  # not a day old yet
        for _day in range(1, 5):  # four more days pass
            newest = backup.backups_in(folder)[-1]
            old = time.time() - 86_400 - 60
            os.utime(newest, (old, old))
            await asyncio.sleep(1.01)  # names carry the second
            assert await backups.make_daily_backup(settings) is not None
    finally:
        await db.close()
    kept = backup.backups_in(folder)
    assert len(kept) == 3 and first not in kept
    for path in kept:
        backup.check(path)


async def test_the_daily_job_is_scheduled_only_with_backup_dir(settings, fake_api, tmp_path):
    import dataclasses

    from tests.harness import BotHarness

    async with BotHarness.started(settings, fake_api) as bot:
        assert not bot.app.job_queue.get_jobs_by_name("backup")
    with_dir = dataclasses.replace(settings, backup_dir=str(tmp_path / "b"))
    async with BotHarness.started(with_dir, fake_api) as bot:
        assert len(bot.app.job_queue.get_jobs_by_name("backup")) == 1
