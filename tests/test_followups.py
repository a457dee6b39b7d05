"""Follow-ups through the running bot, with the follow-up clock set by the test."""
from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.content import referrals
from bot.devtools.offline import Fault
from bot.jobs import followups as sender
from storage import desk, followups
from storage.clock import from_text, utcnow
from tests.alerts_helpers import wait_until
from tests.desk_helpers import ANA, agree_with, confirmed_wage_claim, context_of, staff
from tests.followup_helpers import (
    closed_and_checked,
    daytime_after,
    followup_bot,
    outbox_row,
    reported_case,
    rows,
    set_clock,
    sweep_at,
    texts,
    topic_of,
)

QUEUE_EN = "is in the queue"
QUEUE_KM = "នៅក្នុងជួររង់ចាំ"


async def test_a_new_case_is_reassured_once_when_nobody_answered(settings, fake_api):
    async with followup_bot(settings, fake_api) as bot:
        person = await confirmed_wage_claim(bot)  # through the English intake
        case = await desk.by_reference(bot.db, "W-0001")
        [row] = await followups.of_case(bot.db, case.id)
        assert row.kind == "no_reply"
        assert row.due - from_text(case.case.created_at) == timedelta(days=1)

        assert await sweep_at(bot, utcnow()) == 0  # not due yet
        due = daytime_after(row.due, bot)
        assert await sweep_at(bot, due) == 1
        [reassurance] = texts(person, QUEUE_EN)
        assert "Your report W-0001 is in the queue." in reassurance
        assert "🔕 Stop reminders" in person.last.labels
        assert await sweep_at(bot, due + timedelta(hours=1)) == 0
        assert await sweep_at(bot, due + timedelta(days=30)) == 0
        assert len(texts(person, QUEUE_EN)) == 1
        [stored] = await rows(bot, case.id)
        assert stored["state"] == "sent" and stored["message_id"] == person.last.raw["message_id"]


async def test_quiet_hours_hold_follow_ups_until_the_morning_spread_out(settings, fake_api):
    async with followup_bot(settings, fake_api) as bot:
        people = [await reported_case(bot, "km") for _ in range(3)]
        due = max([(await followups.of_case(bot.db, case.id))[0].due for _, case in people])
        night = daytime_after(due, bot, hour=22)
        assert await sweep_at(bot, night) == 0
        assert all(not texts(person, QUEUE_KM) for person, _ in people)
        morning = daytime_after(night, bot, hour=7)
        moved = sorted([(await followups.of_case(bot.db, case.id))[0].due for _, case in people])
        assert moved == [morning + timedelta(seconds=s) for s in (0, 5, 10)]

        assert await sweep_at(bot, morning - timedelta(seconds=1)) == 0  # still quiet
        assert await sweep_at(bot, morning) == 1
        assert await sweep_at(bot, morning + timedelta(seconds=10)) == 2
        for person, case in people:
            [text] = texts(person, QUEUE_KM)
            assert case.reference in text  # in Khmer, with the reference


async def test_state_changes_cancel_what_they_make_pointless(settings, fake_api):
    async with followup_bot(settings, fake_api) as bot:
        ana, *_ = staff(bot)
        person, case = await reported_case(bot, "en")
        topic = await topic_of(bot, case.id)
        await ana.send("/claim", thread_id=topic)
        assert [r["state"] for r in await rows(bot, case.id)] == ["cancelled"]
        await ana.send("/close resolved", thread_id=topic)
        after_close = (await followups.of_case(bot.db, case.id))[0]
        assert after_close.kind == "after_close"
        assert after_close.due - utcnow() > timedelta(days=13)
        await ana.send("/reopen", thread_id=topic)
        assert await followups.of_case(bot.db, case.id) == []
        assert await sweep_at(bot, daytime_after(after_close.due, bot)) == 0
        assert not texts(person, "is the problem solved?")


