"""SIGKILL the running bot (`python -m bot run`) and start it again on the same database.

(a) in the middle of a wage claim: the form continues where it was;
(b) just after Confirm: one case, and it reaches the staff desk once;
(c) during a broadcast: it resumes, and nobody recorded as sent gets it twice;
(d) with follow-ups due: tests/test_followups_restart.py
    (test_a_killed_bot_loses_no_follow_up_and_sends_none_twice) kills the bot before
    and after a follow-up is sent and checks that each is delivered once.

Conversation positions and user_data are written every 2 seconds, so the tests wait
for that write (the rows in ptb_conversations / ptb_user_data) before killing.
"""
from __future__ import annotations

import json

from bot.devtools.offline import Fault
from flows.desk import thread as desk_thread
from storage.db import Database
from tests.alerts_helpers import add_subscribers, alerts_to, compose
from tests.desk_helpers import ANA, STAFF_CHAT, context_of, desk_settings
from tests.harness import BotHarness
from tests.intake_helpers import onboarded
from tests.resilience.journeys import WAGE_CLAIM, walk
from tests.resilience.process import ProcessBot, wait_for

STAFF_ENV = {"STAFF_CHAT_ID": str(STAFF_CHAT), "STAFF_USER_IDS": str(ANA),
             "STAFF_LANGUAGE": "en", "QUIET_HOURS": "off"}


def persisted(bot: ProcessBot, person) -> tuple[str | None, str | None]:
    """(the report conversation's state, the draft's step) as last written to the database."""
    key = json.dumps([person.id, person.id])
    state = bot.rows("SELECT state FROM ptb_conversations WHERE name = 'report' AND key = ?",
                     (key,))
    data = bot.rows("SELECT data FROM ptb_user_data WHERE user_id = ?", (person.id,))
    draft = json.loads(data[0][0]).get("report_draft") if data else None
    return (json.loads(state[0][0]) if state else None,
            draft.get("step") if isinstance(draft, dict) else None)


def cases_of(bot: ProcessBot, person) -> list[tuple]:
    return bot.rows("SELECT id, kind, seq, group_size, province, employer, announced_at "
                    "FROM cases LEFT JOIN case_threads ON case_threads.case_id = cases.id "
                    "WHERE reporter_id = ?", (person.id,))


def cards(api) -> list[dict]:
    """Case cards the bot posted in the staff group (the card carries the Claim button)."""
    return [m for m in api.sent_to(STAFF_CHAT) if not m.get("edited")
            and "sd:claim:" in json.dumps(m.get("reply_markup") or {})]


async def test_a_wage_claim_killed_half_way_continues_after_the_restart(tmp_path, fake_api):
    fake_api.api.add_group(STAFF_CHAT, "Hotline staff", is_forum=True, members={ANA: "member"})
    bot = await ProcessBot(tmp_path, fake_api, **STAFF_ENV).start()
    try:
        person = await onboarded(bot, "km")
        await walk(person, WAGE_CLAIM[:5])  # who, group size, province, employer
        await wait_for(lambda: persisted(bot, person) == ("ask_workplace", "workplace"),
                       what="the form's position to be written")
        await bot.kill()

        await bot.start()
        question = person.latest_with_buttons()  # the workplace question asked before the kill
        assert "rp:skip" in [data for _, data in question.buttons]
        summary = await walk(person, WAGE_CLAIM[5:-1])
        assert "Golden Seafood Co." in summary[-1].text  # typed before the crash
        assert "12" in summary[-1].text and "ឈូនបុរី" in summary[-1].text  # Chonburi
        replies = await walk(person, WAGE_CLAIM[-1:])
        assert "W-0001" in replies[-1].text
        await wait_for(lambda: len(cards(bot.api)) == 1, what="the case card")
    finally:
        if bot.process is not None:
            code, stderr = await bot.stop()
            assert code == 0, stderr
    [case] = cases_of(bot, person)
    assert case[1:6] == ("W", 1, 12, "chonburi", "Golden Seafood Co.")
    assert len(bot.api.topics[STAFF_CHAT]) == 1


