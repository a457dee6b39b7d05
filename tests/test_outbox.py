"""Safety alerts in the outbox and the sender's alert lane: states, Telegram errors,
pause/resume/cancel, restarts."""
from __future__ import annotations

import asyncio
import itertools
import time

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import Application

from bot.devtools.offline import Fault
from bot.jobs.alert_lane import AlertLane
from bot.jobs.sender import Sender
from bot.state import DATABASE
from storage import broadcasts, outbox, subscribers
from storage.broadcasts import Audience
from storage.db import Database
from tests.alerts_helpers import (
    ADMIN_ID,
    add_subscribers,
    alerts_to,
    compose,
    fast,
    latest_broadcast_id,
    wait_for_status,
    wait_until,
)
from tests.harness import BotHarness


async def rows(db, broadcast_id) -> dict[int, dict]:
    """The broadcast's outbox rows by person, with 'blocked' for failed ones whose person
    blocked the bot (as the broadcast's figures count them)."""
    found = await db.fetchall("SELECT * FROM outbox WHERE broadcast_id = ?", (broadcast_id,))
    by_person = {}
    for row in found:
        row = dict(row)
        if row["status"] == "failed" and row["reason"].startswith(outbox.UNREACHABLE):
            row["status"] = "blocked"
        by_person[row["chat_id"]] = row
    return by_person


def texts(replies) -> list[str]:
    return [reply.text for reply in replies]


async def run_lane(db: Database, bot, clock, **lane) -> None:
    """The sender's alert lane alone, on a simulated clock, until nothing is due."""
    app = Application.builder().token("1:TEST").build()
    app.bot_data[DATABASE] = db
    alerts = AlertLane(bot, **lane)
    Sender(app, {}, alerts=alerts, clock=clock)
    await alerts.run_until_done()


async def test_outbox_states_for_every_kind_of_answer(settings, fake_api):
    api = fake_api.api
    async with BotHarness.started(fast(settings), fake_api) as bot:
        ok, blocked, bad, flaky, flooded, gone = [
            (await add_subscribers(bot.db, api, 1, "en"))[0] for _ in range(6)]
        api.user_blocks_bot(blocked)
        api.faults += [
            Fault("sendMessage", error_code=400, description="Bad Request: chat not found",
                  chat_id=bad),
            Fault("sendMessage", error_code=502, description="Bad Gateway", chat_id=flaky),
            Fault("sendMessage", error_code=429, description="Too Many Requests: retry after 1",
                  retry_after=1, chat_id=flooded),
            Fault("sendMessage", error_code=403, description="Forbidden: user is deactivated",
                  chat_id=gone),
        ]
        broadcast_id, count = await broadcasts.create(
            bot.db, audience=Audience("all"), text_km=None, text_en="Beware")
        assert count == 6
        bot.app.bot_data["sender"].wake()
        await wait_for_status(bot.db, broadcast_id)
        found = await rows(bot.db, broadcast_id)
        assert {user: row["status"] for user, row in found.items()} == {
            ok: "sent", blocked: "blocked", bad: "failed", flaky: "sent", flooded: "sent",
            gone: "blocked"}
        assert found[bad]["reason"] == "BadRequest: Chat not found"  # Telegram's, as PTB words it
        assert found[flaky]["attempts"] == 2  # 502, then sent
        assert found[flooded]["attempts"] == 1  # a flood wait does not count against the person
        assert found[blocked]["reason"] == "unreachable: Forbidden: bot was blocked by the user"
        for person in (blocked, gone):
            assert await subscribers.is_unreachable(bot.db, person)
        for person in (ok, flaky, flooded):
            assert len(alerts_to(api, person)) == 1
        figures = await broadcasts.figures(bot.db, broadcast_id)
        assert (figures.sent, figures.failed, figures.blocked, figures.queued) == (3, 1, 2, 0)

        # nothing more is sent to people who blocked the bot: not even queued
        second, count = await broadcasts.create(
            bot.db, audience=Audience("all"), text_km=None, text_en="Again")
        assert count == 4 and blocked not in await rows(bot.db, second)


