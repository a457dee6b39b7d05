"""Privacy follows every copy the bot posted, through the outbox: /delete and retention
delete (in batches, within Telegram's 48 hours) or edit every copy of a case in the staff
group (relays, reminder cards, the "I need help now" alert); retention erases unfinished
drafts; /mydata and /delete log no Telegram id. And follow-ups, now outbox rows, meet a
timeout and a permanent 400."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.devtools.offline import Fault
from bot.jobs import retention
from flows.desk import thread as desk_thread
from storage import desk, followups
from storage.clock import to_text, utcnow
from tests import desk_helpers as desk_h
from tests import log_scan
from tests.desk_helpers import STAFF_CHAT, card_of, confirmed_wage_claim, context_of
from tests.followup_helpers import (
    daytime_after,
    followup_bot,
    reported_case,
    sweep_at,
    texts,
)
from tests.intake_helpers import onboarded
from tests.resilience.journeys import WAGE_CLAIM, walk

DRAFT = "report_draft"  # the key of an unfinished report in user_data (bot/state.py)
RELAYED = "The broker kept my passport in Chonburi."


def post_with(bot, text: str) -> dict:
    [post] = [m for m in bot.api.sent_to(STAFF_CHAT) if text in (m.get("text") or "")
              and not m.get("edited")]
    return post


async def case_with_copies(bot):
    """A case whose thread holds a reminder card and a relayed message, and an "I need help
    now" alert that names its reporter: (person, card, [reminder, relay, alert])."""
    ana, *_ = desk_h.staff(bot)
    person = await confirmed_wage_claim(bot)
    card = card_of(ana.group)
    await desk_thread.remind_unclaimed(context_of(bot), utcnow() + timedelta(days=30))
    await bot.settle()
    reminder = post_with(bot, "⏰ Nobody has claimed W-0001")
    assert "Golden Seafood" in reminder["text"]  # the reminder repeats the details
    await ana.press("⏳ Waiting", card)
    await person.send(RELAYED)
    relay = post_with(bot, RELAYED)
    await person.send("/menu")
    await person.press("🆘 I need help now")
    await person.press("🇹🇭 In Thailand")
    alert = post_with(bot, "🆘 I need help now")
    assert "Sokha" in alert["text"]
    return person, card, [reminder, relay, alert]


async def test_delete_removes_every_copy_in_batches_and_keeps_the_edited_card(settings,
                                                                            fake_api):
    async with desk_h.desk_bot(settings, fake_api, forum=False) as bot:
        person, card, copies = await case_with_copies(bot)
        await person.send("/delete")
        await person.press("🗑 Yes, delete everything")
        await bot.settle()
        batches = [ids for chat, ids in bot.api.deleted_batches if chat == STAFF_CHAT]
        deleted = {i for ids in batches for i in ids}
        assert all(1 <= len(ids) <= 100 for ids in batches)
        for copy in copies:  # the reminder card, the relay and the help-now alert
            assert copy["message_id"] in deleted
            assert (STAFF_CHAT, copy["message_id"]) not in bot.api.messages
        assert card.raw["message_id"] not in deleted  # the card stays, edited
        assert "Personal details erased" in bot.api.messages[(STAFF_CHAT,
                                                              card.raw["message_id"])]["text"]
        calls = [name for name, _ in bot.api.calls]
        assert "deleteMessage" not in calls  # one call a batch, not one a message


async def test_retention_edits_the_copies_too_old_to_delete(settings, fake_api):
    async with desk_h.desk_bot(settings, fake_api, forum=False, retention_days=365) as bot:
        _person, card, copies = await case_with_copies(bot)
        three_days = 3 * 24 * 3600
        for message in bot.api.messages.values():  # everything was posted three days ago
            message["date"] -= three_days
        await bot.db.execute_write("UPDATE outbox SET sent_at = ? WHERE status = 'sent'",
                                   (to_text(utcnow() - timedelta(days=3)),))
        case = await desk.by_reference(bot.db, "W-0001")
        await desk.close(bot.db, case.id, None, "resolved")
        await bot.db.execute_write("UPDATE cases SET closed_at = ? WHERE id = ?",
                                   (to_text(utcnow() - timedelta(days=400)), case.id))
        assert await retention.run_retention(context_of(bot), utcnow()) == [case.id]
        await bot.settle()
        reminder, relay, _alert = copies  # the alert names no case: only /delete takes it
        for copy in (reminder, relay):
            kept = bot.api.messages[(STAFF_CHAT, copy["message_id"])]  # too old to delete
            assert kept["text"].startswith("🗑 Erased"), kept["text"]
            assert RELAYED not in kept["text"] and "Golden Seafood" not in kept["text"]
        shown = bot.api.messages[(STAFF_CHAT, card.raw["message_id"])]["text"]
        assert "Personal details erased" in shown and "Golden Seafood" not in shown


