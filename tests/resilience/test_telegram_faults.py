"""Telegram answering chosen calls with 429 + retry_after, 500, 403, 400 or not at all.

Nothing is lost, nothing stops, and only what should be retried is: a reply is sent
again only after a 429 (AIORateLimiter); an alert after a 429, a 5xx or a timeout
(the sender's alert lane, bot/jobs/alert_lane.py), never after a 403 or a 400.
(tests/test_faults.py, test_followups.py and test_staff_desk_rules.py cover the
single faults of replies, follow-ups and announcing a case.)
"""
from __future__ import annotations

from bot.devtools.offline import Fault
from storage import broadcasts
from tests.alerts_helpers import (
    add_subscribers,
    alerts_to,
    compose,
    fast,
    latest_broadcast_id,
    wait_for_status,
)
from tests.harness import BotHarness
from tests.intake_helpers import case_rows, onboarded
from tests.resilience.journeys import WAGE_CLAIM, walk

SORRY = {"en": "Sorry, something went wrong on our side.", "km": "សូមទោស មានបញ្ហាខាងយើង"}
MENU = {"en": "What would you like to do?", "km": "តើអ្នកចង់ធ្វើអ្វី"}


def sends_to(bot: BotHarness, chat_id: int, method: str = "sendMessage") -> list[dict]:
    return [params for name, params in bot.api.calls
            if name == method and params.get("chat_id") == chat_id]


async def test_a_slow_down_mid_form_delays_the_question_and_the_form_goes_on(bot):
    person = await onboarded(bot, "km")
    await walk(person, WAGE_CLAIM[:4])
    bot.api.faults.append(Fault("sendMessage", 429, "Too Many Requests: retry after 1",
                                retry_after=1, chat_id=person.id))
    before = len(sends_to(bot, person.id))
    replies = await walk(person, WAGE_CLAIM[4:5])  # the employer's name
    assert len(replies) == 1 and "rp:skip" in [d for _, d in replies[0].buttons]
    assert len(sends_to(bot, person.id)) - before == 2  # refused once, sent once
    await walk(person, WAGE_CLAIM[5:])
    [case] = await case_rows(bot, person)
    assert case["employer"] == "Golden Seafood Co."


async def test_a_server_error_mid_form_is_not_retried_and_loses_no_answer(bot):
    person = await onboarded(bot, "km")
    await walk(person, WAGE_CLAIM[:4])
    bot.api.faults.append(Fault("sendMessage", 500, chat_id=person.id))
    before = len(sends_to(bot, person.id))
    replies = await walk(person, WAGE_CLAIM[4:5])
    assert len(replies) == 1 and replies[0].text.startswith(SORRY["km"])
    assert len(sends_to(bot, person.id)) - before == 2  # the failed question, the apology
    # The person comes back to the report: it goes on from the next question.
    await person.press_data("menu:wage")
    replies = await person.press_data("rp:resume")
    assert "rp:skip" in [d for _, d in replies[-1].buttons]
    await walk(person, WAGE_CLAIM[5:])
    [case] = await case_rows(bot, person)
    assert (case["employer"], case["group_size"]) == ("Golden Seafood Co.", 12)


async def test_a_confirm_whose_answer_times_out_keeps_one_case(bot):
    person = await onboarded(bot, "en")
    await walk(person, WAGE_CLAIM[:-1])
    bot.api.faults.append(Fault("sendMessage", chat_id=person.id, hang=True))
    replies = await walk(person, WAGE_CLAIM[-1:])  # Telegram never answers the reference
    assert replies[-1].text.startswith(SORRY["en"])
    received = [p for p in sends_to(bot, person.id) if "W-0001" in p.get("text", "")]
    assert len(received) == 1  # a timeout is not sent again: it may have arrived
    replies = await person.press_data(
        next(d for r in reversed(person.chat) for _, d in r.buttons if d.startswith("rp:confirm:")))
    assert "already received" in replies[-1].text and "W-0001" in replies[-1].text
    assert len(await case_rows(bot, person)) == 1


async def test_a_person_who_blocked_the_bot_stops_nothing(bot):
    blocked, other = await onboarded(bot, "en"), await onboarded(bot, "km")
    bot.api.user_blocks_bot(blocked.id)
    before = len(sends_to(bot, blocked.id))
    assert await blocked.send("/menu") == []
    assert len(sends_to(bot, blocked.id)) - before == 2  # the menu and the apology, once each
    replies = await other.send("/menu")
    assert MENU["km"] in replies[-1].text


async def test_alerts_are_retried_after_429_5xx_and_timeouts_but_not_after_403_or_400(
        settings, fake_api):
    async with BotHarness.started(fast(settings), fake_api) as bot:
        users = await add_subscribers(bot.db, bot.api, 7, language="en")
        ok, slow, error, hang, blocked, bad, ok2 = users
        bot.api.faults += [
            Fault("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1,
                  chat_id=slow),
            Fault("sendMessage", 502, "Bad Gateway", chat_id=error),
            Fault("sendMessage", chat_id=hang, hang=True),
            Fault("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=blocked),
            Fault("sendMessage", 400, "Bad Request: chat not found", chat_id=bad),
        ]
        admin = bot.person(language_code="en", user_id=next(iter(bot.settings.admin_user_ids)))
        await compose(bot, admin)
        await admin.press_data("bc:confirm")
        broadcast_id = await latest_broadcast_id(bot.db)
        await wait_for_status(bot.db, broadcast_id)
        figures = await broadcasts.figures(bot.db, broadcast_id)
        assert (figures.sent, figures.blocked, figures.failed, figures.queued) == (5, 1, 1, 0)
        tries = {user: len(sends_to(bot, user)) for user in users}
        assert tries == {ok: 1, slow: 2, error: 2, hang: 2, blocked: 1, bad: 1, ok2: 1}
        received = {user: len(alerts_to(bot.api, user)) for user in users}
        assert received == {ok: 1, slow: 1, error: 1, hang: 1, blocked: 0, bad: 0, ok2: 1}
        replies = await admin.send("/menu")  # and the bot still answers
        assert MENU["en"] in replies[-1].text
