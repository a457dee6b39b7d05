"""The outbox sender through the real stack: every kind of send meets Telegram's faults once
(502, a timeout, 429, 403, a 400 on one file, a deleted topic, a moved group) and arrives
exactly once where it should, or is reported; nothing is posted twice; people are told
the truth."""
from __future__ import annotations

import json

from bot.devtools.offline import Fault
from tests.desk_helpers import (
    ANA,
    STAFF_CHAT,
    card_of,
    confirmed_wage_claim,
    desk_bot,
    staff,
)
from tests.intake_helpers import onboarded


async def due_now(bot) -> None:
    """The retries' backoff has passed: send what waits (a test does not sleep it out)."""
    await bot.db.execute_write("UPDATE outbox SET next_attempt_at = 0 WHERE status = 'queued'")
    await bot.settle()


def posts_with(api, chat_id: int, text: str) -> list[dict]:
    return [m for m in api.sent_to(chat_id) if text in (m.get("text") or m.get("caption") or "")
            and not m.get("edited")]


async def outbox_rows(bot, kind: str) -> list[dict]:
    return [dict(r) for r in await bot.db.fetchall(
        "SELECT status, attempts, reason, message_id FROM outbox WHERE kind = ? ORDER BY id",
        (kind,))]


async def waiting_case(bot):
    """A returnee whose case waits for their answer, and the staff member Ana."""
    ana, *_ = staff(bot)
    person = await confirmed_wage_claim(bot)
    await ana.press("⏳ Waiting", card_of(ana.group))
    return person, ana