async def test_retention_erases_an_unfinished_draft_and_the_next_message_is_answered(
        settings, fake_api):
    async with desk_h.desk_bot(settings, fake_api, forum=False, retention_days=365) as bot:
        person = await onboarded(bot, "en")
        await walk(person, WAGE_CLAIM[:5])  # who, group size, province, employer: a draft
        data = bot.app.user_data[person.id]
        assert data[DRAFT]["f"]["employer"] == "Golden Seafood Co."
        later = utcnow() + timedelta(days=366)  # a year on: the draft is older than that
        await retention.run_retention(context_of(bot), later)
        assert DRAFT not in bot.app.user_data[person.id]
        await bot.app.update_persistence()
        stored = await bot.db.fetchval("SELECT data FROM ptb_user_data WHERE user_id = ?",
                                       (person.id,))
        assert "Golden Seafood" not in (stored or "")
        replies = await person.send("Sunrise Farm")  # the answer to the question it had asked
        assert replies[-1].text.startswith("That report is no longer open. Here is the menu.")
        assert not any("something went wrong" in r.text for r in replies)


async def test_mydata_and_delete_log_no_telegram_id(settings, fake_api, caplog):
    async with desk_h.desk_bot(settings, fake_api, forum=False) as bot:
        person = await confirmed_wage_claim(bot)
        caplog.clear()
        with caplog.at_level(logging.INFO):
            await person.send("/mydata")
            await person.send("/delete")
            await person.press("🗑 Yes, delete everything")
            await bot.settle()
        records = [r for r in caplog.records if not r.name.startswith("tests")]
        assert any("deleted their data" in r.getMessage() for r in records)
        assert log_scan.leaks(records, {str(person.id)}) == []


# -- follow-ups are outbox rows: a timeout and a permanent 400 ---------------------------------
@pytest.mark.parametrize("fault, sent, state", [
    (Fault("sendMessage", hang=True), 1, "sent"),  # sent again once, arrives once
    (Fault("sendMessage", 400, "Bad Request: chat not found"), 0, "failed"),  # reported
], ids=["timeout", "permanent-400"])
async def test_a_follow_up_that_meets_a_fault_arrives_once_or_is_reported(
        settings, fake_api, fault, sent, state):
    async with followup_bot(settings, fake_api) as bot:
        ana, *_ = desk_h.staff(bot)
        person, case = await reported_case(bot, "en")
        await desk_thread.announce(context_of(bot), case.id)
        await bot.settle()
        [row] = await followups.of_case(bot.db, case.id)
        fault.chat_id = person.id
        bot.api.faults.append(fault)
        due = daytime_after(row.due, bot)
        delivered = await sweep_at(bot, due)
        await bot.db.execute_write("UPDATE outbox SET next_attempt_at = 0 WHERE status = 'queued'")
        delivered += await sweep_at(bot, due + timedelta(minutes=1))
        assert delivered == sent
        assert len(texts(person, "is in the queue")) == sent
        stored = await followups.get(bot.db, row.id)
        assert stored.state == state
        [outbox_row] = await bot.db.fetchall("SELECT status FROM outbox WHERE followup_id = ?",
                                             (row.id,))
        assert outbox_row["status"] == state
        if state == "failed":
            assert any("⚠️ Follow-up #1 for G-0001 could not be sent" in r.text
                       for r in ana.group)


# -- edits are outbox rows ----------------------------------------------------------------
async def test_an_edit_that_changes_nothing_counts_as_done_and_a_502_is_retried(settings,
                                                                              fake_api):
    async with desk_h.desk_bot(settings, fake_api, forum=False) as bot:
        await confirmed_wage_claim(bot)
        case = await desk.by_reference(bot.db, "W-0001")
        bot.api.faults.append(Fault("editMessageText", 502, "Bad Gateway", chat_id=STAFF_CHAT))
        await desk_thread.refresh_card(context_of(bot), case)  # the card as it is: no change
        await bot.settle()
        await bot.db.execute_write("UPDATE outbox SET next_attempt_at = 0 WHERE status = 'queued'")
        await bot.settle()
        edits = await bot.db.fetchall("SELECT status, attempts FROM outbox WHERE kind = 'card_edit'")
        assert [(r["status"], r["attempts"]) for r in edits] == [("sent", 2)]  # 502, then "not
        # modified" from Telegram: done, and nothing is reported as refused
        card = bot.api.messages[(STAFF_CHAT, (await desk.thread(bot.db, case.id)).card_message_id)]
        assert "refused for good" not in card["text"]
