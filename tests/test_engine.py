"""The engine layer: the same storage calls behave the same on SQLite and PostgreSQL (this
file runs on the engine of the test run: HOTLINE_TEST_DATABASE), case references from two
processes at once, and the standby's lock (PostgreSQL only)."""
from __future__ import annotations

import argparse
import asyncio

import pytest

from bot.jobs import backups
from bot.settings import Settings, SettingsError, load_settings
from storage import cases
from storage.db import Database
from storage.standby import Leadership
from tests import engine


def new_case(draft: str, reporter: int = 42) -> cases.NewCase:
    return cases.NewCase(kind="W", draft_id=draft, reporter_id=reporter, reporter_language="km",
                         category="wages", contact="chat")


async def add_user(db: Database, telegram_id: int = 42) -> None:
    await db.execute_write("INSERT INTO users(telegram_id, first_seen, last_seen)"
                           " VALUES (?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                           (telegram_id,))


async def test_two_processes_storing_cases_at_once_never_share_a_reference(tmp_path):
    path = tmp_path / "h.sqlite3"
    first = await Database.open(path)
    second = await Database.open(path)  # another process's connections on the same database
    try:
        await add_user(first)
        made = await asyncio.gather(*(cases.create(db, new_case(f"d{n}"))
                                      for n, db in enumerate([first, second] * 10)))
    finally:
        await first.close()
        await second.close()
    assert sorted(case.seq for case, created in made if created) == list(range(1, 21))


async def test_a_case_stored_without_the_counter_is_not_numbered_twice(tmp_path):
    async with await Database.open(tmp_path / "h.sqlite3") as db:
        await add_user(db)
        await db.execute_write(  # as an import of older cases would
            "INSERT INTO cases(kind, seq, draft_id, reporter_id, reporter_language, category,"
            " contact, created_at, updated_at) VALUES ('W', 7, 'old', 42, 'km', 'wages',"
            " 'chat', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")
        case, created = await cases.create(db, new_case("new"))
        again, created_again = await cases.create(db, new_case("new"))
        other, _ = await cases.create(db, cases.NewCase(
            kind="G", draft_id="g", reporter_id=42, reporter_language="km",
            category="other", contact="chat"))
    assert (case.reference, created) == ("W-0008", True)
    assert (again.reference, created_again) == ("W-0008", False)
    assert other.reference == "G-0001"


async def test_rows_flags_sums_and_rollbacks_are_the_same_on_both_engines(tmp_path):
    async with await Database.open(tmp_path / "h.sqlite3") as db:
        await add_user(db)
        await db.execute_write("UPDATE users SET language_chosen = ? WHERE telegram_id = ?",
                               (True, 42))
        row = await db.fetchone("SELECT telegram_id, language, language_chosen FROM users"
                                " WHERE telegram_id = ?", (42,))
        assert (row[0], row["language"], dict(row)["language_chosen"]) == (42, "km", 1)
        assert list(row.keys()) == ["telegram_id", "language", "language_chosen"]
        total = await db.fetchval("SELECT SUM(language_chosen) FROM users")
        assert total == 1 and isinstance(total, int)
        # and nobody's row
        assert await db.fetchval("SELECT COUNT(*) FROM users WHERE language LIKE 'k%'") == 2
        assert await db.fetchval("SELECT COUNT(*) FROM users WHERE language LIKE ? AND telegram_id > 0",
                                 ("k%",)) == 1
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                await conn.execute("DELETE FROM users WHERE telegram_id = ?", (42,))
                raise RuntimeError("the change is abandoned")
        assert await db.fetchval("SELECT COUNT(*) FROM users WHERE telegram_id = 42") == 1
        rows = await db.write_returning(
            "INSERT INTO users(telegram_id, first_seen, last_seen) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING RETURNING telegram_id", (42, "x", "x"))
        assert rows == []  # already there: nothing inserted, nothing returned
        assert await db.execute_write("UPDATE users SET last_seen = ?", ("y",)) == 2


def test_database_url_is_read_checked_and_never_printed():
    url = "postgresql://hotline:s3cret@db.example.org/hotline"
    settings = load_settings({"DATABASE_URL": url}, env_file=None)
    assert settings.database == url and "s3cret" not in repr(settings)
    assert load_settings({}, env_file=None).database == "./hotline.sqlite3"
    with pytest.raises(SettingsError) as refused:
        load_settings({"DATABASE_URL": "mysql://root:s3cret@h/db"}, env_file=None)
    assert "DATABASE_URL" in str(refused.value) and "s3cret" not in str(refused.value)


def test_backup_and_restore_on_postgresql_point_to_pg_dump_and_copy_nothing(tmp_path, capsys):
    settings = Settings(database_url="postgresql://hotline:s3cret@db.example.org/hotline")
    target = tmp_path / "copy"
    assert backups.run_backup(settings, argparse.Namespace(file=str(target))) == 1
    assert backups.run_restore(settings, argparse.Namespace(file=str(target))) == 1
    said = capsys.readouterr().err
    assert "pg_dump" in said and "point-in-time recovery" in said and "pg_restore" in said
    assert "s3cret" not in said and not target.exists()


@pytest.mark.skipif(not engine.POSTGRESQL, reason="the advisory lock is PostgreSQL's")
async def test_one_instance_holds_the_lock_and_the_standby_gets_it_when_it_goes(tmp_path):
    url = engine.url_for(tmp_path / "hotline.sqlite3")
    assert url is not None
    active, standby = await Leadership.connect(url), await Leadership.connect(url)
    try:
        assert await active.try_acquire()
        assert not await standby.try_acquire()
        stop = asyncio.Event()
        waiting = asyncio.create_task(standby.acquire(stop, poll_seconds=0.1))
        await asyncio.sleep(0.3)
        assert not waiting.done()  # still the standby
        await active.close()  # the active process's session ends (as when it dies)
        assert await asyncio.wait_for(waiting, 5) is True
        watch = asyncio.create_task(standby.lost(check_seconds=0.05))
        await asyncio.sleep(0.2)
        assert not watch.done()  # its session answers: it stays active
        watch.cancel()
    finally:
        await active.close()
        await standby.close()


@pytest.mark.skipif(not engine.POSTGRESQL, reason="the advisory lock is PostgreSQL's")
async def test_a_standby_told_to_stop_while_waiting_stops(tmp_path):
    url = engine.url_for(tmp_path / "hotline.sqlite3")
    assert url is not None
    active, standby = await Leadership.connect(url), await Leadership.connect(url)
    try:
        assert await active.try_acquire()
        stop = asyncio.Event()
        waiting = asyncio.create_task(standby.acquire(stop, poll_seconds=0.1))
        await asyncio.sleep(0.2)
        stop.set()
        assert await asyncio.wait_for(waiting, 5) is False
    finally:
        await active.close()
        await standby.close()
