"""Facts stay visible: every fact has a source and a checked month; stale ones are listed
at start-up, by `python -m bot facts` and by /facts; only a missing source or date fails."""
from __future__ import annotations

import asyncio
from datetime import date

import pytest
from babel.messages.catalog import Message

from bot.admin import catalogs
from bot.content import facts
from bot.content.directory import load_directory
from bot.content.services import load_content
from storage.db import Database
from tests import recruiter_data
from tests.desk_helpers import ANA, desk_bot, staff
from tests.resilience.process import start_bot, stop_bot, wait_for
from tests.test_cli import run_cli


def test_months_old_and_stale():
    old, new = facts.Fact("a:old", "somewhere", "2025-01"), facts.Fact("a:new", "there", "2026-11")
    assert old.months_old(date(2026, 12, 1)) == 23 and new.months_old(date(2026, 12, 1)) == 1
    assert facts.stale([new, old], date(2026, 12, 1), 12) == [old]
    assert facts.stale([new, old], date(2026, 12, 1), 24) == []
    missing = facts.Fact("a:bad", "", "2026-01")
    assert facts.problems([old, missing]) == [missing]
    assert missing not in facts.stale([missing], date(2030, 1, 1), 1)  # reported as a problem


def test_every_fact_has_a_source_and_a_checked_month():
    directory = load_directory()
    found = asyncio.run(facts.all_facts(None, directory, load_content(directory)))
    assert facts.problems(found) == []
    keys = {f.key for f in found}
    assert {"directory:mlvt", "websites:lscw", "partners:mrc", "services:job_centres",
            "data:provinces_kh"} <= keys
    catalog = [f for f in found if f.key.startswith("catalog:")]
    for start in ("catalog:⏳ Act quickly", "catalog:💰 Unpaid wages: your rights",
                  "catalog:✅ The legal way to work in Thailand", "catalog:💵 What you pay"):
        assert any(f.key == start for f in catalog), start  # the 2-year limit, court fees, MoU


@pytest.mark.parametrize("comments, expected", [
    (["fact: domain-facts §5, 2026-02"], ("domain-facts §5", "2026-02")),
    (["fact: CCC s.193/34(9), via a law firm;", "domain-facts §5, 2025-11"],
     ("CCC s.193/34(9), via a law firm; domain-facts §5", "2025-11")),
    ([], None),
])
def test_a_fact_comment_gives_source_and_month(comments, expected):
    assert catalogs.fact_of(Message("x", auto_comments=comments)) == expected


@pytest.mark.parametrize("comment", ["fact: domain-facts §5", "fact: 2026-02", "fact: x, 2026-13"])
def test_a_fact_comment_without_source_or_month_is_a_problem(comment):
    with pytest.raises(ValueError):
        catalogs.fact_of(Message("x", auto_comments=[comment]))


def test_the_facts_command_lists_old_facts_with_their_sources(tmp_path):
    result = run_cli(tmp_path, "facts", FACTS_MAX_AGE="1")
    assert result.returncode == 0, result.stderr  # age is the operator's call, not an error
    assert "checked more than 1 months ago" in result.stdout
    assert "• directory:mlvt · 2026-02 · grandnewsasia.com/archives/36658" in result.stdout
    fresh = run_cli(tmp_path, "facts")
    assert "Older than" not in fresh.stdout  # nothing is older than 12 months today
    everything = run_cli(tmp_path, "facts", "--all")
    assert "Every fact:" in everything.stdout and "partners:women_network" in everything.stdout
    bad = run_cli(tmp_path, "facts", FACTS_MAX_AGE="soon")
    assert bad.returncode == 2 and "FACTS_MAX_AGE" in bad.stderr


def test_the_recruiter_lists_as_of_counts_as_a_fact(tmp_path):
    async def load():
        async with await Database.open(tmp_path / "hotline.sqlite3") as db:
            await recruiter_data.load(db, recruiter_data.TEST_LIST.replace("2026-10-01",
                                                                             "2025-03-06"))
    asyncio.run(load())
    result = run_cli(tmp_path, "facts")
    assert "• registry:recruiters · 2025-03-06 · Test list (fictional)" in result.stdout


async def test_stale_facts_are_listed_at_start_up(tmp_path, fake_api):
    api = fake_api.api
    person = {"id": 500_077, "first_name": "Dara", "language_code": "km"}
    process = await start_bot(tmp_path, fake_api, FACTS_MAX_AGE="3")
    try:
        fake_api.queue(api.user_sends(person, "/start"))  # the bot is up and answering
        await wait_for(lambda: len(api.sent_to(person["id"])) >= 1)
    finally:
        code, stderr = await stop_bot(process)
    assert code == 0, stderr
    assert "fact(s) checked more than 3 months ago" in stderr
    assert "stale fact directory:police_kh, checked 2026-02, source: en.vietnamplus.vn" in stderr


async def test_staff_facts_in_the_group(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=False, facts_max_age_months=2,
                        staff_user_ids=frozenset({ANA})) as bot:
        ana, *_, outsider = staff(bot)
        replies = await ana.send("/facts")
        text = "\n".join(r.text for r in replies)
        assert "checked more than 2 months ago" in text and "directory:mlvt" in text
        refused = await outsider.send("/facts")
        assert refused[-1].text == "Only hotline staff can do this."
