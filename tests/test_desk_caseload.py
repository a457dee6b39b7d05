"""The staff desk with a real caseload and real staff habits: /search, paged /cases and
/mine, readable figures in both staff languages, the chart and the weekly report, the
awaited amount typed plainly, commands in captions, and safe exports."""
from __future__ import annotations

import csv
import io
import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.admin import charts
from bot.content import case_search
from bot.content.provinces import load_provinces
from bot.i18n import use_language
from bot.jobs import weekly_report
from storage import desk, recruiters
from tests.desk_helpers import (
    STAFF_CHAT,
    card_of,
    confirmed_wage_claim,
    context_of,
    desk_bot,
    staff,
    stored_case,
)
from tests.test_cli import run_cli

TZ = ZoneInfo("Asia/Phnom_Penh")


async def caseload(bot):
    """Five cases: Latin and Khmer employers, a named and an anonymous reporter."""
    await stored_case(bot, kind="W", category="wages", employer="Sunrise Poultry Co., Ltd",
                      province="chonburi", reporter_name="Sokha Chan (@sokha)")
    await stored_case(bot, employer="ក្រុមហ៊ុន ស៊ុនរ៉ាយ កសិកម្ម", province="rayong",
                      reporter_name="Dara Kim")
    await stored_case(bot, category="recruiter", recruiter_name="Golden Bridge Manpower",
                      anonymous=True, reporter_name=None, province="chonburi")
    _, urgent = await stored_case(bot, category="violence", urgent=True,
                                  workplace="Rubber plantation near Chanthaburi")
    await stored_case(bot, category="debt", place="Poipet market", reporter_name="Vanna")
    return urgent


def refs(reply) -> list[str]:
    return [label for label, data in reply.buttons if data.startswith("sl:o:")]


def test_search_words_are_matched_like_the_recruiter_check():
    provinces = load_provinces()
    fields = ["Sunrise Poultry Co., Ltd", "Chonburi"]
    assert case_search.score("Sunrise Poultry", fields) == 1.0
    assert case_search.score("sunrise poultry company", fields) == 1.0  # generic words go
    assert case_search.score("Sunrse Poltry", fields) > 0                # misspelt
    assert case_search.score("Sunrise Chonburi", fields) > 0             # across fields
    assert case_search.score("Moonset Poultry", fields) == 0
    khmer = ["ក្រុមហ៊ុន ស៊ុនរ៉ាយ កសិកម្ម"]
    assert case_search.score("ស៊ុន\u200bរ៉ាយ", khmer) > 0                  # zero-width space
    assert case_search.score("ស៊ុនរ៉ាយកសិកម", khmer) > 0                  # a letter missing
    query = case_search.parse("sunrise status:claimed province:ឈូនបុរី kind:W mine",
                              provinces, ["wages"])
    assert (query.text, query.mine) == ("sunrise", True)
    assert (query.filters.status, query.filters.province, query.filters.kind) == (
        "claimed", "chonburi", "W")
    assert case_search.parse("x status:lost kind:boats", provinces, []).problems == (
        "status", "kind")