async def test_staff_set_list_and_cancel_follow_ups_and_others_may_not(settings, fake_api):
    async with followup_bot(settings, fake_api) as bot:
        ana, _bo, _chan, _outsider = staff(bot)
        stranger = bot.staff("eve", 300_099, "Eve")  # not in the staff group
        person, case = await reported_case(bot, "km")
        topic = await topic_of(bot, case.id)
        await ana.send("/claim", thread_id=topic)
        now = datetime(2030, 5, 1, 3, 0, tzinfo=UTC)
        set_clock(bot, now)

        replies = await ana.send("/followup 3d Did the employer pay you?", thread_id=topic)
        assert "⏰ Follow-up #2 for G-0001 will go out 2030-05-04 10:00." in replies[-1].text
        replies = await ana.send("/followup ២០៣០-០៦-០១ See you", thread_id=topic)  # Khmer digits
        assert "#3 for G-0001 will go out 2030-06-01 09:00" in replies[-1].text
        listed = (await ana.send("/followups", thread_id=topic))[-1].text
        assert "#2 · 2030-05-04 10:00 · @ana: Did the employer pay you?" in listed
        assert "#3 · 2030-06-01 09:00" in listed
        replies = await ana.send("/followup_cancel 3", thread_id=topic)
        assert "Follow-up #3 for G-0001 is cancelled." in replies[-1].text
        assert "#3" not in (await ana.send("/followups", thread_id=topic))[-1].text
        replies = await ana.send("/followup_cancel 3", thread_id=topic)
        assert "no follow-up waiting with that number" in replies[-1].text
        replies = await ana.send("/followup soon Hello", thread_id=topic)
        assert "Write it like /followup 3d" in replies[-1].text
        replies = await ana.send("/followup 2020-01-01 Too late", thread_id=topic)
        assert "Write it like /followup 3d" in replies[-1].text
        replies = await ana.send("/followup 1d " + "x" * 1001, thread_id=topic)
        assert "too long for a follow-up" in replies[-1].text

        replies = await stranger.send("/followup 1d Hello", thread_id=topic)
        assert replies[-1].text == "Only hotline staff can do this."
        replies = await stranger.send("/followups", thread_id=topic)
        assert replies[-1].text == "Only hotline staff can do this."
        assert len(await followups.of_case(bot.db, case.id)) == 1

        before = len(ana.group)
        assert await sweep_at(bot, now + timedelta(days=3)) == 1
        message = person.last
        assert "💬 បុគ្គលិកសេវាជំនួយ អំពីរបាយការណ៍ G-0001 របស់អ្នក៖" in message.text
        assert "Did the employer pay you?" in message.text
        assert message.labels[0] == "✍️ ឆ្លើយ" and "🔕 បញ្ឈប់ការរំលឹក" in message.labels
        assert any("✓ Follow-up #2 for G-0001 was delivered." in r.text for r in ana.group[before:])
        actions = [(e["action"], e["staff_id"]) for e in await desk.audit_entries(bot.db, case.id)]
        assert actions.count(("followup", ANA)) == 2 and ("followup_cancel", ANA) in actions


async def test_not_solved_after_close_reopens_the_case_and_asks_satisfaction(settings, fake_api):
    async with followup_bot(settings, fake_api) as bot:
        ana, person, case, _topic, row = await closed_and_checked(bot, "en")
        check = person.last
        assert check.text == "📋 About your report G-0001: is the problem solved?"
        assert check.labels == ["✅ Yes", "❌ No", "🆘 I need help again", "🔕 Stop reminders"]

        before = len(ana.group)
        replies = await person.press("❌ No", check)
        assert "Your report G-0001 was opened again." in replies[-1].text
        assert "how happy are you with the hotline's help?" in replies[-1].text
        assert (await desk.get(bot.db, case.id)).case.status == "new"
        posted = [r.text for r in ana.group[before:]]
        assert any("🔓 G-0001 is open again: the returnee says the problem is not solved." in t
                   and "@ana" in t for t in posted)
        replies = await person.press("😊 Happy")
        assert "Thank you for your answer." in replies[-1].text
        stored = await followups.get(bot.db, row.id)
        assert (stored.answer, stored.satisfaction) == ("no", 3)
        replies = await person.press("✅ Yes", check)  # a second answer changes nothing
        assert replies[-1].text == "Thank you, we already have your answer."
        assert (await followups.get(bot.db, row.id)).answer == "no"
        audit = [(e["action"], e["staff_id"]) for e in await desk.audit_entries(bot.db, case.id)]
        assert ("reopen", None) in audit  # reopened by the returnee's answer, not by staff


