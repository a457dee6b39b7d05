"""Staff desk: who may act, durable and single announcements, escalation, canned replies,
reminders of unclaimed cases, help-now alerts and the start-up check."""
from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.devtools.offline import BOT_ID, Fault
from flows.desk import relay as desk_relay
from flows.desk import thread as desk_thread
from storage import cases, desk
from storage.clock import to_text
from tests.desk_helpers import (
    ANA,
    MEMBERS,
    STAFF_CHAT,
    agree_with,
    card_of,
    confirmed_wage_claim,
    context_of,
    desk_bot,
    staff,
    stored_case,
)
from tests.intake_helpers import onboarded

PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")


# -- who may do what -------------------------------------------------------------------------
async def test_group_members_who_are_not_staff_are_refused(settings, fake_api):
    """STAFF_USER_IDS set: only those ids, even among the group's members."""
    async with desk_bot(settings, fake_api, forum=True, staff_user_ids=frozenset({ANA})) as bot:
        ana, bo, _chan, outsider = staff(bot)
        person = await confirmed_wage_claim(bot)
        card = card_of(ana.group)
        thread = card.raw["message_thread_id"]
        before_person = len(person.chat)

        await outsider.press("✋ Claim", card)
        refusal = bot.api.answered_callbacks[-1]
        assert refusal["text"] == "Only hotline staff can do this." and refusal["show_alert"]
        replies = await outsider.send("Hi, I am from the employer", thread_id=thread)
        assert replies[-1].text == "Not sent: only hotline staff can write to returnees."
        assert (await bo.send("/cases", thread_id=thread))[-1].text == "Only hotline staff can do this."
        assert len(person.chat) == before_person
        case = await desk.by_reference(bot.db, "W-0001")
        assert case.case.assigned_staff_id is None
        assert await desk.audit_entries(bot.db, case.id) == []

        await ana.press("✋ Claim", card)
        assert (await desk.by_reference(bot.db, "W-0001")).case.assigned_staff_id == ANA


async def test_people_who_left_the_group_are_refused(settings, fake_api):
    """STAFF_USER_IDS empty: Telegram's member list decides."""
    members = dict(MEMBERS)
    async with desk_bot(settings, fake_api, forum=False, members=members) as bot:
        ana, *_ = staff(bot)
        stranger = bot.staff("stranger", 300_777, "Stranger")  # not in the member list
        await confirmed_wage_claim(bot)
        card = card_of(ana.group)
        await stranger.press("✋ Claim", card)
        assert bot.api.answered_callbacks[-1]["text"] == "Only hotline staff can do this."
        replies = await stranger.send("/case W-0001")
        assert replies[-1].text == "Only hotline staff can do this."
        assert (await desk.by_reference(bot.db, "W-0001")).case.status == "new"


