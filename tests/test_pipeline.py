"""The update pipeline through the real stack, with a fake Bot API slowed like a far server:
people are answered in parallel, each person's updates in order, a staff group that hangs
holds nobody, two reports confirmed together get two references, and a redelivered update
is handled once. The SIGKILL case is in tests/resilience/test_crash.py."""
from __future__ import annotations

from bot.devtools.offline import Fault
from storage.db import Database
from tests.desk_helpers import STAFF_CHAT, desk_bot
from tests.intake_helpers import onboarded, walk_wage_claim_en

DELAY = 0.15  # seconds per Bot API call, as from Phnom Penh


async def deliver_together(bot, updates: list[dict]) -> None:
    """Queue several updates at once, as Telegram hands over a batch; wait until handled."""
    for update in updates:
        bot.fake.queue(update)
    await bot.fake.wait_fetched(updates[-1]["update_id"])
    await bot.app.update_queue.join()


async def test_thirty_people_writing_at_once_are_answered_in_parallel(bot, fake_api):
    people = [await onboarded(bot, "en") for _ in range(30)]
    before = {p.id: len(p.chat) for p in people}
    fake_api.delay = DELAY
    await deliver_together(bot, [bot.api.user_sends(p.user, "/help") for p in people])
    for person in people:
        assert len(person.chat) == before[person.id] + 1, "everyone gets one answer"
        assert "This bot can help you with:" in person.last.text
    # One at a time, one call would be in flight; here most of the 30 answers overlap.
    assert fake_api.most_in_flight >= 20


async def test_one_persons_updates_are_handled_in_their_order(bot, fake_api):
    texts = ["/help", "/language", "/menu", "/help", "/menu"]
    calm = await onboarded(bot, "en")
    expected = []
    for text in texts:  # one at a time: what each message answers
        expected += [r.text for r in await calm.send(text)]
    hurried = await onboarded(bot, "en")
    start = len(hurried.chat)
    fake_api.delay = DELAY
    await deliver_together(bot, [bot.api.user_sends(hurried.user, t) for t in texts])
    assert [r.text for r in hurried.chat[start:]] == expected
    assert hurried.id not in fake_api.overlapped_chats, "never two of one person's at once"


async def test_a_hanging_staff_group_holds_nobody_else(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=False) as bot:
        reporter = await onboarded(bot, "en")
        await walk_wage_claim_en(reporter)
        other = await onboarded(bot, "en")
        # Every post to the staff group now hangs until the client gives up.
        fake_api.api.faults.append(Fault("sendMessage", chat_id=STAFF_CHAT, hang=True, times=99))
        received = await reporter.press("✅ Confirm and send", settle=False)
        assert any("W-0001" in r.text for r in received), "the reporter has the reference"
        answer = await other.send("/help", settle=False)
        assert "This bot can help you with:" in answer[-1].text
        assert not [m for m in fake_api.api.sent_to(STAFF_CHAT) if "W-0001" in m.get("text", "")]
        fake_api.api.faults.clear()


async def test_two_reports_confirmed_at_the_same_moment_get_two_references(bot, fake_api):
    first, second = await onboarded(bot, "en"), await onboarded(bot, "en")
    for person in (first, second):
        await walk_wage_claim_en(person)
    presses = []
    for person in (first, second):
        summary = person.latest_with_buttons()
        message = bot.api.messages[(person.id, summary.raw["message_id"])]
        presses.append(bot.api.user_presses(person.user, message,
                                            summary.data_for("✅ Confirm and send")))
    fake_api.delay = DELAY
    await deliver_together(bot, presses)
    references = set(await _references(bot.db))
    assert references == {"W-0001", "W-0002"}
    assert any("W-0001" in r.text for r in first.chat) != any("W-0001" in r.text
                                                              for r in second.chat)


async def _references(db: Database) -> list[str]:
    rows = await db.fetchall("SELECT kind, seq FROM cases ORDER BY id")
    return [f"{r['kind']}-{r['seq']:04d}" for r in rows]


async def test_an_update_telegram_delivers_again_is_handled_once(bot, fake_api):
    person = await onboarded(bot, "en")
    update = bot.api.user_sends(person.user, "/help")
    before = len(person.chat)
    await bot.deliver(update)
    await bot.deliver(dict(update))  # the same update_id again, as after a lost offset
    assert len(person.chat) == before + 1
    done = await bot.db.fetchval("SELECT done_at FROM inbox WHERE update_id = ?",
                                 (update["update_id"],))
    assert done is not None