async def test_help_after_referral_alerts_the_thread_in_khmer(settings, fake_api):
    async with followup_bot(settings, fake_api) as bot:
        ana, *_ = staff(bot)
        person, case = await reported_case(bot, "km")
        topic = await topic_of(bot, case.id)
        agree_with(bot, "lscw")
        partner = referrals.referable(bot.app.bot_data["directory"])[0]
        await ana.send(f"/refer {partner.key}", thread_id=topic)
        [row] = await followups.of_case(bot.db, case.id)
        assert row.kind == "after_referral"
        assert await sweep_at(bot, daytime_after(row.due, bot)) == 1
        check = person.last
        assert "📋 អំពីរបាយការណ៍ G-0001 របស់អ្នក៖ យើងបានបញ្ជូនវាទៅ" in check.text
        assert partner.name_km in check.text
        before = len(ana.group)
        replies = await person.press("🆘 ខ្ញុំត្រូវការជំនួយ", check)
        assert "បុគ្គលិកសេវាជំនួយនឹងសរសេរមកអ្នក" in replies[-1].text
        assert "🆘 ខ្ញុំត្រូវការជំនួយឥឡូវនេះ" in replies[-1].labels
        assert (await desk.get(bot.db, case.id)).case.status == "referred"
        assert any("🆘 G-0001: the returnee answered a follow-up that they need help." in r.text
                   and "@ana" in r.text for r in ana.group[before:])
        assert (await followups.get(bot.db, row.id)).answer == "help"


async def test_a_forged_or_someone_elses_answer_does_nothing(settings, fake_api):
    async with followup_bot(settings, fake_api) as bot:
        _ana, _person, case, _topic, row = await closed_and_checked(bot, "en")
        other = bot.person(language_code="en")
        await other.send("/start")
        replies = await other.press_data(f"fu:a:{row.id}:no", other.last)
        assert "That button no longer works." in replies[-1].text
        await other.press_data("fu:a:x:no", other.last)
        assert (await followups.get(bot.db, row.id)).answer is None
        assert (await desk.get(bot.db, case.id)).case.status == "closed"


async def test_stop_reminders_and_turning_them_on_again(settings, fake_api):
    async with followup_bot(settings, fake_api) as bot:
        ana, *_ = staff(bot)
        person, case = await reported_case(bot, "en")
        topic = await topic_of(bot, case.id)
        now = daytime_after(utcnow() + timedelta(days=2), bot)
        set_clock(bot, now)
        await ana.send("/followup 1w Any news?", thread_id=topic)
        assert await sweep_at(bot, now) == 1  # the reassurance
        replies = await person.press("🔕 Stop reminders")
        assert "Done: no more reminders." in replies[-1].text
        assert "🔔 Turn reminders on" in replies[-1].labels
        assert not await followups.reminders_on(bot.db, person.id)
        assert await followups.of_case(bot.db, case.id) == []  # the staff one is cancelled

        await ana.send("/followup 2h Are you safe?", thread_id=topic)
        assert await sweep_at(bot, now + timedelta(hours=3)) == 0
        assert not texts(person, "Are you safe?")
        assert [r["last_error"] for r in await rows(bot, case.id)][-1] == "reminders off"

        replies = await person.send("/reminders")
        assert "Reminders about your reports are OFF." in replies[-1].text
        replies = await person.press("🔔 Turn reminders on")
        assert "Done: reminders are on again." in replies[-1].text
        assert await followups.reminders_on(bot.db, person.id)


