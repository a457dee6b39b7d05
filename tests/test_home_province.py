"""Home province (where the person lives now, in Cambodia): asked once, kept on the person,
copied to each case, and counted in /stats, `python -m bot stats` and the export."""
from __future__ import annotations

import asyncio
import csv
import io

from storage import reporters
from storage.db import Database
from tests.desk_helpers import confirmed_wage_claim, desk_bot, staff
from tests.intake_helpers import (
    answer_safety_questions,
    case_rows,
    onboarded,
    walk_wage_claim_en,
)
from tests.test_cli import run_cli
from tests.test_desk_reports import _case


async def test_asked_once_kept_on_the_person_and_copied_to_each_case(bot):
    person = await onboarded(bot, "en")
    summary = (await walk_wage_claim_en(person))[-1]  # chooses Battambang, then Woman
    assert "Home province (where you live now): Battambang" in summary.text
    await person.press("✅ Confirm and send")
    assert await reporters.home_province(bot.db, person.id) == "battambang"
    await person.press("🏠 Main menu")
    await person.press("📣 Report a problem")
    await person.press_data("rp:cat:other")
    await answer_safety_questions(person)
    await person.send("It was hard.")
    await person.press_data("rp:done")
    await person.press_data("rp:where:KH")
    await person.press_data("rp:skip")
    await person.press_data("rp:anon:named")
    replies = await person.press_data("rp:contact:chat")
    replies = await person.press_data("rp:share:no")
    assert replies[-1].text.startswith("Please check your report:")  # neither asked again
    await person.press("✅ Confirm and send")
    rows = await case_rows(bot, person)
    assert [r["home_province"] for r in rows] == ["battambang", "battambang"]


async def test_skippable_and_worded_as_where_you_live_in_khmer(bot):
    person = await onboarded(bot, "km")
    await person.send("/menu")
    await person.press_data("menu:report")
    await person.press_data("rp:cat:other")
    await answer_safety_questions(person)
    await person.send("បញ្ហា")
    await person.press_data("rp:done")
    await person.press_data("rp:where:KH")
    await person.press_data("rp:skip")
    await person.press_data("rp:anon:named")
    await person.press_data("rp:contact:chat")
    question = (await person.press_data("rp:share:no"))[-1]
    assert "រស់នៅ" in question.text and "កំណើត" not in question.text  # not "birth province"
    assert "បាត់ដំបង" in question.labels
    replies = await person.press_data("rp:home:atlantis")  # forged: asked again
    assert replies[-1].text == question.text
    await person.press_data("rp:home:unsaid")
    assert await reporters.home_province(bot.db, person.id) == "unsaid"


def _seed(path) -> None:
    async def seed():
        async with await Database.open(path) as db:
            await _case(db, 1, home_province="battambang", reporter_gender="woman")
            await _case(db, 2, home_province="battambang", reporter_gender="man")
            await _case(db, 3, home_province="siem_reap", reporter_gender="woman")
            await _case(db, 4)
    asyncio.run(seed())


def test_stats_and_export_by_home_province(tmp_path):
    _seed(tmp_path / "hotline.sqlite3")
    out = run_cli(tmp_path, "stats", "--language", "en").stdout
    assert ("By home province (where the reporter lives now): Battambang 2, Siem Reap 1, "
            "Not given 1") in out
    assert "By home province and gender: Battambang/Woman 1, Battambang/Man 1, " \
        "Siem Reap/Woman 1, Not given/Not given 1" in out
    result = run_cli(tmp_path, "export", "cases")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["home_province"], r["reporter_gender"]) for r in rows] == [
        ("battambang", "woman"), ("battambang", "man"), ("siem_reap", "woman"), ("", "")]


async def test_staff_stats_in_the_group(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=False) as bot:
        ana, *_ = staff(bot)
        await confirmed_wage_claim(bot)
        stats = next(r.text for r in await ana.send("/stats") if "By home province" in r.text)
        assert "By home province (where the reporter lives now): Battambang 1" in stats
        assert "By home province and gender: Battambang/Woman 1" in stats


async def test_delete_forgets_the_home_province(bot):
    person = await onboarded(bot, "en")
    await walk_wage_claim_en(person)
    await person.press("✅ Confirm and send")
    await person.send("/delete")
    await person.press_data(next(d for _, d in person.latest_with_buttons().buttons
                                 if d.startswith("pv:del:yes")))
    assert await reporters.home_province(bot.db, person.id) is None
