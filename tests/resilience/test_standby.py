"""A standby on PostgreSQL: two `python -m bot run` processes on one database, the leader
SIGKILLed in the middle of a wage claim, the standby takes over and the form goes on.

Only the instance that holds the advisory lock (storage/standby.py) polls Telegram and
runs the jobs; the other asks for the lock every second.
"""
from __future__ import annotations

import asyncio
import signal

import pytest

from tests import engine
from tests.desk_helpers import ANA, STAFF_CHAT
from tests.intake_helpers import onboarded
from tests.resilience.journeys import WAGE_CLAIM, walk
from tests.resilience.process import ProcessBot, start_bot, wait_for
from tests.resilience.test_crash import STAFF_ENV, cards, cases_of, persisted

pytestmark = pytest.mark.skipif(
    not engine.POSTGRESQL, reason="a standby needs PostgreSQL (HOTLINE_TEST_DATABASE=postgresql)")

TAKEOVER_SECONDS = 10.0  # the standby asks every second; the rest is its start-up


class Standby:
    """The second process, its log read as it runs (a full pipe would stop it)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process, self.log = process, []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for line in self.process.stderr:
            self.log.append(line.decode(errors="replace"))

    def said(self, words: str) -> bool:
        return any(words in line for line in self.log)

    async def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(self._reader, 30)
        return await asyncio.wait_for(self.process.wait(), 30)


async def test_the_standby_takes_over_a_killed_leader_and_the_form_goes_on(tmp_path, fake_api):
    fake_api.api.add_group(STAFF_CHAT, "Hotline staff", is_forum=True, members={ANA: "member"})
    leader = await ProcessBot(tmp_path, fake_api, **STAFF_ENV).start()
    standby = Standby(await start_bot(tmp_path, fake_api, stdout=asyncio.subprocess.DEVNULL,
                                      **STAFF_ENV))
    try:
        await wait_for(lambda: standby.said("standby: another instance is active"),
                       what="the second instance to wait as a standby")
        person = await onboarded(leader, "km")
        await walk(person, WAGE_CLAIM[:5])  # who, group size, province, employer
        await wait_for(lambda: persisted(leader, person) == ("ask_workplace", "workplace"),
                       what="the form's position to be written")
        assert not standby.said("taking over")
        assert not standby.said("the bot is running")  # it neither polled nor ran jobs

        await leader.kill()
        await wait_for(lambda: standby.said("taking over"), timeout=TAKEOVER_SECONDS,
                       what="the standby to take the lock")
        await leader.deliver(None)  # the probe is answered: by the standby, the leader is dead

        question = person.latest_with_buttons()  # the workplace question asked before the kill
        assert "rp:skip" in [data for _, data in question.buttons]
        summary = await walk(person, WAGE_CLAIM[5:-1])
        assert "Golden Seafood Co." in summary[-1].text  # typed before the kill
        replies = await walk(person, WAGE_CLAIM[-1:])
        assert "W-0001" in replies[-1].text
        await wait_for(lambda: len(cards(fake_api.api)) == 1, what="the case card")
    finally:
        if leader.process is not None:
            await leader.kill()
        code = await standby.stop()
    assert code == 0, "".join(standby.log[-20:])
    [case] = cases_of(leader, person)
    assert case[1:6] == ("W", 1, 12, "chonburi", "Golden Seafood Co.")


async def test_a_standby_stopped_while_waiting_exits_cleanly(tmp_path, fake_api):
    leader = await ProcessBot(tmp_path, fake_api).start()
    standby = Standby(await start_bot(tmp_path, fake_api, stdout=asyncio.subprocess.DEVNULL))
    try:
        await wait_for(lambda: standby.said("standby: another instance is active"),
                       what="the second instance to wait as a standby")
        assert await standby.stop() == 0
        assert standby.said("stopping (standby)")
    finally:
        code, stderr = await leader.stop()
    assert code == 0, stderr
