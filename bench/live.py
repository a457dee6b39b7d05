"""The bot as people feel it: many people at once, Telegram far away and its limits on.

Each simulated person sends an update, waits for the bot's answer (the first message
call to their chat that Telegram accepted), thinks, and goes on through the session
(bench/simulated.py). Updates reach the bot as they do in production: a polling loop
takes what arrived, stores it in the durable inbox and queues it; the processor runs
it. Figures per run: updates handled a second, the time from a person's send to the
answer (p50/p95/p99), message calls a second against Telegram's 30/s cap, and 429s.
"""
from __future__ import annotations

import asyncio
import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from telegram import Update
from telegram.ext import AIORateLimiter, Application, MessageHandler, filters

from bench.recruiter_lookup import generate
from bench.simulated import (
    OVERALL_PER_SECOND,
    SESSION,
    SimulatedPerson,
    SimulatedTelegram,
    populate,
)
from bot import context as services
from bot.app import build_application, warm_up
from bot.context import HotlineApplication
from bot.inbox import Inbox
from bot.ratelimit import TelegramBudget
from bot.settings import Settings
from storage import broadcasts
from storage import recruiters as registry_store
from storage.broadcasts import Audience
from storage.db import Database

STAFF_GROUP = -1001000000999
NAMES = ["Golden Lotus", "ក្រុមហ៊ុន ឈូកមាស", "Shadow Crossing", "Mekong Bridgee"]
BIG_REPORT_FILES = 50


@dataclass
class Figures:
    label: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    messages: int = 0
    too_many: int = 0
    refused_by: dict[str, int] = field(default_factory=dict)  # which of Telegram's limits

    def line(self) -> str:
        ordered = sorted(self.latencies) or [float("nan")]

        def p(q: float) -> float:
            return ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))]

        rate = self.messages / self.seconds
        return (f"  {self.label:<44} {len(self.latencies) / self.seconds:>7.1f} upd/s  "
                f"answer p50 {p(50):.2f} s p95 {p(95):.2f} s p99 {p(99):.2f} s  "
                f"{rate:>5.1f} msg/s ({rate / OVERALL_PER_SECOND:>4.0%} of cap)  "
                f"429s {self.too_many}"
                + (f" ({', '.join(f'{k} {n}' for k, n in self.refused_by.items())})"
                   if self.refused_by else ""))


