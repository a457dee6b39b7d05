"""Storage: migrations, connection settings, users, and the PTB persistence rows."""
import os
import stat

import pytest

from bot.persistence import SQLitePersistence
from storage import users
from storage.db import Database, migration_files


async def test_migrations_are_applied_once_and_recorded(tmp_path):
    path = tmp_path / "h.sqlite3"
    db = await Database.open(path)
    versions = [row[0] for row in await db.fetchall("SELECT version FROM schema_migrations")]
    assert versions == [v for v, _ in migration_files()]
    assert await db.migrate() == []  # nothing left to apply
    await db.close()
    db = await Database.open(path)
    assert await db.migrate() == []
    await db.close()


@pytest.mark.sqlite_only("SQLite's PRAGMAs")
async def test_connection_uses_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    async with await Database.open(tmp_path / "h.sqlite3") as db:
        assert (await db.fetchval("PRAGMA journal_mode")).lower() == "wal"
        assert await db.fetchval("PRAGMA foreign_keys") == 1
        assert await db.fetchval("PRAGMA busy_timeout") >= 1000


@pytest.mark.sqlite_only("the SQLite file's permissions")
async def test_database_file_is_private(tmp_path):
    path = tmp_path / "h.sqlite3"
    async with await Database.open(path):
        pass
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


async def test_users_keep_language_and_consent(tmp_path):
    async with await Database.open(tmp_path / "h.sqlite3") as db:
        user = await users.get_or_create(db, 42, "en")
        assert user.language == "en" and not user.language_chosen and user.consent_at is None
        await users.set_language(db, 42, "km")
        await users.record_consent(db, 42)
        again = await users.get_or_create(db, 42, "en")
        assert again.language == "km" and again.language_chosen and again.consent_at
        assert again.first_seen == user.first_seen
        assert await users.count(db) == 1


async def test_a_failed_transaction_leaves_nothing(tmp_path):
    async with await Database.open(tmp_path / "h.sqlite3") as db:
        try:
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO users(telegram_id, first_seen, last_seen) VALUES (1, 'a', 'a')")
                raise RuntimeError("crash in the middle")
        except RuntimeError:
            pass
        assert await users.count(db) == 0


async def test_persistence_round_trips_conversations_and_user_data(tmp_path):
    path = tmp_path / "h.sqlite3"
    async with await Database.open(path) as db:
        persistence = SQLitePersistence(db)
        await persistence.update_conversation("wage", (10, 10), "ask_amount")
        await persistence.update_conversation("wage", (11, 11), "ask_employer")
        await persistence.update_conversation("wage", (11, 11), None)  # ended
        await persistence.update_user_data(10, {"lang": "km", "draft": {"amount": "១២៥០០"}})
        await persistence.flush()
    async with await Database.open(path) as db:
        persistence = SQLitePersistence(db)
        assert await persistence.get_conversations("wage") == {(10, 10): "ask_amount"}
        assert await persistence.get_user_data() == {10: {"lang": "km", "draft": {"amount": "១២៥០០"}}}
        await persistence.drop_user_data(10)
        assert await persistence.get_user_data() == {}


async def test_a_failed_persistence_write_is_kept_for_the_next_one(tmp_path, monkeypatch):
    import pytest

    from storage import conversations as rows

    real_save = rows.save

    async def locked(*args):
        raise RuntimeError("database is locked")

    async with await Database.open(tmp_path / "h.sqlite3") as db:
        persistence = SQLitePersistence(db)
        monkeypatch.setattr(rows, "save", locked)
        with pytest.raises(RuntimeError):
            await persistence.update_conversation("report", (7, 7), "ask_amount")
        monkeypatch.setattr(rows, "save", real_save)
        await persistence.update_user_data(7, {"lang": "en"})  # the next interval
        assert await persistence.get_conversations("report") == {(7, 7): "ask_amount"}
        assert await persistence.get_user_data() == {7: {"lang": "en"}}
