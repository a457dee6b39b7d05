"""The staff desk through the running bot: cards, claiming, replies both ways, closing, /stats."""
from __future__ import annotations

import pytest

from storage import desk
from tests.desk_helpers import (
    STAFF_CHAT,
    card_of,
    confirmed_wage_claim,
    desk_bot,
    staff,
)


def where(bot, card, forum: bool) -> dict:
    """How a staff member writes in the case's thread: in its topic, or replying to the card."""
    if forum:
        return {"thread_id": card.raw["message_thread_id"]}
    return {"reply_to": card.raw["message_id"]}


@pytest.mark.parametrize("forum", [True, False], ids=["forum", "plain-group"])
async def test_wage_claim_from_card_to_closing_with_money_recovered(settings, fake_api, forum):
    async with desk_bot(settings, fake_api, forum=forum) as bot:
        ana, *_ = staff(bot)
        person = await confirmed_wage_claim(bot)
        assert "Your reference is W-0001." in person.chat[-1].text

        # The card, in a topic of its own in a forum group.
        card = card_of(ana.group)
        for shown in ("W-0001 · Unpaid wages", "Status: New: nobody has it yet",
                      "Returnee's language: English", "A group of workers was not paid (12 people)",
                      "Chonburi", "Golden Seafood Co.", "12,500", "Mr Broker"):
            assert shown in card.text, shown
        if forum:
            [topic] = bot.api.topics[STAFF_CHAT]
            assert topic["name"] == "W-0001 · Unpaid wages"
            assert card.raw["message_thread_id"] == topic["message_thread_id"]
        else:
            assert STAFF_CHAT not in bot.api.topics
        proof = [r.raw.get("method") for r in ana.group if r.raw.get("method") != "sendMessage"]
        assert proof == ["sendPhoto", "sendVoice"]
        case = await desk.by_reference(bot.db, "W-0001")
        assert case.announced_at is not None

        # Claim: the card shows who has it, the returnee is told.
        await ana.press("✋ Claim", card)
        edited = [r for r in ana.group if r.raw.get("edited")][-1]
        assert "Assigned to: @ana" in edited.text and "Status: Claimed" in edited.text
        assert "A hotline staff member is now working on your report W-0001." in person.last.text

        # Replies with text and a photo reach the returnee; staff see 👌 on each.
        await ana.send("Hello, we are calling the employer today.", **where(bot, card, forum))
        assert ana.reactions() == [{"type": "emoji", "emoji": "👌"}]
        text_reply = person.last
        assert "💬 Hotline staff, about your report W-0001:" in text_reply.text
        assert "calling the employer today" in text_reply.text
        assert "✍️ Answer" in text_reply.labels
        await ana.send(photo=True, caption="The letter we sent", **where(bot, card, forum))
        assert ana.reactions() == [{"type": "emoji", "emoji": "👌"}]
        photo_reply = person.last
        assert "photo" in photo_reply.raw and "The letter we sent" in photo_reply.text
        case = await desk.by_reference(bot.db, "W-0001")
        assert case.case.first_response_at is not None

        # The returnee answers (Answer button); the answer appears in the thread.
        await person.press("✍️ Answer", text_reply)
        before = len(ana.group)
        replies = await person.send("Thank you, my boss still has my passport.")
        assert "Added to W-0001." in replies[-1].text
        relayed = ana.group[before:]
        assert any("my boss still has my passport" in r.text and "W-0001 · from the returnee" in r.text
                   for r in relayed)
        if forum:
            assert all(r.raw.get("message_thread_id") == card.raw["message_thread_id"] for r in relayed)
        else:
            assert all(r.raw["reply_to_message"]["message_id"] == card.raw["message_id"]
                       for r in relayed)

        # Close with the amount recovered; the returnee is told.
        close_menu = (await ana.press("✅ Close", card))[-1]
        asked = (await ana.press("💰 Resolved, money recovered", close_menu))[-1]
        assert "type the amount recovered" in asked.text
        await ana.send("12,000 baht", **where(bot, card, forum))
        case = await desk.by_reference(bot.db, "W-0001")
        assert (case.case.status, case.case.outcome) == ("closed", "resolved")
        assert (case.recovered_amount, case.recovered_currency) == ("12000", "THB")
        assert "Your report W-0001 is closed." in person.last.text
        assert "12,000" in person.last.text and "was recovered for you" in person.last.text
        card_now = [r for r in ana.group if r.raw.get("edited")][-1]
        assert "Outcome: Resolved · recovered THB12,000.00" in card_now.text
        assert card_now.labels == ["🔓 Reopen"]

        # /stats counts it.
        *figures, chart = await ana.send("/stats")
        stats = figures[-1].text
        assert "Cases received … – …: 1" in stats
        assert "By category: Unpaid wages 1" in stats and "By status: Closed 1" in stats
        assert "By province: Chonburi 1" in stats and "By reporter's gender: Woman 1" in stats
        assert "Recovered: THB12,000.00" in stats
        assert chart.raw["method"] == "sendPhoto" and chart.raw["upload"].startswith(b"\x89PNG")

        actions = [e["action"] for e in await desk.audit_entries(bot.db, case.id)]
        assert actions == ["claim", "reply", "reply", "close"]
        assert all(e["staff_id"] == ana.id for e in await desk.audit_entries(bot.db, case.id))