async def test_retry_after_is_waited_for_exactly():
    """With a simulated clock: once a 429 with retry_after=3 is answered, nothing is sent
    for 3 s, and then everyone gets the alert."""
    db = await Database.open(":memory:")
    clock = SimulatedClock()
    people = await _people(db, 4)
    bot = ScriptedBot(clock, {people[1]: [RetryAfter(3)]})
    await broadcasts.create(db, audience=Audience("all"), text_km="ក", text_en="a")
    await run_lane(db, bot, clock, rate=10, poll_seconds=0.5)
    flood_answered, made = next((t, n) for t, _, answer, n in bot.answers if answer == "RetryAfter")
    later = [t for t, _ in bot.sends[made:]]
    assert later and min(later) >= flood_answered + 3
    assert min(later) < flood_answered + 3.2  # and not much longer
    assert sorted(chat for _, chat in bot.delivered) == people
    await db.close()


async def test_network_errors_are_retried_with_backoff_then_failed():
    db = await Database.open(":memory:")
    clock = SimulatedClock()
    people = await _people(db, 2)
    bot = ScriptedBot(clock, {people[0]: [NetworkError("Bad Gateway")] * 10,
                              people[1]: [BadRequest("Message text is empty"),
                                          Forbidden("x")]})
    broadcast_id, _ = await broadcasts.create(db, audience=Audience("all"), text_km="ក",
                                              text_en="a")
    await run_lane(db, bot, clock, rate=10, retry_seconds=1.0)
    found = await rows(db, broadcast_id)
    assert found[people[0]]["status"] == "failed"
    assert found[people[0]]["attempts"] == 6
    assert found[people[0]]["reason"].startswith("gave up after 6 attempts: NetworkError")
    tries = [t for t, chat in bot.sends if chat == people[0]]
    gaps = [round(b - a) for a, b in itertools.pairwise(tries)]
    assert gaps == [1, 2, 4, 8, 16]  # doubling backoff
    assert found[people[1]]["status"] == "failed" and found[people[1]]["attempts"] == 1
    await db.close()


async def test_the_rate_is_kept_in_every_second():
    db = await Database.open(":memory:")
    clock = SimulatedClock()
    await _people(db, 60)
    bot = ScriptedBot(clock, {})
    await broadcasts.create(db, audience=Audience("all"), text_km="ក", text_en="a")
    await run_lane(db, bot, clock, rate=20)
    times = [t for t, _ in bot.sends]
    assert len(times) == 60
    assert max(sum(1 for u in times if t <= u < t + 1 - 1e-6) for t in times) <= 20
    assert times[-1] - times[0] >= 2.0
    await db.close()


async def test_pause_resume_and_cancel_from_the_progress_message(settings, fake_api):
    api = fake_api.api
    async with BotHarness.started(fast(settings, rate=5), fake_api) as bot:
        people = await add_subscribers(bot.db, api, 10, "km")
        admin = bot.person(language_code="en", user_id=ADMIN_ID)
        await compose(bot, admin)
        progress = (await admin.press("✅ Confirm and send"))[-1]
        broadcast_id = await latest_broadcast_id(bot.db)
        replies = await admin.press("⏸ Pause", progress)
        # the answer, then (from the outbox) the progress message edited
        assert f"Broadcast #{broadcast_id} is paused." in texts(replies)
        await asyncio.sleep(0.3)  # let sends in flight finish
        sent = sum(len(alerts_to(api, p)) for p in people)
        await asyncio.sleep(0.5)  # several sender rounds: nothing more while paused
        assert sum(len(alerts_to(api, p)) for p in people) == sent < 10
        shown = (ADMIN_ID, progress.raw["message_id"])
        await wait_until(lambda: ": paused" in api.messages[shown]["text"])
        edited = api.messages[shown]
        assert [b["text"] for b in edited["reply_markup"]["inline_keyboard"][0]] == [
            "▶️ Resume", "⏹ Cancel"]
        listing = await admin.send("/broadcasts")
        assert f"#{broadcast_id} ▶️ Resume" in listing[-1].labels

        bot.app.bot_data["sender"].alerts.rate = 500  # finish quickly once resumed
        await admin.press_data(f"bc:resume:{broadcast_id}")
        await wait_for_status(bot.db, broadcast_id)
        assert [len(alerts_to(api, p)) for p in people] == [1] * 10

        replies = await admin.press_data(f"bc:resume:{broadcast_id}")  # too late now
        assert any("cannot be changed now: it is already finished" in t for t in texts(replies))


