"""A running bot with a staff group, and shortcuts for the staff desk tests."""
from __future__ import annotations

import contextlib
import csv
import dataclasses
import uuid
from pathlib import Path

from bot.content.directory import load_directory
from bot.context import DIRECTORY, HotlineContext
from bot.resources import data_file
from storage import cases, users
from storage.cases import Evidence, NewCase
from tests.harness import BotHarness
from tests.intake_helpers import onboarded, walk_wage_claim_en

STAFF_CHAT = -1001000000777
ANA, BO, CHAN, OUTSIDER = 300_001, 300_002, 300_003, 300_009
MEMBERS = {ANA: "member", BO: "administrator", CHAN: "member", OUTSIDER: "member"}


def desk_settings(settings, **changes):
    values = {"staff_chat_id": STAFF_CHAT, "staff_language": "en", "on_duty_usernames": ("ana",),
              "escalation_levels": (("supervisor", ("bo",)), ("legal", ("chan",))),
              "admin_user_ids": frozenset({BO})}
    return dataclasses.replace(settings, **{**values, **changes})


@contextlib.asynccontextmanager
async def desk_bot(settings, fake_api, *, forum: bool, members: dict | None = None, **changes):
    """The bot with a staff group that exists before it starts (so the start-up check passes)."""
    group_members = dict(MEMBERS if members is None else members)
    fake_api.api.add_group(STAFF_CHAT, "Hotline staff", is_forum=forum, members=group_members)
    async with BotHarness.started(desk_settings(settings, **changes), fake_api) as harness:
        yield harness


def agree_with(bot: BotHarness, *keys: str) -> None:
    """As if the operator confirmed referral arrangements with these partners (agreement=yes)."""
    with data_file("partners.csv").open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    for row in rows:
        row["agreement"] = "yes" if row["key"] in keys else "no"
    path = Path(bot.settings.database_path).with_name(f"partners-{uuid.uuid4().hex[:6]}.csv")
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    bot.app.bot_data[DIRECTORY] = load_directory(partners_path=path)


def context_of(bot: BotHarness) -> HotlineContext:
    """A callback context like the jobs get, for calling the sweep with a chosen clock."""
    return HotlineContext(bot.app)


def staff(bot: BotHarness):
    return (bot.staff("ana", ANA, "Ana"), bot.staff("bo", BO, "Bo"),
            bot.staff("chan", CHAN, "Chan"), bot.staff("outsider", OUTSIDER, "Out"))


async def confirmed_wage_claim(bot: BotHarness, language: str = "en"):
    """A returnee who sent the English wage claim (photo and voice as proof)."""
    person = await onboarded(bot, language)
    await walk_wage_claim_en(person)
    await person.press("✅ Confirm and send")
    return person


async def stored_case(bot: BotHarness, language: str = "km", **fields):
    """A case written straight to the database (not announced): (reporter id, case)."""
    reporter = fields.pop("reporter_id", None) or 400_000 + len(bot.api.chats)
    await users.get_or_create(bot.db, reporter, language)
    bot.api.private_chat({"id": reporter, "first_name": "Srey"})
    new = NewCase(kind=fields.pop("kind", "G"), draft_id=uuid.uuid4().hex, reporter_id=reporter,
                  reporter_language=language, category=fields.pop("category", "documents"),
                  contact="chat", **fields)
    case, _ = await cases.create(bot.db, new, [Evidence("photo", "file-proof-1", "u1")])
    return reporter, case


def card_of(replies) -> object:
    for reply in replies:
        if "✋ Claim" in reply.labels:
            return reply
    raise AssertionError(f"no case card in {replies}")