async def test_waiting_case_takes_the_returnee_plain_messages(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        person = await confirmed_wage_claim(bot)
        card = card_of(ana.group)
        thread = card.raw["message_thread_id"]

        # Not waiting: a plain message is not understood, and nothing reaches staff.
        before = len(ana.group)
        assert "did not understand" in (await person.send("qwzx plorb?"))[-1].text
        assert ana.group[before:] == []

        await ana.press("⏳ Waiting", card)
        assert "Hotline staff are waiting for your answer about W-0001." in person.last.text
        replies = await person.send("My employer is Golden Seafood in Chonburi.")
        # The truth: saved and on its way; 👌 on their message once it is in the thread.
        assert "Saved with your report W-0001. It will reach hotline staff" in replies[-1].text
        assert "Golden Seafood in Chonburi" in ana.in_thread(thread)[-1].text
        sent = bot.api.messages and max(m for (chat, m) in bot.api.messages if chat == person.id)
        assert bot.api.reactions.get((person.id, sent - 1)) or any(
            key[0] == person.id for key in bot.api.reactions), "👌 on the returnee's message"
        await person.send(photo=True)
        assert "photo" in ana.in_thread(thread)[-1].raw

        # A form still works while the case waits: its questions take the text.
        await person.send("/menu")
        await person.press("📣 Report a problem")
        assert "What is the problem about?" in person.last.text


async def test_internal_notes_are_never_sent(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        person = await confirmed_wage_claim(bot)
        card = card_of(ana.group)
        before = len(person.chat)
        await ana.send("/note The returnee sounds scared; call in Khmer.",
                       thread_id=card.raw["message_thread_id"])
        assert len(person.chat) == before
        assert ana.reactions() == [{"type": "emoji", "emoji": "✍"}]
        case = await desk.by_reference(bot.db, "W-0001")
        assert [n[1] for n in await desk.notes(bot.db, case.id)] == [
            "The returnee sounds scared; call in Khmer."]
        assert case.case.first_response_at is None
        assert [e["action"] for e in await desk.audit_entries(bot.db, case.id)] == ["note"]


async def test_blocked_returnee_gives_a_warning_in_the_thread(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=False) as bot:
        ana, *_ = staff(bot)
        person = await confirmed_wage_claim(bot)
        card = card_of(ana.group)
        bot.api.user_blocks_bot(person.id)
        replies = await ana.send("Can you call us?", reply_to=card.raw["message_id"])
        assert "⚠️ Not delivered: the returnee has blocked the bot" in replies[-1].text
        assert ana.reactions() == []
        case = await desk.by_reference(bot.db, "W-0001")
        assert case.case.first_response_at is None, "a reply that never arrived is no response"
        [entry] = await desk.audit_entries(bot.db, case.id)
        assert (entry["action"], entry["detail"]) == ("reply", "kind=text queued")
        [(status, reason)] = await bot.db.fetchall(
            "SELECT status, reason FROM outbox WHERE kind = 'to_returnee'")
        assert status == "failed" and reason.startswith("unreachable: Forbidden")


async def test_cases_case_and_mine(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, bo, *_ = staff(bot)
        await confirmed_wage_claim(bot)
        await confirmed_wage_claim(bot)
        await ana.press("✋ Claim", card_of(ana.group))
        listing = (await bo.send("/cases"))[-1].text
        assert "2 in all · page 1 of 1" in listing
        assert listing.index("W-0002") < listing.index("W-0001")  # newest first
        assert "• W-0001 · Unpaid wages · Claimed" in listing
        assert "• W-0002 · Unpaid wages · New" in listing
        mine = (await ana.send("/mine"))[-1].text
        assert "W-0001" in mine and "W-0002" not in mine
        assert (await bo.send("/mine"))[-1].text == "No open cases."
        again = (await bo.send("/case w-2"))[-1]
        assert again.text.startswith("📁 W-0002 · Unpaid wages") and "✋ Claim" in again.labels
        assert "No case with that reference" in (await bo.send("/case W-0099"))[-1].text


async def test_staff_voice_notes_and_documents_reach_the_returnee(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        person = await confirmed_wage_claim(bot)
        thread = card_of(ana.group).raw["message_thread_id"]
        await ana.send(voice=True, thread_id=thread)
        assert "voice" in person.last.raw and "W-0001" in person.last.text
        await ana.send(document=True, caption="Form to sign", thread_id=thread)
        assert "document" in person.last.raw and "Form to sign" in person.last.text
        assert ana.reactions() == [{"type": "emoji", "emoji": "👌"}]
        case = await desk.by_reference(bot.db, "W-0001")
        details = [e["detail"] for e in await desk.audit_entries(bot.db, case.id)]
        assert details == ["kind=voice queued", "kind=document queued"]