async def kill_after_confirm_before_staff(bot: ProcessBot, fake_api):
    """A wage claim confirmed, then SIGKILL: the case stored and the person told, but
    nothing yet in the staff group (Telegram does not answer the topic request).
    Returns (person, summary, confirm data)."""
    api = fake_api.api
    person = await onboarded(bot, "en")
    await walk(person, WAGE_CLAIM[:-1])
    await wait_for(lambda: persisted(bot, person) == ("summary", "summary"),
                   what="the summary to be written")
    summary = person.latest_with_buttons()
    confirm = next(d for _, d in summary.buttons if d.startswith("rp:confirm:"))
    api.faults.append(Fault("createForumTopic", hang=True))
    fake_api.queue(api.user_presses(person.user, api.messages[(person.id,
                                    summary.raw["message_id"])], confirm))
    await wait_for(lambda: "W-0001" in person.last.text and not api.faults,
                   what="the reference and the topic request")
    await bot.kill()
    return person, summary, confirm


async def test_a_bot_killed_just_after_confirm_keeps_one_case_that_reaches_staff_once(
        tmp_path, fake_api, settings):
    api = fake_api.api
    api.add_group(STAFF_CHAT, "Hotline staff", is_forum=True, members={ANA: "member"})
    bot = await ProcessBot(tmp_path, fake_api, **STAFF_ENV).start()
    try:
        person, summary, confirm = await kill_after_confirm_before_staff(bot, fake_api)
        assert [c[0] for c in cases_of(bot, person)] == [1] and cards(api) == []

        await bot.start()
        # The person presses Confirm again (their phone showed no answer): nothing new.
        replies = await person.press_data(confirm, summary)
        assert "already received" in replies[-1].text and "W-0001" in replies[-1].text
        # and adds a word to the report, which goes to its (new) thread in the staff group
        for data in ("mc:list", "mc:open:1", "mc:add:1"):
            await person.press_data(data)
        await person.send("I forgot: they kept my passport.")
        await wait_for(lambda: len(cards(api)) == 1, what="the case card")
    finally:
        if bot.process is not None:
            code, stderr = await bot.stop()
            assert code == 0, stderr
    assert len(cases_of(bot, person)) == 1
    assert len(api.topics[STAFF_CHAT]) == 1

    # The desk's own sweep (which announces what a crash left unannounced) adds nothing.
    async with BotHarness.started(desk_settings(settings, staff_user_ids=frozenset({ANA})),
                                  fake_api) as harness:
        await desk_thread.sweep(context_of(harness))
        await harness.settle()
    assert len(cards(api)) == 1 and len(api.topics[STAFF_CHAT]) == 1
    [case] = cases_of(bot, person)
    assert case[6] is not None  # announced


async def test_a_case_stored_but_not_announced_before_a_crash_reaches_staff_on_restart(
        tmp_path, fake_api):
    api = fake_api.api
    api.add_group(STAFF_CHAT, "Hotline staff", is_forum=True, members={ANA: "member"})
    bot = await ProcessBot(tmp_path, fake_api, **STAFF_ENV).start()
    try:
        await kill_after_confirm_before_staff(bot, fake_api)
        assert cards(api) == []

        await bot.start()  # nobody does anything: the desk's first sweep announces it
        await wait_for(lambda: len(cards(api)) == 1, what="the case card", timeout=15)
    finally:
        if bot.process is not None:
            code, stderr = await bot.stop()
            assert code == 0, stderr
    assert len(api.topics[STAFF_CHAT]) == 1


ADMIN = 900_001
SUBSCRIBERS = 120


