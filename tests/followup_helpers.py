"""Shortcuts for the follow-up tests: a bot whose follow-up clock the test sets, and cases."""
from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime, timedelta

from bot.jobs import followups as sender
from bot.jobs.followup_time import CLOCK
from flows.desk import thread as desk_thread
from storage import cases, desk, followups, users
from storage.cases import NewCase
from tests.desk_helpers import context_of, desk_bot, staff
from tests.harness import BotHarness, Person


@contextlib.asynccontextmanager
async def followup_bot(settings, fake_api, **changes):
    """The bot with a forum staff group; its own sweep waits an hour, so tests sweep."""
    values = {"followup_sweep_seconds": 3600.0, **changes}
    async with desk_bot(settings, fake_api, forum=True, **values) as bot:
        yield bot


def set_clock(bot: BotHarness, moment: datetime) -> None:
    bot.app.bot_data[CLOCK] = lambda: moment


async def sweep_at(bot: BotHarness, moment: datetime) -> int:
    """Run the follow-up sweep as the job does, with the clock at `moment`, and let the
    outbox sender deliver what it handed over; returns how many follow-ups were sent."""
    set_clock(bot, moment)
    before = await sent_count(bot)
    await sender.sweep(context_of(bot))
    await bot.settle()  # the outbox sender delivers them (and what they queued for staff)
    return await sent_count(bot) - before


async def sent_count(bot: BotHarness) -> int:
    return int(await bot.db.fetchval("SELECT COUNT(*) FROM followups WHERE state = 'sent'"))


async def outbox_row(bot: BotHarness, followup_id: int) -> dict:
    """The outbox row that delivers a follow-up."""
    row = await bot.db.fetchone("SELECT * FROM outbox WHERE followup_id = ?", (followup_id,))
    assert row is not None
    return dict(row)


def daytime_after(moment: datetime, bot: BotHarness, hour: int = 10) -> datetime:
    """The first `hour` o'clock (hotline time zone) at or after `moment`: outside quiet hours."""
    local = moment.astimezone(bot.settings.timezone)
    candidate = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if candidate < local:
        candidate += timedelta(days=1)
    return candidate.astimezone(UTC)


async def reported_case(bot: BotHarness, language: str = "km", **fields):
    """A case stored as intake stores it (with its reassurance): (the reporter, the case)."""
    person: Person = bot.person(language_code=language)
    await users.get_or_create(bot.db, person.id, language)
    bot.api.private_chat(person.user)
    new = NewCase(kind="G", draft_id=uuid.uuid4().hex, reporter_id=person.id,
                  reporter_language=language, category=fields.pop("category", "documents"),
                  contact=fields.pop("contact", "chat"), **fields)
    case, _ = await cases.create(bot.db, new,
                                 reassure_after=bot.settings.followup_no_reply_after)
    return person, case


async def topic_of(bot: BotHarness, case_id: int) -> int:
    """The case's forum topic (announcing the case first)."""
    await desk_thread.announce(context_of(bot), case_id)
    await bot.settle()  # the outbox sender makes the topic and posts the card
    thread = await desk.thread(bot.db, case_id)
    assert thread is not None and thread.thread_id is not None
    return thread.thread_id


async def rows(bot: BotHarness, case_id: int) -> list[dict]:
    found = await bot.db.fetchall("SELECT * FROM followups WHERE case_id = ? ORDER BY id",
                                  (case_id,))
    return [dict(row) for row in found]


def texts(person: Person, needle: str) -> list[str]:
    return [reply.text for reply in person.chat if needle in reply.text]


async def closed_and_checked(bot: BotHarness, language: str, outcome: str = "resolved"):
    """A case closed by staff whose after-close check has gone out to the person.

    Returns (staff member, person, case, thread id, the follow-up row).
    """
    ana, *_ = staff(bot)
    person, case = await reported_case(bot, language)
    topic = await topic_of(bot, case.id)
    await ana.send(f"/close {outcome}", thread_id=topic)
    [row] = await followups.of_case(bot.db, case.id)
    assert await sweep_at(bot, daytime_after(row.due, bot)) == 1
    return ana, person, case, topic, row
