"""The per-person update processor on its own: order per key, parallel across keys."""
from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.processor import PerPersonProcessor, order_key


def message_update(update_id: int, user_id: int, chat_id: int | None = None,
                   chat_type: str = "private") -> Update:
    user = User(user_id, "P", False)
    chat = Chat(chat_id or user_id, chat_type)
    return Update(update_id, message=Message(update_id, None, chat, from_user=user))


def test_keys_group_chats_as_a_whole_and_people_alone():
    assert order_key(message_update(1, 5)) == ("user", 5)
    staff_a = message_update(2, 6, chat_id=-100, chat_type="supergroup")
    staff_b = message_update(3, 7, chat_id=-100, chat_type="supergroup")
    assert order_key(staff_a) == order_key(staff_b) == ("chat", -100)
    assert order_key("not an update") is None


async def test_one_key_in_order_others_alongside_and_done_after_each():
    log: list[str] = []
    done: list[int] = []

    async def on_done(update):
        done.append(update.update_id)

    processor = PerPersonProcessor(on_done=on_done)

    async def work(name: str, seconds: float):
        log.append(f"{name} start")
        await asyncio.sleep(seconds)
        log.append(f"{name} end")

    updates = [(message_update(1, 10), work("a1", 0.05)), (message_update(2, 10), work("a2", 0)),
               (message_update(3, 20), work("b1", 0))]
    await asyncio.gather(*(processor.process_update(u, c) for u, c in updates))
    assert log.index("a1 end") < log.index("a2 start"), "one person: one after another"
    assert log.index("b1 end") < log.index("a1 end"), "another person does not wait"
    assert sorted(done) == [1, 2, 3]
    assert processor.waiting_people == 0, "nothing kept once everyone is done"


async def test_a_failing_update_still_counts_as_handled():
    done: list[int] = []

    async def on_done(update):
        done.append(update.update_id)

    async def broken():
        raise RuntimeError("bug")

    processor = PerPersonProcessor(on_done=on_done)
    await processor.process_update(message_update(1, 10), broken())
    assert done == [1]


async def test_at_most_max_in_flight_run_at_once():
    running, most = 0, 0

    async def work():
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1

    processor = PerPersonProcessor(max_in_flight=4)
    await asyncio.gather(*(processor.process_update(message_update(i, 100 + i), work())
                           for i in range(20)))
    assert most == 4