async def test_blocked_marks_the_person_unreachable_and_tells_the_thread(settings, fake_api):
    async with followup_bot(settings, fake_api) as bot:
        ana, *_ = staff(bot)
        person, case = await reported_case(bot, "km")
        await topic_of(bot, case.id)
        bot.api.user_blocks_bot(person.id)
        [row] = await followups.of_case(bot.db, case.id)
        before = len(ana.group)
        assert await sweep_at(bot, daytime_after(row.due, bot)) == 0
        stored = await followups.get(bot.db, row.id)
        assert stored.state == "failed" and stored.last_error.startswith("blocked")
        unreachable = await bot.db.fetchval(
            "SELECT unreachable_at FROM users WHERE telegram_id = ?", (person.id,))
        assert unreachable is not None
        assert any("⚠️ Follow-up #1 for G-0001 was not delivered: the returnee has blocked the bot"
                   in r.text for r in ana.group[before:])

        # Nothing more goes to them: the next one is cancelled without a try.
        await ana.send("/followup 1h Hello?", thread_id=await topic_of(bot, case.id))
        calls = len(bot.api.calls)
        assert await sweep_at(bot, daytime_after(row.due + timedelta(days=1), bot)) == 0
        assert not [c for c in bot.api.calls[calls:] if c[1].get("chat_id") == person.id]
        assert (await rows(bot, case.id))[-1]["last_error"] == "unreachable"


async def test_nothing_goes_to_a_person_who_deleted_their_data(settings, fake_api):
    async with followup_bot(settings, fake_api) as bot:
        person, case = await reported_case(bot, "en")
        await bot.db.execute_write("UPDATE users SET deleted_at = ? WHERE telegram_id = ?",
                                   ("2026-01-01T00:00:00Z", person.id))
        [row] = await followups.of_case(bot.db, case.id)
        assert await sweep_at(bot, daytime_after(row.due, bot)) == 0
        assert person.chat == []
        assert (await followups.get(bot.db, row.id)).last_error == "data deleted"


async def test_server_errors_are_retried_with_backoff_and_429_after_retry_after(settings, fake_api):
    async with followup_bot(settings, fake_api) as bot:
        person, case = await reported_case(bot, "en")
        [row] = await followups.of_case(bot.db, case.id)
        due = daytime_after(row.due, bot)
        bot.api.faults.append(Fault("sendMessage", 502, "Bad Gateway", chat_id=person.id))
        tried = time.time()
        assert await sweep_at(bot, due) == 0
        stored = await followups.get(bot.db, row.id)
        queued = await outbox_row(bot, row.id)  # the follow-up's send is an outbox row
        assert (stored.state, queued["status"], queued["attempts"]) == ("scheduled", "queued", 1)
        assert queued["next_attempt_at"] - tried == pytest.approx(sender.RETRY_SECONDS, abs=2)
        assert await sweep_at(bot, due + timedelta(seconds=10)) == 0  # backing off
        await retries_due(bot)  # the backoff has passed (the test does not sleep it out)
        assert await sweep_at(bot, due + timedelta(seconds=sender.RETRY_SECONDS)) == 1
        assert len(texts(person, QUEUE_EN)) == 1

        # A 429 the rate limiter could retry: sent after retry_after, once.
        other, other_case = await reported_case(bot, "en")
        [row] = await followups.of_case(bot.db, other_case.id)
        bot.api.faults.append(Fault("sendMessage", 429, "Too Many Requests: retry after 1",
                                    retry_after=1, chat_id=other.id))
        assert await sweep_at(bot, daytime_after(row.due, bot)) == 1
        assert len(texts(other, QUEUE_EN)) == 1
        sends = [c for c in bot.api.calls if c[0] == "sendMessage"
                 and c[1].get("chat_id") == other.id]
        assert len(sends) == 2


async def retries_due(bot) -> None:
    await bot.db.execute_write("UPDATE outbox SET next_attempt_at = 0 WHERE status = 'queued'")


