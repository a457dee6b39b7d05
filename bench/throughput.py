"""Throughput of the whole bot, against the python-telegram-bot floor, as code and as felt.

    python bench/throughput.py [--people 10000 100000] [--sessions 600]
                               [--rtt 0.15 0.25] [--active 300] [--seconds 30]
                               [--engine sqlite postgresql] [--engines-only]

In one run, in process, no network:
Part 1, the code (zero latency, one core):
(a) the framework floor: a minimal PTB echo bot, updates one by one;
(b) the old path: this bot under a realistic mix from many simulated people
    (starting, choosing a language, walking menus and an information topic, a
    recruiter lookup, a full wage claim to Confirm, My cases), each update handed to
    process_update one by one and timed; on a database that already holds N people
    (with their persisted user_data) and N/2 cases;
(c) the new path: the same mix from `--active` people at once through the durable
    inbox and the per-person processor, on the same population.
Part 2, as people feel it (bench/live.py): every Bot API call takes the round trip
(`--rtt`), Telegram's limits answer 429 (30/s, 20/min per group, ~1/s per chat);
per round trip: 30 people at once, the echo floor, the old one-at-a-time processing
and the new one, saturated and below the cap, below the cap while one report of
50 files reaches the staff group, and a safety alert to `--subscribers` (10,000) while
50 people chat (their answers' p99, the alert's lost and duplicated); then the sender's
alert lane alone (bench/broadcast.py, each case in its own process): `--recipients`
(100,000) at BROADCAST_RATE 25/s (simulated clock), paid at 950/s and the ceiling: the
share of the configured rate, lost and duplicated, beside PTB's floor and the same cases
on the code before alerts were outbox rows (`--baseline`).
Part 3, the engines side by side (with two `--engine`s, the default): the new path at zero
latency on the first `--people` population, and saturated and below the cap at the first
`--rtt`, on SQLite and on PostgreSQL (a pgserver server: bench/engines.py). Parts 1 and 2
run on the first engine; `--engines-only` runs part 3 alone.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import random
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from bench import broadcast as broadcast_bench
from bench import engines
from bench.live import CALM, SATURATED, Figures, live_figures, run_live, zero_latency
from bench.recruiter_lookup import generate
from bench.simulated import SESSION, BenchRequest, SimulatedPerson, populate
from bot.app import build_application
from bot.ratelimit import TelegramBudget
from bot.settings import Settings
from storage import recruiters as registry_store
from storage.db import Database


def percentile(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def summary(label: str, timings: list[float]) -> float:
    ordered = sorted(timings)
    rate = len(timings) / sum(timings)
    print(f"  {label:<34} {len(timings):>7} updates  {rate:>8.0f} updates/s  "
          f"p50 {percentile(ordered, 50) * 1000:.3f} ms  p95 {percentile(ordered, 95) * 1000:.3f} ms"
          f"  p99 {percentile(ordered, 99) * 1000:.3f} ms")
    return rate


async def echo_floor(updates: int) -> float:
    """(a) A minimal PTB bot that echoes text, on the same fake request layer."""
    request = BenchRequest()
    app = Application.builder().token("1:bench").request(request) \
        .get_updates_request(request).updater(None).build()

    async def echo(update, context):
        await update.effective_message.reply_text(update.effective_message.text)

    app.add_handler(MessageHandler(filters.TEXT, echo))
    timings = []
    async with app:
        person = SimulatedPerson(42, request, app.bot)
        batch = [Update.de_json(person.text(i, f"hello {i}"), app.bot) for i in range(updates)]
        for update in batch:
            t0 = time.perf_counter()
            await app.process_update(update)
            timings.append(time.perf_counter() - t0)
    return summary("(a) PTB echo floor", timings)


async def hotline_mix(people: int, sessions: int, rng: random.Random) -> tuple[float, int]:
    """(b) This bot under the realistic mix; returns updates/s and SQL statements per update."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        async with await Database.open(path):
            pass  # migrations
        populate(path, people, people // 2)
        db = await Database.open(path)
        await registry_store.replace_registry(db, generate(2_000, rng), file_name="bench.csv",
                                              is_sample=False)
        request = BenchRequest()
        settings = Settings(bot_token="1:bench", database_path=str(path))
        # The real limiter class stays in the path, with Telegram's 30/s raised: this
        # measures the bot's own work, not Telegram's sending limit.
        limiter = TelegramBudget(overall_per_second=1_000_000, group_per_minute=10**8,
                                 chat_burst=10**6)
        app = build_application(settings, db, request=request, rate_limiter=limiter,
                                persistence_interval=3600)
        statements = [0]

        def count_statement(_sql: str) -> None:
            statements[0] += 1

        await db.trace(count_statement)
        timings: list[float] = []
        names = ["Golden Lotus", "ក្រុមហ៊ុន ឈូកមាស", "Shadow Crossing", "Mekong Bridgee"]
        update_id = 0
        async with app:
            statements[0] = 0
            for session in range(sessions):
                person = SimulatedPerson(5_000_000 + session, request, app.bot)
                for action, value in SESSION:
                    update_id += 1
                    if action == "text":
                        update = person.text(update_id, value)
                    elif action == "photo":
                        update = person.text(update_id, photo=[{
                            "file_id": f"f{update_id}", "file_unique_id": f"f{update_id}",
                            "width": 10, "height": 10}])
                    elif action == "recruiter":
                        update = person.text(update_id, rng.choice(names))
                    elif action == "data":
                        update = person.press(update_id, data=value)
                    else:
                        update = person.press(update_id, label=value)
                    update = Update.de_json(update, app.bot)  # parsed outside the timing
                    t0 = time.perf_counter()
                    await app.process_update(update)
                    timings.append(time.perf_counter() - t0)
            made = await db.fetchval("SELECT COUNT(*) FROM cases WHERE draft_id NOT LIKE 'bench-%'")
        await db.close()
    if made != sessions:
        raise SystemExit(f"expected {sessions} new cases, found {made}: the script went wrong")
    rate = summary(f"(b) hotline mix, {people:,} people", timings)
    per_update = statements[0] / len(timings) if statements[0] else float("nan")
    print(f"      {sessions} sessions of {len(SESSION)} updates, {made} wage claims confirmed; "
          f"SQL statements per update: {per_update:.1f}")
    return rate, len(timings)


def rss_mb() -> float:
    """Resident memory now (Linux /proc), in MB; peak as a fallback."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main() -> None:
    warnings.simplefilter("ignore")  # PTB's per_message notice is not a figure
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--sessions", type=int, default=600)
    parser.add_argument("--echo", type=int, default=20_000)
    parser.add_argument("--rtt", type=float, nargs="*", default=[0.15, 0.25])
    parser.add_argument("--active", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--engine", nargs="+", choices=engines.ENGINES,
                        default=list(engines.ENGINES))
    parser.add_argument("--engines-only", action="store_true", help="part 3 only")
    args = parser.parse_args()
    try:
        if not args.engines_only:
            with engines.using(args.engine[0]):
                await parts_one_and_two(args)
        if len(args.engine) > 1:
            await side_by_side(args)
    finally:
        engines.stop()


async def side_by_side(args: argparse.Namespace) -> None:
    """Part 3: the same runs on each engine, one line each."""
    rtt, people = (args.rtt or [0.15])[0], args.people[0]
    print(f"\nEngines side by side: {args.active} people at once; zero latency on "
          f"{people:,} earlier people; {rtt * 1000:.0f} ms round trip; {args.seconds:.0f} s a run")
    runs: list[tuple[str, dict[str, object]]] = [
        ("(c) new path, zero latency", {"rtt": 0, "think": (0, 0), "limits": False,
                                        "population": people,
                                        "seconds": min(args.seconds, 10)}),
        ("new: per person, saturated", {"rtt": rtt, "think": SATURATED,
                                        "seconds": args.seconds}),
        ("new: per person, below the cap", {"rtt": rtt, "think": CALM,
                                            "seconds": args.seconds}),
    ]
    for label, options in runs:
        for engine in args.engine:
            with engines.using(engine):
                figures: Figures = await run_live(f"{label} [{engine}]", people=args.active,
                                                  **options)  # type: ignore[arg-type]
            gc.collect()
            print(figures.line(), flush=True)


async def parts_one_and_two(args: argparse.Namespace) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores (pinned to 1), "
          f"Python {platform.python_version()}, {platform.platform(terse=True)}")
    floor = await echo_floor(args.echo)
    for people in args.people:
        rate, _ = await hotline_mix(people, args.sessions, random.Random(7))
        gc.collect()
        print(f"      ratio (b)/(a): {rate / floor:.2f}; resident memory after the run: "
              f"{rss_mb():.0f} MB")
        new = await zero_latency(args.active, min(args.seconds, 10), population=people)
        gc.collect()
        print(new.line())
        print(f"      (c) new path, {people:,} people: ratio (c)/(a): "
              f"{len(new.latencies) / new.seconds / floor:.2f}; resident memory after the run: "
              f"{rss_mb():.0f} MB")
    if hasattr(os, "sched_setaffinity"):  # part 2 waits on the network, not the core
        os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
    await live_figures(args.rtt, args.active, args.seconds, args.subscribers)
    print(f"\nThe sender's alert lane alone, {args.recipients:,} recipients "
          "(bench/broadcast.py), beside the floor and the old code:",
          flush=True)
    broadcast_bench.run_all(args.recipients)


if __name__ == "__main__":
    asyncio.run(main())