async def test_a_broadcast_killed_half_way_resumes_without_sending_a_recorded_send_twice(
        tmp_path, fake_api):
    api = fake_api.api
    db = await Database.open(tmp_path / "hotline.sqlite3")
    try:
        subscribers = await add_subscribers(db, api, SUBSCRIBERS)
    finally:
        await db.close()
    bot = await ProcessBot(tmp_path, fake_api, ADMIN_USER_IDS=str(ADMIN),
                           BROADCAST_RATE="40").start()
    try:
        admin = bot.person(language_code="en", user_id=ADMIN, first_name="Admin")
        await compose(bot, admin)
        await admin.press_data("bc:confirm")

        def sent() -> set[int]:
            return {row[0] for row in bot.rows(
                "SELECT chat_id FROM outbox WHERE broadcast_id IS NOT NULL"
                " AND status = 'sent'")}
        await wait_for(lambda: len(sent()) >= SUBSCRIBERS // 4, what="a quarter of the sends")
        await bot.kill()
        marked = sent()
        received = {user for user in subscribers if alerts_to(api, user)}
        assert marked <= received  # a row is marked only once Telegram has answered
        in_flight = received - marked  # sent by Telegram, the answer lost in the kill
        assert len(in_flight) <= 20  # at most the sends in flight (BROADCAST_RATE 40)
        assert len(marked) < SUBSCRIBERS

        await bot.start()
        await wait_for(lambda: bot.rows("SELECT status FROM broadcasts") == [("done",)],
                       what="the broadcast to finish")
    finally:
        if bot.process is not None:
            code, stderr = await bot.stop()
            assert code == 0, stderr
    counts = {user: len(alerts_to(api, user)) for user in subscribers}
    assert all(counts[user] == 1 for user in marked)  # a recorded send is never repeated
    assert all(count >= 1 for count in counts.values())  # and nobody is left out
    assert {user for user, count in counts.items() if count > 1} <= in_flight
    assert bot.rows("SELECT COUNT(*) FROM outbox WHERE broadcast_id IS NOT NULL"
                    " AND status = 'sent'") == [(SUBSCRIBERS,)]


async def test_a_backlog_killed_before_it_was_handled_is_handled_once_after_the_restart(
        tmp_path, fake_api):
    bot = await ProcessBot(tmp_path, fake_api).start()
    try:
        people = [bot.person("en") for _ in range(20)]
        # Every answer hangs: the bot has fetched the updates (Telegram forgot them at the next
        # getUpdates) but finishes none of them before it is killed.
        fake_api.api.faults.append(Fault("sendMessage", hang=True, times=10_000))
        updates = [bot.api.user_sends(p.user, "/help") for p in people]
        for update in updates:
            fake_api.queue(update)
        await fake_api.wait_fetched(updates[-1]["update_id"])
        await bot.kill()
        fake_api.api.faults.clear()
        fake_api.api.updates.extend(dict(u) for u in updates)  # Telegram sends them once more
        await bot.start()
        await wait_for(lambda: all(bot.handled(u["update_id"]) for u in updates),
                       what="the backlog to be handled")
        await bot.deliver(None)  # a probe after everything: any second answer would be out
        # Exactly one answer to /help each. (On a loaded machine an answer may be slower than
        # the client's timeout; the bot then also says something went wrong: not a second /help.)
        answers = {p.id: [m.get("text", "")[:40] for m in bot.api.sent_to(p.id)] for p in people}
        helps = [sum("This bot can help you with:" in a for a in texts) for texts in answers.values()]
        assert helps == [1] * len(people), answers
    finally:
        if bot.process is not None:
            await bot.stop()


async def test_a_kill_after_a_post_went_out_but_before_it_was_recorded_may_post_it_twice(
        tmp_path, fake_api):
    """The outbox's one window for a duplicate: Telegram took the card, the bot was killed
    before writing that down, so the restarted bot posts it again. Nothing is ever lost."""
    api = fake_api.api
    api.add_group(STAFF_CHAT, "Hotline staff", is_forum=False, members={ANA: "member"})
    bot = await ProcessBot(tmp_path, fake_api, **STAFF_ENV).start()
    try:
        person = await onboarded(bot, "en")
        await walk(person, WAGE_CLAIM[:-1])
        api.faults.append(Fault("sendMessage", chat_id=STAFF_CHAT, lost_answer=True))
        await walk(person, WAGE_CLAIM[-1:])  # Confirm: the card goes, its answer never comes
        await wait_for(lambda: len(cards(api)) == 1, what="the card to reach the group")
        await bot.kill()  # before the client gives up waiting for the answer
        assert bot.rows("SELECT status FROM outbox WHERE kind = 'card'") == [("queued",)]
        await bot.start()
        await wait_for(lambda: bot.rows("SELECT status FROM outbox WHERE kind = 'card'")
                       == [("sent",)], what="the card to be sent and recorded")
    finally:
        if bot.process is not None:
            code, stderr = await bot.stop()
            assert code == 0, stderr
    assert len(cards(api)) == 2  # the documented duplicate; every other post went once
    files = bot.rows("SELECT status FROM outbox WHERE kind = 'file'")
    assert files and all(status == "sent" for (status,) in files)