async def test_a_relay_that_meets_a_502_arrives_once_and_only_then_gets_its_mark(settings,
                                                                                 fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        person, _ana = await waiting_case(bot)
        fake_api.api.faults.append(Fault("sendMessage", 502, "Bad Gateway", chat_id=STAFF_CHAT))
        replies = await person.send("The employer is Somchai.")
        assert "It will reach hotline staff shortly" in replies[-1].text  # not "sent"
        assert posts_with(bot.api, STAFF_CHAT, "The employer is Somchai.") == []
        assert bot.api.reactions.get((person.id, person.last.raw["message_id"] - 1)) is None
        await due_now(bot)
        assert len(posts_with(bot.api, STAFF_CHAT, "The employer is Somchai.")) == 1
        [row] = await outbox_rows(bot, "copy_in")
        assert row["status"] == "sent" and row["attempts"] == 2
        assert any(chat == person.id for chat, _ in bot.api.reactions), "👌 once it is there"


async def test_a_closing_notice_that_meets_a_502_reaches_the_returnee_once(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=False) as bot:
        ana, *_ = staff(bot)
        person = await confirmed_wage_claim(bot)
        card = card_of(ana.group)
        fake_api.api.faults.append(Fault("sendMessage", 502, "Bad Gateway", chat_id=person.id))
        await ana.press("✅ Close", card)
        await ana.press("✅ Resolved, no money", ana.group[-1])
        assert not [r for r in person.chat if "is closed" in r.text]
        await due_now(bot)
        assert len([r for r in person.chat if "Your report W-0001 is closed" in r.text]) == 1


async def test_a_staff_reply_whose_send_timed_out_is_sent_again_once(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=False) as bot:
        ana, *_ = staff(bot)
        person = await confirmed_wage_claim(bot)
        card = card_of(ana.group)
        fake_api.api.faults.append(Fault("sendMessage", chat_id=person.id, hang=True))
        await ana.send("Can you call us tomorrow?", reply_to=card.raw["message_id"])
        await due_now(bot)
        assert len([r for r in person.chat if "Can you call us tomorrow?" in r.text]) == 1
        assert ana.reactions() == [{"type": "emoji", "emoji": "👌"}]


async def test_a_card_that_meets_a_429_waits_and_is_posted_once(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=False) as bot:
        fake_api.api.faults.append(Fault("sendMessage", 429, "Too Many Requests: retry after 1",
                                         retry_after=1, chat_id=STAFF_CHAT))
        await confirmed_wage_claim(bot)
        await due_now(bot)
        cards = [m for m in bot.api.sent_to(STAFF_CHAT) if "sd:claim:" in
                 json.dumps(m.get("reply_markup") or {}) and not m.get("edited")]
        assert len(cards) == 1


async def test_a_blocked_returnee_makes_the_reply_fail_and_staff_are_told(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=False) as bot:
        ana, *_ = staff(bot)
        person = await confirmed_wage_claim(bot)
        bot.api.user_blocks_bot(person.id)
        await ana.send("Are you safe?", reply_to=card_of(ana.group).raw["message_id"])
        [row] = await outbox_rows(bot, "to_returnee")
        assert row["status"] == "failed" and row["attempts"] == 1  # 403: never tried again
        assert posts_with(bot.api, STAFF_CHAT, "⚠️ Not delivered: the returnee has blocked")
        assert ana.reactions() == []


async def test_one_file_telegram_refuses_fails_alone_and_nothing_is_posted_twice(settings,
                                                                                  fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        fake_api.api.faults.append(Fault("sendVoice", 400, "Bad Request: wrong file identifier",
                                         times=99))
        await confirmed_wage_claim(bot)  # a photo and a voice note as proof
        for _ in range(3):  # later sweeps and retries change nothing
            await due_now(bot)
        files = await outbox_rows(bot, "file")
        assert sorted(r["status"] for r in files) == ["failed", "sent"]
        assert next(r["reason"] for r in files if r["status"] == "failed").startswith("BadRequest")
        photos = [m for m in bot.api.sent_to(STAFF_CHAT) if "photo" in m]
        assert len(photos) == 1


async def test_a_deleted_topic_is_made_again_and_the_post_lands_there(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        person, _ana = await waiting_case(bot)
        fake_api.api.faults.append(Fault("sendMessage", 400, "Bad Request: message thread not "
                                         "found", chat_id=STAFF_CHAT))
        await person.send("Hello again")
        topics = bot.api.topics[STAFF_CHAT]
        assert len(topics) == 2, "a new topic for the case"
        [post] = posts_with(bot.api, STAFF_CHAT, "Hello again")
        assert post["message_thread_id"] == topics[-1]["message_thread_id"]


async def test_a_group_that_moved_gets_the_posts_and_its_commands_are_answered(settings,
                                                                               fake_api):
    new_id = STAFF_CHAT - 1
    async with desk_bot(settings, fake_api, forum=False) as bot:
        _ana, *_ = staff(bot)
        fake_api.api.add_group(new_id, "Hotline staff", members={ANA: "member"})
        fake_api.api.faults.append(Fault("sendMessage", 400, "Bad Request: group chat was "
                                         "upgraded to a supergroup chat", chat_id=STAFF_CHAT,
                                         migrate_to=new_id, times=99))
        await confirmed_wage_claim(bot)
        assert [m for m in bot.api.sent_to(new_id) if "W-0001" in (m.get("text") or "")]
        stored = await bot.db.fetchval("SELECT chat_id FROM staff_chat")
        assert stored == new_id
        moved = bot.staff("ana", ANA, "Ana", chat_id=new_id)
        listing = await moved.send("/cases")
        assert any("W-0001" in r.text for r in listing)


async def test_delete_removes_the_help_now_alert_that_named_the_person(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=False) as bot:
        person = await onboarded(bot, "en", first_name="Sokha")
        await person.send("/menu")
        await person.press("🆘 I need help now")
        await person.press("🇹🇭 In Thailand")
        [alert] = [m for m in bot.api.sent_to(STAFF_CHAT) if "🆘 I need help now" in m["text"]]
        assert "Sokha" in alert["text"]
        await person.send("/delete")
        await person.press("🗑 Yes, delete everything")
        assert (STAFF_CHAT, alert["message_id"]) not in bot.api.messages, "the alert is deleted"
        payloads = [r["payload"] for r in await bot.db.fetchall("SELECT payload FROM outbox")]
        assert not [p for p in payloads if "Sokha" in p], "and the outbox forgot the name"
