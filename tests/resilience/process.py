"""`python -m bot run` as a separate process against the fake Bot API: start, stop, kill.

The crash tests need the real process (a SIGKILL in the middle of its work), so
these helpers start it with the test's environment, stop it as an operator does
(SIGTERM) or kill it, and read its database while it runs (the SQLite file, or on a
PostgreSQL test run the database standing in for it: tests/engine.py).

ProcessBot has the same person()/staff()/deliver() as tests.harness.BotHarness, so
the harness's Person and StaffMember (and the walks in tests/intake_helpers.py)
drive the subprocess too. An update is fully processed once its row in the bot's inbox
is marked done.
"""
from __future__ import annotations

import asyncio
import itertools
import os
import signal
import sys
from pathlib import Path
from typing import Any, ClassVar

from tests import engine
from tests.fake_api import FakeBotAPI
from tests.harness import Person, StaffMember

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST"
WAIT_SECONDS = 20.0  # the longest any wait for the bot may take

_user_ids = itertools.count(700_001)


def cli_env(tmp_path, **extra) -> dict:
    """The environment of `python -m bot ...`: no settings leak in from the test runner."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BOT_", "STAFF_", "ADMIN_", "DATABASE_"))}
    env.update(DATABASE_PATH=str(tmp_path / "hotline.sqlite3"), PYTHONPATH=str(ROOT))
    url = engine.url_for(env["DATABASE_PATH"])
    if url is not None:
        env["DATABASE_URL"] = url
    env.update(extra)
    return env


async def wait_for(predicate, timeout: float = WAIT_SECONDS, what: str = "the bot") -> None:
    """Poll a plain predicate every 50 ms until it is true, at most `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def start_bot(tmp_path, fake_api: FakeBotAPI, *, stdout=asyncio.subprocess.PIPE,
                    **env) -> asyncio.subprocess.Process:
    """`python -m bot run` in tmp_path, polling the fake API; env: extra settings."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path,
        env=cli_env(tmp_path, BOT_TOKEN=TOKEN, BOT_API_BASE_URL=fake_api.base_url, **env),
        stdout=stdout, stderr=asyncio.subprocess.PIPE,
    )


async def stop_bot(process: asyncio.subprocess.Process) -> tuple[int, str]:
    """SIGTERM, as an operator stops it; (exit code, stderr)."""
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    return process.returncode, stderr.decode()


async def kill(process: asyncio.subprocess.Process) -> None:
    """SIGKILL: no clean-up of any kind, as in a power cut or an out-of-memory kill."""
    process.send_signal(signal.SIGKILL)
    await asyncio.wait_for(process.communicate(), 30)


def query(tmp_path, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows from the bot's database (also while the bot runs)."""
    return engine.query(tmp_path / "hotline.sqlite3", sql, params)


class ProcessBot:
    """The running subprocess, driven like BotHarness (harness.Person, StaffMember)."""

    PROBE: ClassVar[dict[str, Any]] = {"id": 799_999, "first_name": "Probe", "language_code": "en"}

    def __init__(self, tmp_path, fake_api: FakeBotAPI, **env) -> None:
        self.tmp_path, self.fake, self.env = tmp_path, fake_api, env
        self.process: asyncio.subprocess.Process | None = None

    @property
    def api(self):
        return self.fake.api

    async def start(self) -> ProcessBot:
        self.process = await start_bot(self.tmp_path, self.fake, **self.env)
        await self.deliver(None)  # up and answering
        return self

    async def kill(self) -> None:
        assert self.process is not None
        await kill(self.process)
        self.process = None

    async def stop(self) -> tuple[int, str]:
        assert self.process is not None
        code, stderr = await stop_bot(self.process)
        self.process = None
        return code, stderr

    async def deliver(self, update: dict | None, *, settle: bool = True) -> None:
        """Queue the update and wait until the bot has handled it (its inbox row is done);
        with no update, until the bot answers a probe (it is up)."""
        if update is None:
            before = len(self.api.sent_to(self.PROBE["id"]))
            self.fake.queue(self.api.user_sends(self.PROBE, "/help"))
            await wait_for(lambda: len(self.api.sent_to(self.PROBE["id"])) > before)
            return
        self.fake.queue(update)
        await wait_for(lambda: self.handled(update["update_id"]),
                       what=f"update {update['update_id']} to be handled")

    def handled(self, update_id: int) -> bool:
        try:
            rows = self.rows("SELECT done_at FROM inbox WHERE update_id = ?", (update_id,))
        except engine.DATABASE_ERRORS:  # the bot has not made the table yet
            return False
        return bool(rows) and rows[0][0] is not None

    def person(self, language_code: str | None = "km", user_id: int | None = None,
               first_name: str = "Sokha") -> Person:
        user = {"id": user_id or next(_user_ids), "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return Person(self, user)  # type: ignore[arg-type]

    def staff(self, username: str, user_id: int, first_name: str, chat_id: int) -> StaffMember:
        user = {"id": user_id, "first_name": first_name, "username": username}
        return StaffMember(self, user, chat_id)  # type: ignore[arg-type]

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return query(self.tmp_path, sql, params)