async def test_cancel_asks_first_then_stops_for_good(settings, fake_api):
    api = fake_api.api
    async with BotHarness.started(fast(settings, rate=3), fake_api) as bot:
        people = await add_subscribers(bot.db, api, 8, "en")
        admin = bot.person(language_code="en", user_id=ADMIN_ID)
        await compose(bot, admin)
        progress = (await admin.press("✅ Confirm and send"))[-1]
        broadcast_id = await latest_broadcast_id(bot.db)
        replies = await admin.press("⏹ Cancel", progress)
        assert replies[-1].text.startswith(f"Stop broadcast #{broadcast_id} for good?")
        replies = await admin.press("⏹ Yes, stop it")
        assert f"Broadcast #{broadcast_id} is stopped. Nothing more will be sent." in texts(replies)
        await asyncio.sleep(0.5)
        sent = sum(len(alerts_to(api, p)) for p in people)
        await asyncio.sleep(0.5)
        assert sum(len(alerts_to(api, p)) for p in people) == sent < 8
        figures = await broadcasts.figures(bot.db, broadcast_id)
        assert figures.sent == sent and figures.queued == 8 - sent
        assert (await broadcasts.get(bot.db, broadcast_id)).status == "cancelled"
        replies = await admin.press_data(f"bc:resume:{broadcast_id}")
        assert any("cannot be changed now: it is already cancelled" in t for t in texts(replies))


async def test_a_restart_mid_broadcast_resumes_without_duplicates(settings, fake_api):
    api = fake_api.api
    slow = fast(settings, rate=20)
    async with BotHarness.started(slow, fake_api) as bot:
        people = await add_subscribers(bot.db, api, 30, "km")
        broadcast_id, _ = await broadcasts.create(
            bot.db, audience=Audience("all"), text_km="ប្រយ័ត្ន", text_en=None)
        bot.app.bot_data["sender"].wake()
        await wait_until(lambda: sum(len(alerts_to(api, p)) for p in people) >= 5)
    # stopped mid-way; every send that returned is recorded
    async with await Database.open(settings.database_path) as db:
        figures = await broadcasts.figures(db, broadcast_id)
    assert 5 <= figures.sent < 30 and figures.sent + figures.queued == 30
    assert figures.sent == sum(len(alerts_to(api, p)) for p in people)
    async with BotHarness.started(fast(settings), fake_api) as bot:
        await wait_for_status(bot.db, broadcast_id)
    assert [len(alerts_to(api, p)) for p in people] == [1] * 30


async def test_after_a_crash_rows_recorded_as_sent_are_not_sent_again(settings, fake_api):
    api = fake_api.api
    db = await Database.open(settings.database_path)
    people = await add_subscribers(db, api, 5, "en")
    broadcast_id, _ = await broadcasts.create(db, audience=Audience("all"), text_km=None,
                                              text_en="Beware")
    # the process died after these two sends were recorded (and before the rest)
    sent = await rows(db, broadcast_id)
    await outbox.record(db, [outbox.Outcome(sent[person]["id"], "sent", person, 1)
                             for person in people[:2]])
    await db.close()
    async with BotHarness.started(fast(settings), fake_api) as bot:
        await wait_for_status(bot.db, broadcast_id)
        assert [len(alerts_to(api, p)) for p in people] == [0, 0, 1, 1, 1]
        assert (await broadcasts.figures(bot.db, broadcast_id)).sent == 5


async def test_unsubscribing_during_a_broadcast_drops_the_queued_alert(settings, fake_api):
    async with BotHarness.started(fast(settings), fake_api) as bot:
        people = await add_subscribers(bot.db, bot.api, 2, "en")
        broadcast_id, _ = await broadcasts.create(
            bot.db, audience=Audience("all"), text_km=None, text_en="Beware")
        await bot.db.execute_write("UPDATE broadcasts SET status = 'paused'")
        await subscribers.set_subscribed(bot.db, people[0], False)
        assert list(await rows(bot.db, broadcast_id)) == [people[1]]


# -- a Bot stand-in for the sender's unit tests ---------------------------------------------
class SimulatedClock:
    def __init__(self) -> None:
        self.t = time.time()  # rows are queued with wall time

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        for _ in range(3):  # let what is ready run first (answers arriving), then time passes
            await asyncio.sleep(0)
        self.t += max(seconds, 0.0)


class Sent:
    def __init__(self, message_id: int) -> None:
        self.message_id = message_id


