"""The token's sending budget: Telegram's limits as sliding windows, 429 honoured for all."""
from __future__ import annotations

import asyncio

from telegram.error import RetryAfter

from bot.ratelimit import SlidingWindow, TelegramBudget


async def _starts(budget: TelegramBudget, chat_ids: list[int]) -> list[float]:
    loop = asyncio.get_running_loop()
    begin = loop.time()
    times: list[float] = []

    async def call():
        times.append(loop.time() - begin)
        return True

    await asyncio.gather(*(budget.process_request(call, (), {}, "sendMessage",
                                                  {"chat_id": c}, None) for c in chat_ids))
    return sorted(times)


async def test_a_window_lets_limit_through_then_waits_for_the_oldest():
    window = SlidingWindow(3, 0.2)
    loop = asyncio.get_running_loop()
    begin = loop.time()
    for _ in range(4):
        await window.acquire()
    assert loop.time() - begin >= 0.19


async def test_one_private_chat_gets_a_short_burst_then_about_one_a_second():
    budget = TelegramBudget(chat_burst=2)
    times = await _starts(budget, [42, 42, 42])
    assert times[1] < 0.1 and times[2] >= 1.9  # two at once, the third after the window


async def test_other_chats_do_not_wait_for_a_busy_one():
    budget = TelegramBudget(chat_burst=1)
    times = await _starts(budget, [42, 42, 43, 44, 45])
    assert sorted(times)[3] < 0.1  # everyone but 42's second message goes at once


async def test_the_overall_limit_holds_over_any_second():
    budget = TelegramBudget(overall_per_second=10)
    times = await _starts(budget, list(range(1, 16)))
    assert sum(1 for t in times if t < 0.99) == 10


async def test_a_429_pauses_everyone_for_retry_after_and_the_call_is_tried_again():
    budget = TelegramBudget()
    calls = []

    async def flaky():
        calls.append(asyncio.get_running_loop().time())
        if len(calls) == 1:
            raise RetryAfter(1)
        return True

    assert await budget.process_request(flaky, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert calls[1] - calls[0] >= 0.99
    assert budget.retry_afters == 1


async def test_calls_to_no_chat_are_not_counted():
    budget = TelegramBudget(overall_per_second=1)
    loop = asyncio.get_running_loop()
    begin = loop.time()

    async def call():
        return True

    for _ in range(5):
        await budget.process_request(call, (), {}, "answerCallbackQuery", {}, None)
    assert loop.time() - begin < 0.1