async def test_a_429_past_the_rate_limiter_waits_retry_after_without_counting(settings, fake_api):
    async with followup_bot(settings, fake_api) as bot:
        person, case = await reported_case(bot, "en")
        [row] = await followups.of_case(bot.db, case.id)
        now = daytime_after(row.due, bot)
        # More 429s than the rate limiter retries (3): the outbox sender gets the RetryAfter.
        bot.api.faults.append(Fault("sendMessage", 429, "Too Many Requests: retry after 1",
                                    retry_after=1, chat_id=person.id, times=4))
        set_clock(bot, now)
        await sender.sweep(context_of(bot))
        await wait_until(lambda: not bot.api.faults)
        await asyncio.sleep(0.2)  # its answer is recorded
        stored = await followups.get(bot.db, row.id)
        queued = await outbox_row(bot, row.id)
        assert (stored.state, queued["attempts"]) == ("scheduled", 0)  # a wait is no attempt
        assert queued["reason"].startswith("429")
        await asyncio.sleep(max(0.0, queued["next_attempt_at"] - time.time()) + 0.1)
        await bot.settle()  # retry_after has passed: sent, once
        assert (await followups.get(bot.db, row.id)).state == "sent"
        assert len(texts(person, QUEUE_EN)) == 1


async def test_help_again_after_close_reopens_and_calls_the_staff_on_duty(settings, fake_api):
    async with followup_bot(settings, fake_api) as bot:
        ana, person, case, _topic, _row = await closed_and_checked(bot, "km", "no_response")
        assert person.last.text == "📋 អំពីរបាយការណ៍ G-0001 របស់អ្នក៖ តើបញ្ហាត្រូវបានដោះស្រាយហើយឬនៅ?"
        before = len(ana.group)
        replies = await person.press("🆘 ខ្ញុំត្រូវការជំនួយម្តងទៀត")
        assert "របាយការណ៍ G-0001 របស់អ្នកត្រូវបានបើកឡើងវិញ" in replies[-1].text
        assert "🆘 ខ្ញុំត្រូវការជំនួយឥឡូវនេះ" in replies[-1].labels  # no satisfaction question
        assert (await desk.get(bot.db, case.id)).case.status == "new"
        assert any("🔓 G-0001 is open again: the returnee answered a follow-up that they need "
                   "help again." in r.text and "@ana" in r.text for r in ana.group[before:])


async def test_deleting_ones_data_cancels_pending_follow_ups_and_erases_staff_words(
        settings, fake_api):
    async with followup_bot(settings, fake_api) as bot:
        ana, _bo, _chan, _outsider = staff(bot)
        person, case = await reported_case(bot, "en")
        topic = await topic_of(bot, case.id)
        await ana.send("/claim", thread_id=topic)
        await ana.send("/followup 3d Did Mr Chan at the farm pay you?", thread_id=topic)
        assert [f.state for f in await followups.of_case(bot.db, case.id)] == ["scheduled"]

        ask = (await person.send("/delete"))[-1]
        await person.press(ask.labels[0], ask)  # Yes, delete

        rows = await bot.db.fetchall("SELECT state, text FROM followups WHERE case_id = ?"
                                     " AND kind = 'staff'", (case.id,))
        assert [(r["state"], r["text"]) for r in rows] == [("cancelled", "[erased]")]
        assert await followups.of_case(bot.db, case.id) == []


async def test_after_deleting_ones_data_an_old_follow_up_button_changes_nothing(
        settings, fake_api):
    async with followup_bot(settings, fake_api) as bot:
        _ana, person, case, _topic, row = await closed_and_checked(bot, "en")
        check = person.last
        assert check.text == "📋 About your report G-0001: is the problem solved?"

        ask = (await person.send("/delete"))[-1]
        await person.press(ask.labels[0], ask)  # Yes, delete
        await person.press("❌ No", check)

        status, erased = (await bot.db.fetchone(
            "SELECT status, erased_at FROM cases WHERE id = ?", (case.id,)))
        assert status == "closed" and erased is not None  # not reopened
        stored = await followups.get(bot.db, row.id)
        assert stored.answer is None
        linked = await bot.db.fetchval("SELECT COUNT(*) FROM followups WHERE person_id = ?",
                                       (person.id,))
        assert linked == 0