class ScriptedBot:
    """Records (time, chat) of every send; raises the scripted errors per chat first."""

    def __init__(self, clock: SimulatedClock, errors: dict[int, list[Exception]]) -> None:
        self.clock, self.errors = clock, {k: list(v) for k, v in errors.items()}
        self.sends: list[tuple[float, int]] = []  # (time, chat) of every request
        # (time, chat, error or "ok", number of requests made before the answer)
        self.answers: list[tuple[float, int, str, int]] = []
        self.delivered: list[tuple[float, int]] = []

    async def send_message(self, chat_id, text, **kwargs):
        self.sends.append((self.clock.now(), chat_id))
        await asyncio.sleep(0)  # the request travels
        if self.errors.get(chat_id):
            error = self.errors[chat_id].pop(0)
            self.answers.append((self.clock.now(), chat_id, type(error).__name__, len(self.sends)))
            raise error
        self.answers.append((self.clock.now(), chat_id, "ok", len(self.sends)))
        self.delivered.append((self.clock.now(), chat_id))
        return Sent(len(self.delivered))

    async def initialize(self) -> None:
        pass

    send_photo = send_message


async def _people(db: Database, count: int) -> list[int]:
    class NoChats:
        def private_chat(self, user):
            pass
    return await add_subscribers(db, NoChats(), count, "en")


async def test_the_command_line_queues_a_broadcast_for_the_running_bot(settings, fake_api, tmp_path):
    from tests.test_cli import run_cli

    api = fake_api.api
    db = await Database.open(settings.database_path)
    in_siem_reap = await add_subscribers(db, api, 2, "km", province="siem_reap")
    elsewhere = await add_subscribers(db, api, 1, "en", province="kampot")
    await db.close()
    (tmp_path / "km.txt").write_text("ប្រយ័ត្ន ការងារក្លែងក្លាយ\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("Beware of fake job offers\n", encoding="utf-8")
    database = {}  # run_cli points DATABASE_PATH at tmp_path/hotline.sqlite3, as settings does
    assert settings.database_path == str(tmp_path / "hotline.sqlite3")

    asked = run_cli(tmp_path, "broadcast", "--km", "km.txt", "--en", "en.txt",
                    "--province", "Siem Reap", input_text="n\n", **database)
    assert asked.returncode == 1, asked.stderr
    assert "Recipients: 2" in asked.stdout and "Nothing queued." in asked.stdout
    assert "ប្រយ័ត្ន ការងារក្លែងក្លាយ" in asked.stdout and "[🔕 Stop alerts]" in asked.stdout

    queued = run_cli(tmp_path, "broadcast", "--km", "km.txt", "--en", "en.txt",
                     "--province", "សៀមរាប", "--yes", **database)
    assert queued.returncode == 0, queued.stderr
    assert "Broadcast #1 queued for 2 people." in queued.stdout

    wrong = run_cli(tmp_path, "broadcast", "--en", "en.txt", "--province", "Bangkok", **database)
    assert wrong.returncode == 2 and "--province" in wrong.stderr

    async with BotHarness.started(fast(settings), fake_api) as bot:  # the running bot sends it
        await wait_for_status(bot.db, 1)
        assert [len(alerts_to(api, p)) for p in in_siem_reap + elsewhere] == [1, 1, 0]
        listing = await bot.person(language_code="en", user_id=ADMIN_ID).send("/broadcasts")
        assert "#1 · " in listing[-1].text and "Sent 2 · failed 0" in listing[-1].text


async def test_a_draft_confirmed_twice_queues_one_broadcast(tmp_path, fake_api):
    async with await Database.open(tmp_path / "h.sqlite3") as db:
        await add_subscribers(db, fake_api.api, 3, "km")
        first = await broadcasts.create(db, audience=Audience.parse("all"), text_km="ប្រយ័ត្ន",
                                        text_en=None, draft_id="draft-1")
        # after a crash the admin is back at the preview and presses Confirm again
        again = await broadcasts.create(db, audience=Audience.parse("all"), text_km="ប្រយ័ត្ន",
                                        text_en=None, draft_id="draft-1")
        assert again == first == (first[0], 3)
        assert await db.fetchval("SELECT COUNT(*) FROM broadcasts") == 1
        assert await db.fetchval(
            "SELECT COUNT(*) FROM outbox WHERE broadcast_id IS NOT NULL") == 3
        other = await broadcasts.create(db, audience=Audience.parse("all"), text_km="ថ្មី",
                                        text_en=None)  # the command line has no draft
        assert other[0] != first[0]