async def test_returnee_learns_nothing_from_staff_commands_or_forged_buttons(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        _ana, *_ = staff(bot)
        victim = await confirmed_wage_claim(bot)
        victim_saw = len(victim.chat)
        other = await onboarded(bot, "en")
        texts = []
        for command in ("/case W-0001", "/cases", "/claim", "/note hi", "/stats", "/export"):
            texts += [r.text for r in await other.send(command)]
        texts += [r.text for r in await other.press_data("sd:claim:1")]
        texts += [r.text for r in await other.press_data("sd:can:1:payslip")]
        assert texts and all("W-0001" not in t and "Golden" not in t for t in texts)
        assert all("did not understand" in t or "no longer works" in t
                   for t in texts if "What would you like to do?" not in t)
        case = await desk.by_reference(bot.db, "W-0001")
        assert case.case.status == "new" and await desk.audit_entries(bot.db, case.id) == []
        assert len(victim.chat) == victim_saw


async def test_export_is_for_admins_only(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=False) as bot:
        ana, bo, *_ = staff(bot)  # bo is the admin
        await confirmed_wage_claim(bot)
        assert (await ana.send("/export"))[-1].text == "Only hotline admins can do this."
        sent = (await bo.send("/export 2020-01-01 2099-12-31"))[-1]
        assert sent.text == "1 cases" and sent.raw["method"] == "sendDocument"
        csv_text = sent.raw["document"]["content"].decode("utf-8-sig")
        assert csv_text.startswith("reference,category,category_label,status,status_label")
        assert "W-0001,wages,Unpaid wages,new,New" in csv_text and "Golden" not in csv_text
        [entry] = [e for e in await desk.audit_entries(bot.db) if e["action"] == "export"]
        assert entry["staff_id"] == bo.id


# -- announcing: once, durably ------------------------------------------------------------------
async def test_racing_announcements_make_one_topic(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        _reporter, case = await stored_case(bot)
        context = context_of(bot)
        results = await asyncio.gather(desk_thread.announce(context, case.id),
                                       desk_thread.announce(context, case.id),
                                       desk_thread.sweep(context))
        await bot.settle()
        assert results[:2].count(True) == 1
        assert len(bot.api.topics[STAFF_CHAT]) == 1
        assert len([r for r in ana.group if "✋ Claim" in r.labels]) == 1


async def test_racing_first_messages_from_the_returnee_make_one_topic(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        reporter, case = await stored_case(bot)
        one = bot.api.user_sends({"id": reporter, "first_name": "Srey"}, "first")
        two = bot.api.user_sends({"id": reporter, "first_name": "Srey"}, "second")
        context = context_of(bot)
        from telegram import Update
        messages = [Update.de_json(u, bot.app.bot).message for u in (one, two)]
        bot.api.updates.clear()
        async def relayed(message) -> None:  # as case_replies.relay stores and queues it
            row = await desk_relay.relay_of(context, case.id, message)
            await cases.add_reporter_message(bot.db, case.id, reporter, message.text, row)
        await asyncio.gather(*(relayed(m) for m in messages))
        await bot.settle()
        [topic] = bot.api.topics[STAFF_CHAT]
        in_topic = ana.in_thread(topic["message_thread_id"])
        assert sum("first" in r.text for r in in_topic) == 1
        assert sum("second" in r.text for r in in_topic) == 1
        assert len([r for r in in_topic if "✋ Claim" in r.labels]) == 1


async def test_a_case_not_announced_at_confirm_is_announced_later_once(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        bot.api.faults.append(Fault("createForumTopic", 500, times=1))
        person = await confirmed_wage_claim(bot)
        assert "Your reference is W-0001." in person.last.text  # the returnee is not kept waiting
        assert STAFF_CHAT not in bot.api.topics  # Telegram failed: the card waits to be tried again

        await desk_thread.sweep(context_of(bot))
        await bot.settle()
        await desk_thread.sweep(context_of(bot))
        await bot.db.execute_write("UPDATE outbox SET next_attempt_at = 0")  # the retry is due
        await bot.settle()
        assert len(bot.api.topics[STAFF_CHAT]) == 1
        assert len([r for r in ana.group if "✋ Claim" in r.labels]) == 1
        assert (await desk.by_reference(bot.db, "W-0001")).announced_at is not None


# -- escalation -----------------------------------------------------------------------------------
async def test_escalation_with_reason_stays_until_someone_on_that_level_claims(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, bo, _chan, _out = staff(bot)
        await confirmed_wage_claim(bot)
        card = card_of(ana.group)
        thread = card.raw["message_thread_id"]

        levels = (await ana.press("⬆️ Escalate", card))[-1]
        assert levels.labels == ["⬆️ supervisor", "⬆️ legal"]
        asked = (await ana.press("⬆️ supervisor", levels))[-1]
        assert "why escalate W-0001 to supervisor?" in asked.text
        posted = await ana.send("The employer threatened the worker.", thread_id=thread)
        announcement = [r for r in posted if "escalated" in r.text][-1]
        assert "Reason: The employer threatened the worker." in announcement.text
        assert "@bo" in announcement.text
        card_now = [r for r in ana.group if r.raw.get("edited")][-1]
        assert "⬆️ Escalated to supervisor: waiting for @bo to take it" in card_now.text

        await ana.press("✋ Claim", card)  # ana is not on the supervisor level
        case = await desk.by_reference(bot.db, "W-0001")
        assert case.escalation_open and case.case.assigned_staff_id == ana.id
        claimed = [r for r in await bo.press("✋ Claim", card) if not r.raw.get("edited")]
        assert "The escalation to supervisor is taken." in claimed[-1].text
        case = await desk.by_reference(bot.db, "W-0001")
        assert not case.escalation_open and case.case.assigned_staff_id == bo.id

        posted = [r for r in await bo.send("/escalate legal Needs a lawyer for the court case",
                                           thread_id=thread) if not r.raw.get("edited")]
        assert "@chan" in posted[-1].text and "escalated to legal" in posted[-1].text
        case = await desk.by_reference(bot.db, "W-0001")
        assert (case.escalation, case.escalation_open) == ("legal", True)
        assert [n[1] for n in await desk.notes(bot.db, case.id)] == [
            "[supervisor] The employer threatened the worker.",
            "[legal] Needs a lawyer for the court case"]
        details = [(e["action"], e["detail"]) for e in await desk.audit_entries(bot.db, case.id)]
        assert details == [("escalate", "level=supervisor"), ("claim", None),
                           ("claim", "took escalation"), ("escalate", "level=legal")]


# -- canned replies, referral, reopening ------------------------------------------------------------
async def test_canned_replies_in_khmer_and_english(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=False) as bot:
        ana, *_ = staff(bot)
        km_reporter, km_case = await stored_case(bot, "km")
        en_reporter, _en_case = await stored_case(bot, "en")
        await desk_thread.sweep(context_of(bot))
        await bot.settle()
        cards = [r for r in ana.group if "✋ Claim" in r.labels]
        assert [c.text.split("\n")[0] for c in cards] == [
            "📁 G-0001 · Passport or documents kept", "📁 G-0002 · Passport or documents kept"]

        for card, reporter, expected in [
            (cards[0], km_reporter, "សូមផ្ញើរូបថតបង្កាន់ដៃប្រាក់ខែ"),
            (cards[1], en_reporter, "Please send a photo of your payslip"),
        ]:
            menu = (await ana.press("💬 Canned reply", card))[-1]
            assert "We passed your report to ..." not in menu.labels  # not referred yet
            shown = await ana.press("Ask for a payslip photo", menu)
            received = bot.api.sent_to(reporter)[-1]
            assert expected in received["text"]
            assert "On its way to the returnee, from @ana" in shown[-1].text

        # Refer the English case to LSCW (confirmed by the operator in data/partners.csv);
        # then the canned referral.
        agree_with(bot, "lscw", "mlvt")
        refer_menu = (await ana.press("🤝 Refer", cards[1]))[-1]
        assert "Legal Support for Children and Women (LSCW)" in refer_menu.labels
        assert "Ministry of Labour and Vocational Training (MLVT)" in refer_menu.labels
        assert not any("CENTRAL" in label for label in refer_menu.labels)  # agreement=no
        await ana.press("Legal Support for Children and Women (LSCW)", refer_menu)
        told = bot.api.sent_to(en_reporter)[-1]["text"]
        assert "We passed your report G-0002 to Legal Support for Children and Women (LSCW)" \
            in told
        assert "help you further" not in told and "lscw.org" in told
        menu = (await ana.press("💬 Canned reply", cards[1]))[-1]
        await ana.press("We passed your report to ...", menu)
        assert "We passed your report to Legal Support for Children and Women (LSCW). They may " \
            "contact you." in bot.api.sent_to(en_reporter)[-1]["text"]

        # Closing and reopening the Khmer case: told in Khmer each time.
        close_menu = (await ana.press("✅ Close", cards[0]))[-1]
        await ana.press("📑 Duplicate", close_menu)
        assert "G-0001" in bot.api.sent_to(km_reporter)[-1]["text"]
        closed_text = bot.api.sent_to(km_reporter)[-1]["text"]
        await ana.press("🔓 Reopen", [r for r in ana.group if r.raw.get("message_id") ==
                                     cards[0].raw["message_id"]][-1])
        reopened = bot.api.sent_to(km_reporter)[-1]["text"]
        assert reopened != closed_text and "G-0001" in reopened
        assert "opened again" not in reopened  # Khmer, not English
        case = await desk.get(bot.db, km_case.id)
        assert (case.case.status, case.case.outcome) == ("new", None)
        actions = [e["action"] for e in await desk.audit_entries(bot.db, km_case.id)]
        assert actions == ["reply", "close", "reopen"]


# -- unclaimed cases are announced again, in working hours ------------------------------------------
def local(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PHNOM_PENH).astimezone(UTC)


async def test_unclaimed_case_is_announced_again_once_per_period(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        _reporter, case = await stored_case(bot)
        context = context_of(bot)
        await desk_thread.sweep(context, now=local(2026, 11, 23, 9))
        await bot.settle()
        # Announced on Friday 16:00: one working hour that day, one more on Monday.
        await bot.db.execute_write("UPDATE cases SET announced_at = ? WHERE id = ?",
                                   (to_text(local(2026, 11, 20, 16)), case.id))
        assert await desk_thread.remind_unclaimed(context, local(2026, 11, 22, 23)) == []
        assert await desk_thread.remind_unclaimed(context, local(2026, 11, 23, 8, 59)) == []
        before = len(ana.group)
        assert await desk_thread.remind_unclaimed(context, local(2026, 11, 23, 9)) == [case.id]
        await bot.settle()
        reminder = ana.group[before:][-1]
        assert reminder.text.startswith("⏰ Nobody has claimed G-0001 for 2 working hours. @ana")
        assert "✋ Claim" in reminder.labels
        assert await desk_thread.remind_unclaimed(context, local(2026, 11, 23, 10, 30)) == []
        assert await desk_thread.remind_unclaimed(context, local(2026, 11, 23, 11)) == [case.id]
        await bot.settle()

        await ana.press("✋ Claim", reminder)
        assert await desk_thread.remind_unclaimed(context, local(2026, 11, 30, 12)) == []


# -- urgent cases and I need help now ---------------------------------------------------------------
async def test_urgent_case_and_help_now_mention_the_on_duty_staff(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        await stored_case(bot, "en", urgent=True)
        await desk_thread.sweep(context_of(bot))
        await bot.settle()
        card = card_of(ana.group)
        assert card.text.startswith("🚨 URGENT · 📁 G-0001") and card.text.endswith("@ana")
        assert bot.api.topics[STAFF_CHAT][0]["name"].startswith("🚨 G-0001")

        person = await onboarded(bot, "en", first_name="Sokha")
        await person.press("🆘 I need help now")
        await person.press("🇹🇭 In Thailand")
        alert = ana.group[-1].text
        assert alert.startswith("🆘 I need help now: Sokha (Telegram id")
        assert "in Thailand" in alert and alert.endswith("@ana")

        stranger = bot.person(language_code="en", first_name="Noname")  # never accepted privacy
        await stranger.send("/menu")
        await stranger.press("🆘 I need help now")
        await stranger.press("🇰🇭 In Cambodia")
        alert = ana.group[-1].text
        assert "Noname" not in alert and str(stranger.id) not in alert
        assert "someone who has not accepted the privacy notice" in alert


# -- start-up check ---------------------------------------------------------------------------------
async def test_start_up_warns_when_the_bot_cannot_work_in_the_staff_group(settings, fake_api, caplog):
    members = {**MEMBERS, BOT_ID: "member"}
    with caplog.at_level(logging.WARNING, logger="bot.desk_setup"):
        async with desk_bot(settings, fake_api, forum=True, members=members):
            pass
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.desk_setup"]
    assert any("not an administrator" in w for w in warnings)
    assert any("cannot create them" in w for w in warnings)


async def test_start_up_is_quiet_when_the_bot_is_an_administrator(settings, fake_api, caplog):
    with caplog.at_level(logging.WARNING, logger="bot.desk_setup"):
        async with desk_bot(settings, fake_api, forum=True) as bot:
            calls = list(bot.api.calls)
    assert [r for r in caplog.records if r.name == "bot.desk_setup"] == []
    [staff_commands] = [params["commands"] for method, params in calls
                        if method == "setMyCommands" and params["scope"]["type"] == "chat"]
    assert {"claim", "note", "cases", "stats"} <= {c["command"] for c in staff_commands}


async def test_edited_staff_messages_are_not_sent_again(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        person = await confirmed_wage_claim(bot)
        card = card_of(ana.group)
        await ana.send("We will call you at 3 pm.", thread_id=card.raw["message_thread_id"])
        before = len(person.chat)
        edited = dict(ana.last_sent, text="We will call you at 4 pm.", edit_date=1)
        await bot.deliver(bot.api._queue_update({"edited_message": edited}))
        assert len(person.chat) == before
        case = await desk.by_reference(bot.db, "W-0001")
        assert [e["action"] for e in await desk.audit_entries(bot.db, case.id)] == ["reply"]


async def test_help_now_alerts_staff_once_in_a_while(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=False) as bot:
        ana, *_ = staff(bot)
        person = await onboarded(bot, "en")
        await person.press("🆘 I need help now")
        await person.press("🇰🇭 In Cambodia")
        for _again in range(2):
            await person.press_data("now")
            await person.press("🇰🇭 In Cambodia")
        assert len([r for r in ana.group if r.text.startswith("🆘")]) == 1


async def test_staff_group_in_khmer_and_thread_commands(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=False, staff_language="km") as bot:
        ana, *_ = staff(bot)
        person = await confirmed_wage_claim(bot)  # an English-speaking returnee
        card = next(r for r in ana.group if "✋ ទទួលយក" in r.labels)
        assert "📁 W-0001" in card.text and "ភាសារបស់ពលករវិលត្រឡប់៖ English" in card.text
        reply_to = card.raw["message_id"]

        claimed = [r for r in await ana.send("/claim", reply_to=reply_to) if not r.raw.get("edited")]
        assert "ត្រូវបានទទួលយកដោយ @ana" in claimed[-1].text  # (the card's edit follows it)
        agree_with(bot, "central")
        await ana.send("/refer central", reply_to=reply_to)
        assert "CENTRAL" in person.last.text and "central-cambodia.org" in person.last.text
        refused = await ana.send("/close duplicate 5000 THB", reply_to=reply_to)
        assert "/close resolved 12000 THB" in refused[-1].text
        await ana.send("/close resolved 5000 THB", reply_to=reply_to)
        case = await desk.by_reference(bot.db, "W-0001")
        assert (case.case.status, case.recovered_amount, case.referred_to) == (
            "closed", "5000", "central")
        assert "Your report W-0001 is closed." in person.last.text  # the returnee's language
        not_sent = await ana.send("One more thing", reply_to=reply_to)
        assert not_sent[-1].text == "មិនបានផ្ញើទេ៖ W-0001 ត្រូវបានបិទ។ សូមបើកវាឡើងវិញជាមុនសិន។"
        outside = await ana.send("/claim")  # not in any case's thread
        assert "ប្រធានបទរបស់ករណី" in outside[-1].text