async def test_search_in_latin_and_khmer_with_filters(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, bo, *_ = staff(bot)
        await caseload(bot)
        found = (await ana.send("/search the Sunrise Poultry case"))[-1]
        assert refs(found) == ["W-0001"] and "1 in all" in found.text
        assert refs((await ana.send("/search sunrse poultyr"))[-1]) == ["W-0001"]
        khmer = (await ana.send("/search ស៊ុនរ៉ាយ"))[-1]
        assert refs(khmer) == ["G-0001"]
        assert refs((await ana.send("/search Golden Bridge"))[-1]) == ["G-0002"]
        assert refs((await ana.send("/search chanthaburi"))[-1]) == ["G-0003"]
        # By the reporter's name: only named reports are found.
        assert refs((await ana.send("/search Sokha"))[-1]) == ["W-0001"]
        assert refs((await ana.send("/search dara kim"))[-1]) == ["G-0001"]
        # By province (Thai): a search word, or a filter in English or Khmer.
        assert refs((await ana.send("/search province:chonburi"))[-1]) == ["G-0002", "W-0001"]
        assert refs((await ana.send("/search province:ឈូនបុរី kind:W"))[-1]) == ["W-0001"]
        assert refs((await ana.send("/search rayong"))[-1]) == ["G-0001"]
        # Status and mine.
        await desk.claim(bot.db, 1, ana.id, takes_escalation=False)
        assert refs((await ana.send("/search status:claimed"))[-1]) == ["W-0001"]
        assert refs((await ana.send("/search sunrise mine"))[-1]) == ["W-0001"]
        assert (await bo.send("/search sunrise mine"))[-1].text == "No cases found."
        assert refs((await ana.send("/search g-3"))[-1]) == ["G-0003"]
        bad = (await ana.send("/search x status:lost"))[-1].text
        assert "status: open, all, new, claimed" in bad
        assert "for example" in (await ana.send("/search"))[-1].text
        # A result's button posts the case's card here.
        opened = await ana.press("G-0001", (await ana.send("/search ស៊ុនរ៉ាយ"))[-1])
        assert opened[-1].text.startswith("📁 G-0001") and "✋ Claim" in opened[-1].labels


async def test_an_anonymous_report_is_never_found_by_a_name(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        # Even if a name were kept with an anonymous report, it is not searched.
        await stored_case(bot, anonymous=True, reporter_name="Srey Mom", employer="Lotus Farm")
        assert (await ana.send("/search Srey Mom"))[-1].text == "No cases found."
        assert refs((await ana.send("/search Lotus"))[-1]) == ["G-0001"]


async def test_paging_35_open_cases_urgent_and_newest_first(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, bo, *_ = staff(bot)
        for number in range(35):
            await stored_case(bot, urgent=number in (3, 20))
        await stored_case(bot, category="debt")
        await desk.close(bot.db, 36, ana.id, "duplicate")
        first = (await ana.send("/cases"))[-1]
        assert "35 in all · page 1 of 4" in first.text
        assert refs(first)[:3] == ["G-0021", "G-0004", "G-0035"]  # urgent first, newest first
        assert len(refs(first)) == 10 and first.labels[-1] == "▶️" and "◀️" not in first.labels
        seen = refs(first)
        page = first
        for number in (2, 3, 4):
            page = [r for r in await bo.press("▶️", page) if r.raw.get("edited")][-1]
            assert f"page {number} of 4" in page.text
            seen += refs(page)
        assert len(seen) == 35 == len(set(seen)) and "G-0036" not in seen
        assert page.labels[-1] == "◀️" and "▶️" not in page.labels
        back = [r for r in await ana.press("◀️", page) if r.raw.get("edited")][-1]
        assert "page 3 of 4" in back.text
        # Filters, and /mine.
        assert "35 in all" in (await ana.send("/cases status:new kind:G"))[-1].text
        assert (await ana.send("/cases kind:W"))[-1].text == "No open cases."
        await desk.claim(bot.db, 5, ana.id, takes_escalation=False)
        mine = (await ana.send("/mine"))[-1]
        assert refs(mine) == ["G-0005"] and "1 in all" in mine.text
        assert refs((await ana.send("/cases status:claimed"))[-1]) == ["G-0005"]
        assert "34 in all" in (await ana.send("/cases status:new"))[-1].text
        assert refs((await ana.send("/cases status:closed"))[-1]) == ["G-0036"]
        # Someone outside the staff may not page.
        outsider = bot.staff("out", 999_999, "Out")
        await outsider.press("▶️", first)
        assert bot.api.answered_callbacks[-1].get("show_alert")


@pytest.mark.parametrize("language, expected", [
    ("en", ["By category: Passport or documents kept 1, Unpaid wages 1",
            "By status: Closed 1, New 1", "By province: Chonburi 1", "Woman 1",
            ("After closing, is the problem solved? solved 1, not solved 0, needs help 0, "
             "no answer 0"), "Satisfaction: 1 answers, average 3"]),
    ("km", ["លិខិតឆ្លងដែន ឬឯកសារត្រូវបានគេយកទុក 1", "ឈូនបុរី 1", "ស្រី 1", "ការពេញចិត្ត៖ 1 ចម្លើយ"]),
])
async def test_figures_show_labels_in_the_staff_language(settings, fake_api, language, expected):
    async with desk_bot(settings, fake_api, forum=True, staff_language=language) as bot:
        ana, *_ = staff(bot)
        _, one = await stored_case(bot, province="chonburi", reporter_gender="woman")
        await stored_case(bot, kind="W", category="wages", reporter_gender="man")
        await desk.close(bot.db, one.id, ana.id, "resolved")
        await bot.db.execute_write(
            "INSERT INTO followups(case_id, person_id, kind, created_at, due_at, next_attempt,"
            " state, answer, satisfaction) VALUES (?, ?, 'after_close', 'x', 'x', 'x', 'sent',"
            " 'yes', 3)", (one.id, one.reporter_id))
        replies = await ana.send("/stats")
        text = replies[-2].text
        for shown in expected:
            assert shown in text, shown
        for key in ("documents 1", "closed 1", "chonburi 1", "woman 1"):
            assert key not in text


async def test_the_chart_is_a_png_sent_to_the_staff_group_with_figures_only(settings,
                                                                            fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        await caseload(bot)
        replies = await ana.send("/stats")
        chart = replies[-1]
        assert chart.raw["method"] == "sendPhoto" and chart.raw["chat"]["id"] == STAFF_CHAT
        png = chart.raw["upload"]
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
        with use_language("km"):
            data = await charts.gather(bot.db, bot.settings, datetime.now(TZ))
        assert sum(sum(counts) for _label, counts in data.per_week) == 5
        assert dict(data.open_by_status)["ថ្មី"] == 5
        shown = repr(data)
        for personal in ("Sunrise", "ស៊ុនរ៉ាយ", "Golden Bridge", "Sokha", "Poipet", "Rubber"):
            assert personal not in shown
            assert personal.encode() not in png
    assert charts.khmer_font() is not None, "install fonts-khmeros (see README, Staff desk)"


async def test_the_weekly_report_posts_on_monday_morning_once(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        await caseload(bot)
        context = context_of(bot)
        monday = datetime(2026, 11, 30, 7, 59, tzinfo=TZ)  # a Monday
        assert not await weekly_report.run_weekly(context, monday)  # a new database: counts
        assert not await weekly_report.run_weekly(context, monday.replace(minute=30))
        before = len(ana.group)
        assert await weekly_report.run_weekly(context, monday.replace(hour=8, minute=1))
        await bot.settle()  # queued in the outbox: the sender posts it
        posted = ana.group[before:]
        assert "Weekly report" in posted[0].text and "2026-11-23 – 2026-11-29" in posted[0].text
        assert posted[1].raw["method"] == "sendPhoto" and posted[1].raw["upload"][:4] == b"\x89PNG"
        assert not await weekly_report.run_weekly(context, monday.replace(hour=15))
        assert not await weekly_report.run_weekly(context, datetime(2026, 12, 6, 23, tzinfo=TZ))
        assert await weekly_report.run_weekly(context, datetime(2026, 12, 8, 10, tzinfo=TZ))


async def test_weekly_report_off(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True, weekly_report=False) as bot:
        context = context_of(bot)
        await weekly_report.run_weekly(context, datetime(2026, 11, 30, 7, tzinfo=TZ))
        assert not await weekly_report.run_weekly(context, datetime(2026, 11, 30, 9, tzinfo=TZ))
        assert all(job.name != "weekly_report" for job in bot.app.job_queue.jobs())


@pytest.mark.parametrize("forum", [True, False], ids=["forum", "plain-group"])
async def test_the_awaited_amount_typed_plainly_in_the_group(settings, fake_api, forum):
    async with desk_bot(settings, fake_api, forum=forum) as bot:
        ana, bo, *_ = staff(bot)
        person = await confirmed_wage_claim(bot)
        card = card_of(ana.group)
        close_menu = (await ana.press("✅ Close", card))[-1]
        await ana.press("💰 Resolved, money recovered", close_menu)
        # Bo talks in the group meanwhile: not an answer for Ana's question.
        assert await bo.send("Lunch?") == []
        # Ana answers outside the thread: not a reply, not in the topic.
        bad = await ana.send("four thousand")
        assert bad[-1].text == "I could not read that amount; write it like 4500 or 4500 THB."
        said = await ana.send("4500")
        assert any("No currency was written: THB4,500.00 for W-0001 is read as Thai baht" in r.text
                   for r in said)
        case = await desk.by_reference(bot.db, "W-0001")
        assert (case.case.status, case.recovered_amount, case.recovered_currency) == (
            "closed", "4500", "THB")
        assert "4,500" in person.last.text
        # Once answered, the next plain message is talk again.
        assert await ana.send("Thanks all") == []


async def test_an_amount_with_its_currency_and_the_ten_minutes(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        await confirmed_wage_claim(bot)
        card = card_of(ana.group)
        await ana.press("💰 Resolved, money recovered", (await ana.press("✅ Close", card))[-1])
        # Ten minutes later the question has lapsed: the message is just talk.
        bot.app.user_data[ana.id]["sd_awaiting"]["at"] -= 601
        assert await ana.send("300 dollars") == []
        assert (await desk.by_reference(bot.db, "W-0001")).case.status != "closed"
        await ana.press("💰 Resolved, money recovered", (await ana.press("✅ Close", card))[-1])
        said = await ana.send("300 dollars")
        assert not any("No currency" in r.text for r in said)
        case = await desk.by_reference(bot.db, "W-0001")
        assert (case.recovered_amount, case.recovered_currency) == ("300", "USD")


async def test_a_note_as_a_photo_caption_is_never_relayed(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        person = await confirmed_wage_claim(bot)
        thread = card_of(ana.group).raw["message_thread_id"]
        before = len(person.chat)
        await ana.send(photo=True, caption="/note her ID card is with the broker uncle",
                       thread_id=thread)
        await ana.send(document=True, caption="/note@nobodys_bot other bot", thread_id=thread)
        refused = await ana.send(" /please check", thread_id=thread)  # no command entity
        await ana.send(photo=True, caption=" /typo not a command", thread_id=thread)
        assert len(person.chat) == before  # nothing reached the returnee
        assert all("broker uncle" not in r.text for r in person.chat)
        assert "Not sent: a message that starts with / is never sent" in refused[-1].text
        case = await desk.by_reference(bot.db, "W-0001")
        [(staff_id, text, _at)] = await desk.notes(bot.db, case.id)
        assert (staff_id, text) == (ana.id, "her ID card is with the broker uncle")
        [(kind, file_id)] = await desk.note_files(bot.db, case.id)
        assert kind == "photo" and file_id.startswith("file-")
        # Other commands work in captions too.
        await ana.send(photo=True, caption="/claim", thread_id=thread)
        assert (await desk.by_reference(bot.db, "W-0001")).case.status == "claimed"


async def test_recruiters_unlisted_in_the_group(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        for _ in range(3):
            await recruiters.log_search(bot.db, "fast visa agency", "fastvisaagency", "unlisted")
        await recruiters.log_search(bot.db, "lucky jobs", "luckyjobs", "unlisted")
        await recruiters.log_search(bot.db, "demo manpower", "demomanpower", "exact")
        text = (await ana.send("/recruiters_unlisted"))[-1].text
        assert "last 30 days" in text
        assert text.index("3 × fast visa agency") < text.index("1 × lucky jobs")
        assert "demo manpower" not in text
        assert "Write it like" in (await ana.send("/recruiters_unlisted soon"))[-1].text


def _seed_formula_case(path) -> None:
    import asyncio
    import uuid

    from storage import cases, users
    from storage.cases import NewCase
    from storage.db import Database

    async def seed():
        async with await Database.open(path) as db:
            await users.get_or_create(db, 1, "km")
            await cases.create(db, NewCase(
                kind="W", draft_id=uuid.uuid4().hex, reporter_id=1, reporter_language="km",
                category="wages", contact="chat", employer='=HYPERLINK("http://x.example","pay")',
                workplace="@SUM(A1)", reporter_name="-2+3", province="chonburi"))
    asyncio.run(seed())


def test_a_formula_cell_is_exported_escaped_with_a_bom_and_0600(tmp_path):
    _seed_formula_case(tmp_path / "hotline.sqlite3")
    output = tmp_path / "cases.csv"
    output.write_text("old")
    os.chmod(output, 0o644)
    result = run_cli(tmp_path, "export", "cases", "--with-details", "--output", str(output),
                     "--language", "en")
    assert result.returncode == 0, result.stderr
    assert oct(os.stat(output).st_mode & 0o777) == "0o600"
    raw = output.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    [row] = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert row["employer"] == "'=HYPERLINK(\"http://x.example\",\"pay\")"
    assert row["workplace"] == "'@SUM(A1)" and row["reporter"] == "'-2+3"
    assert (row["category"], row["category_label"]) == ("wages", "Unpaid wages")
    assert (row["province"], row["province_label"]) == ("chonburi", "Chonburi")
    assert (row["status"], row["status_label"]) == ("new", "New")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".export-")] == []
    khmer = run_cli(tmp_path, "export", "cases", "--language", "km").stdout
    assert "ប្រាក់ឈ្នួលមិនទាន់បានបើក" in khmer and "ឈូនបុរី" in khmer


def test_stats_chart_from_the_command_line(tmp_path):
    _seed_formula_case(tmp_path / "hotline.sqlite3")
    chart = tmp_path / "chart.png"
    result = run_cli(tmp_path, "stats", "--chart", str(chart))
    assert result.returncode == 0, result.stderr
    assert chart.read_bytes().startswith(b"\x89PNG") and chart.stat().st_size > 10_000


async def test_export_in_the_group_has_a_bom_and_labels(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        _ana, bo, *_ = staff(bot)
        await stored_case(bot, employer="=1+1", province="chonburi")
        reply = (await bo.send("/export"))[-1]
        content = reply.raw["document"]["content"]
        assert content.startswith(b"\xef\xbb\xbf")
        [row] = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
        assert row["category_label"] == "Passport or documents kept"
        assert "employer" not in row  # no details from Telegram


async def test_the_escalation_reason_typed_plainly_outside_the_thread(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        await confirmed_wage_claim(bot)
        card = card_of(ana.group)
        levels = (await ana.press("⬆️ Escalate", card))[-1]
        await ana.press("⬆️ supervisor", levels)
        assert (await ana.send(photo=True))[-1].text == "Please write the reason for W-0001 as text."
        posted = await ana.send("The broker threatens her family")
        assert any("escalated to supervisor" in r.text and "threatens her family" in r.text
                   for r in posted)
        case = await desk.by_reference(bot.db, "W-0001")
        assert (case.escalation, case.escalation_open) == ("supervisor", True)


async def test_search_finds_the_home_province_in_latin_and_khmer(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        await stored_case(bot, employer="Golden Farm", home_province="battambang")
        await stored_case(bot, employer="Silver Farm", home_province="siem_reap")
        assert refs((await ana.send("/search Battambang"))[-1]) == ["G-0001"]
        assert refs((await ana.send("/search បាត់ដំបង"))[-1]) == ["G-0001"]
        assert refs((await ana.send("/search siem reap farm"))[-1]) == ["G-0002"]