class Feeder:
    """Stands in for the polling loop: batches what people sent, stores, queues."""

    def __init__(self, app: HotlineApplication, rtt: float) -> None:
        self.app, self.rtt = app, rtt
        self.inbox: Inbox = app.bot_data[services.INBOX]
        self.pending: list[dict] = []
        self.wake = asyncio.Event()

    def submit(self, update: dict) -> None:
        self.pending.append(update)
        self.wake.set()

    async def run(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            await asyncio.sleep(self.rtt / 2)  # the long poll's answer travels to the bot
            batch, self.pending = self.pending[:100], self.pending[100:]
            await self.inbox.receive(self.app, batch)
            if self.pending:
                self.wake.set()
            await asyncio.sleep(self.rtt / 2)  # the next getUpdates travels to Telegram


class Crowd:
    """People walking the session, each waiting for the answer before the next step."""

    def __init__(self, app: HotlineApplication, request: SimulatedTelegram, feeder: Feeder,
                 figures: Figures, rng: random.Random) -> None:
        self.app, self.request, self.feeder, self.figures, self.rng = (
            app, request, feeder, figures, rng)
        self.finished: dict[int, asyncio.Future[float]] = {}
        self._update_ids = iter(range(1, 10**9))
        self._people = iter(range(5_000_000, 10**9))
        self.measuring = True

    def hook(self) -> None:
        """Know when each update's handlers finished (the processor's on_done)."""
        processor = self.app.update_processor
        done = processor.on_done

        async def on_done(update: object) -> None:
            if done is not None:
                await done(update)
            waiter = self.finished.pop(getattr(update, "update_id", None), None)
            if waiter is not None and not waiter.done():  # (a person stopped at the end)
                waiter.set_result(asyncio.get_running_loop().time())

        processor.on_done = on_done

    async def step(self, person: SimulatedPerson, action: str, value: str | None, *,
                   record: bool = True) -> None:
        update_id = next(self._update_ids)
        if action == "text":
            update = person.text(update_id, value)
        elif action == "photo":
            update = person.text(update_id, photo=[{"file_id": f"f{update_id}",
                                                    "file_unique_id": f"f{update_id}",
                                                    "width": 10, "height": 10}])
        elif action == "recruiter":
            update = person.text(update_id, self.rng.choice(NAMES))
        elif action == "data":
            update = person.press(update_id, data=value)
        else:
            update = person.press(update_id, label=value)
        loop = asyncio.get_running_loop()
        sent = loop.time()
        answer = self.request.answer_for(person.chat["id"])
        finished = self.finished[update_id] = loop.create_future()
        self.feeder.submit(update)
        done_at = await finished
        answered = answer.result() if answer.done() else done_at
        if self.measuring and record:
            self.figures.latencies.append(answered - sent)

    async def walk(self, think: tuple[float, float], session: list = SESSION) -> None:
        await asyncio.sleep(self.rng.uniform(0, think[1]))  # people do not start together
        while True:
            person = SimulatedPerson(next(self._people), self.request, self.app.bot)
            for action, value in session:
                await self.step(person, action, value)
                await asyncio.sleep(self.rng.uniform(*think))


async def _started(app: HotlineApplication, request: SimulatedTelegram, rtt: float,
                   figures: Figures, seed: int) -> tuple[Crowd, list[asyncio.Task]]:
    """Start the application and its outbox sender as `running()` does, and the polling
    stand-in; the crowd that will walk, and the tasks to stop at the end."""
    await warm_up(app)
    await app.start()
    app.bot_data[services.SENDER].start()
    feeder = Feeder(app, rtt)
    crowd = Crowd(app, request, feeder, figures, random.Random(seed))
    crowd.hook()
    return crowd, [asyncio.create_task(feeder.run())]


def _settings(path: Path) -> Settings:
    return Settings(bot_token="1:bench", database_path=str(path), staff_chat_id=STAFF_GROUP,
                    staff_language="en", quiet_hours=None)


async def run_live(label: str, *, rtt: float, people: int, seconds: float,
                   think: tuple[float, float], sequential: bool = False,
                   big_report: bool = False, limits: bool = True,
                   population: int = 0) -> Figures:
    """One live run on a fresh database holding `population` earlier people (and half as
    many cases); `limits=False` raises the bot's own rate limiter (the zero-latency run
    measures the code, not Telegram's cap)."""
    figures = Figures(label, seconds)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "live.sqlite3"
        async with await Database.open(path):
            pass  # migrations
        populate(path, population, population // 2)
        db = await Database.open(path)
        await registry_store.replace_registry(db, generate(2_000, random.Random(7)),
                                              file_name="bench.csv", is_sample=False)
        request = SimulatedTelegram(rtt)
        limiter = None if limits else TelegramBudget(
            overall_per_second=1_000_000, group_per_minute=10**8, chat_burst=10**6)
        app = build_application(_settings(db.path), db, request=request, rate_limiter=limiter,
                                sequential=sequential)
        async with app:
            crowd, tasks = await _started(app, request, rtt, figures, 11)
            tasks += [asyncio.create_task(crowd.walk(think)) for _ in range(people)]
            if big_report:
                tasks.append(asyncio.create_task(_big_report(crowd)))
            loop = asyncio.get_running_loop()
            start, sent_before = loop.time(), len(request.sent_at)
            await asyncio.sleep(seconds)
            crowd.measuring = False
            figures.messages = len(request.sent_at) - sent_before
            figures.too_many, figures.refused_by = request.too_many, dict(request.refused_by)
            figures.seconds = loop.time() - start
            await _wind_down(app, request, tasks)
        await db.close()
    return figures


async def _big_report(crowd: Crowd) -> None:
    """One person sends a wage claim with 50 photos while everyone else goes on; only the
    others' answers are measured (this person's own chat has its 1/s limit)."""
    session = []
    for action, value in SESSION:
        session += [("photo", None)] * BIG_REPORT_FILES if action == "photo" else [(action, value)]
    person = SimulatedPerson(4_999_999, crowd.request, crowd.app.bot)
    for action, value in session:
        await crowd.step(person, action, value, record=False)


async def _wind_down(app: HotlineApplication, request: SimulatedTelegram,
                     tasks: list[asyncio.Task]) -> None:
    """Stop the people, drop what is still queued, let what runs finish fast."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await app.bot_data[services.SENDER].stop()  # staff posts wait for the group's 20/min
    while not app.update_queue.empty():
        app.update_queue.get_nowait()
        app.update_queue.task_done()
    request.rtt = 0
    await app.stop()


ALERT_FIRST_ID = 8_000_000


async def alerts_while_chatting(*, rtt: float, people: int, subscribers: int) -> str:
    """A safety alert to `subscribers` while `people` chat: the chat's answers, and whether
    every subscriber got the alert once (run until the broadcast is done)."""
    figures = Figures(f"alert to {subscribers:,} while {people} chat", 1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "alerts.sqlite3"
        db = await Database.open(path)
        now = "2026-01-01T00:00:00Z"
        async with db.transaction() as conn:
            ids = [ALERT_FIRST_ID + n for n in range(subscribers)]
            await conn.executemany("INSERT INTO users(telegram_id, language, first_seen,"
                                   " last_seen) VALUES (?, 'km', ?, ?)",
                                   [(i, now, now) for i in ids])
            await conn.executemany("INSERT INTO subscribers(telegram_id, subscribed, asked_at,"
                                   " changed_at) VALUES (?, 1, ?, ?)", [(i, now, now) for i in ids])
        broadcast_id, _ = await broadcasts.create(db, audience=Audience("all"),
                                                  text_km="ប្រយ័ត្ន", text_en="Beware")
        request = SimulatedTelegram(rtt)
        app = build_application(_settings(db.path), db, request=request)
        loop = asyncio.get_running_loop()
        async with app:
            crowd, tasks = await _started(app, request, rtt, figures, 13)
            tasks += [asyncio.create_task(crowd.walk(CALM)) for _ in range(people)]
            start = loop.time()
            while (await broadcasts.get(db, broadcast_id)).status != "done":
                await asyncio.sleep(0.5)
            figures.seconds = loop.time() - start
            crowd.measuring = False
            await _wind_down(app, request, tasks)
        await db.close()
    got = [request.per_chat.get(ALERT_FIRST_ID + n, 0) for n in range(subscribers)]
    lost, doubled = got.count(0), sum(1 for n in got if n > 1)
    ordered = sorted(figures.latencies) or [float("nan")]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (f"  {figures.label:<44} alerts {subscribers / figures.seconds:.1f}/s over "
            f"{figures.seconds:.0f} s, lost {lost}, twice {doubled}; chat answers "
            f"{len(figures.latencies)}, p99 {p99:.2f} s")


async def burst(label: str, *, rtt: float, people: int, sequential: bool) -> float:
    """`people` who already chose their language write /help at the same moment: how long
    the last one waits."""
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "burst.sqlite3")
        request = SimulatedTelegram(rtt)
        app = build_application(_settings(db.path), db, request=request, sequential=sequential)
        figures = Figures(label, 1)
        async with app:
            crowd, tasks = await _started(app, request, rtt, figures, 5)
            crowd.measuring = False
            walkers = [SimulatedPerson(6_000_000 + i, request, app.bot) for i in range(people)]
            await asyncio.gather(*(_onboard(crowd, p) for p in walkers))
            await asyncio.sleep(1.5)  # the per-chat bursts of onboarding are spent
            crowd.measuring = True
            await asyncio.gather(*(crowd.step(p, "text", "/help") for p in walkers))
            await _wind_down(app, request, tasks)
        await db.close()
    return max(figures.latencies)


async def _onboard(crowd: Crowd, person: SimulatedPerson) -> None:
    await crowd.step(person, "text", "/start")
    await crowd.step(person, "press", "English")


async def echo_floor_live(*, rtt: float, people: int, seconds: float,
                          think: tuple[float, float]) -> Figures:
    """The framework floor under the same conditions: a PTB echo bot, updates concurrent,
    PTB's own rate limiter, the same simulated Telegram and polling loop."""
    figures = Figures("PTB echo floor (concurrent)", seconds)
    request = SimulatedTelegram(rtt)
    app = (Application.builder().token("1:bench").request(request).get_updates_request(request)
           .updater(None).concurrent_updates(256)
           .rate_limiter(AIORateLimiter(max_retries=3)).build())
    pending: dict[int, asyncio.Future[float]] = {}

    async def echo(update, context):
        await update.effective_message.reply_text(update.effective_message.text)
        waiter = pending.pop(update.update_id)
        if not waiter.done():
            waiter.set_result(asyncio.get_running_loop().time())

    app.add_handler(MessageHandler(filters.TEXT, echo))
    rng = random.Random(3)
    ids = iter(range(1, 10**9))
    measuring = True

    async def person(user_id: int) -> None:
        walker = SimulatedPerson(user_id, request, app.bot)
        await asyncio.sleep(rng.uniform(0, think[1]))
        while True:
            update_id = next(ids)
            loop = asyncio.get_running_loop()
            sent = loop.time()
            done = pending[update_id] = loop.create_future()
            await asyncio.sleep(rtt / 2)  # through getUpdates
            await app.update_queue.put(Update.de_json(walker.text(update_id, "hello"), app.bot))
            answered = await done
            if measuring:
                figures.latencies.append(answered - sent)
            await asyncio.sleep(rng.uniform(*think))

    async with app:
        await app.start()
        tasks = [asyncio.create_task(person(7_000_000 + i)) for i in range(people)]
        loop = asyncio.get_running_loop()
        start, sent_before = loop.time(), len(request.sent_at)
        await asyncio.sleep(seconds)
        measuring = False
        figures.messages, figures.too_many = len(request.sent_at) - sent_before, request.too_many
        figures.seconds = loop.time() - start
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        request.rtt = 0
        await app.stop()
    return figures


SATURATED = (1.0, 3.0)  # seconds people think: far more to say than Telegram lets out
CALM = (10.0, 30.0)  # about 20 updates a second from 300 people: below the cap


async def live_figures(rtts: list[float], people: int, seconds: float,
                       subscribers: int = 10_000) -> None:
    """Every live run, printed as it finishes."""
    print(f"\nLive: {people} people at once, Telegram {OVERALL_PER_SECOND} msg/s overall, "
          f"20/min per group, ~1/s per chat; {seconds:.0f} s a run")
    for rtt in rtts:
        print(f" round trip {rtt * 1000:.0f} ms ± 20 %")
        print(f"  30 people write /help at once: the last waits "
              f"{await burst('old', rtt=rtt, people=30, sequential=True):.2f} s one at a time "
              f"(old), {await burst('new', rtt=rtt, people=30, sequential=False):.2f} s "
              "per person (new)")
        runs = [
            echo_floor_live(rtt=rtt, people=people, seconds=seconds, think=SATURATED),
            run_live("old: one at a time, saturated", rtt=rtt, people=people,
                     seconds=seconds, think=SATURATED, sequential=True),
            run_live("new: per person, saturated", rtt=rtt, people=people, seconds=seconds,
                     think=SATURATED),
            run_live("new: per person, below the cap", rtt=rtt, people=people,
                     seconds=seconds, think=CALM),
            run_live(f"new: below the cap, a report of {BIG_REPORT_FILES} files", rtt=rtt,
                     people=people, seconds=seconds, think=CALM, big_report=True),
        ]
        for run in runs:
            print((await run).line(), flush=True)
        print(await alerts_while_chatting(rtt=rtt, people=50, subscribers=subscribers),
              flush=True)


async def zero_latency(people: int, seconds: float, population: int) -> Figures:
    """The code itself through the inbox and the processor: no round trip, no cap."""
    return await run_live(f"(c) new path: {people} at once, zero latency", rtt=0,
                          people=people, seconds=seconds, think=(0, 0), limits=False,
                          population=population)
