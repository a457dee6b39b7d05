"""Throughput of the whole bot, against the python-telegram-bot floor.

    python bench/throughput.py [--people 10000 100000] [--sessions 600]

In one run, in process, with a fake request layer (no network, no HTTP):
(a) the framework floor: a minimal PTB echo bot;
(b) this bot under a realistic mix from many simulated people: starting,
    choosing a language, walking menus and an information topic, a recruiter
    lookup, a full wage claim to Confirm, and My cases; on a database that
    already holds N people (with their persisted user_data) and N/2 cases.
Updates are processed one by one (as the bot runs) and each is timed. The
figures printed are updates per second, p50/p95/p99 per update, the ratio
(b)/(a), and resident memory after each population size.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import random
import resource
import sqlite3
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update  # noqa: E402
from telegram.ext import AIORateLimiter, Application, MessageHandler, filters  # noqa: E402
from telegram.request import RequestData  # noqa: E402

from bench.recruiter_lookup import generate  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.offline import BOT_USER, InProcessRequest  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage import recruiters as registry_store  # noqa: E402
from storage.db import Database  # noqa: E402


class BenchRequest(InProcessRequest):
    """Answers like the Bot API and keeps only each chat's latest buttons (for pressing)."""

    def __init__(self) -> None:
        self.calls = 0
        self.buttons: dict[int, dict] = {}  # chat id -> the last message that had buttons
        self._message_id = 0

    async def do_request(self, url, method, request_data: RequestData | None = None, **_):
        self.calls += 1
        endpoint = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        result: object = True
        if endpoint == "getMe":
            result = dict(BOT_USER, can_join_groups=True, can_read_all_group_messages=True,
                          supports_inline_queries=False)
        elif endpoint.startswith("send"):
            self._message_id += 1
            chat_id = int(params["chat_id"])
            result = {"message_id": self._message_id, "date": 0, "from": BOT_USER,
                      "chat": {"id": chat_id, "type": "private"}, "text": params.get("text", "")}
            markup = params.get("reply_markup")
            if isinstance(markup, dict) and "inline_keyboard" in markup:
                result["reply_markup"] = markup
                self.buttons[chat_id] = result
        return 200, json.dumps({"ok": True, "result": result}).encode()


class SimulatedPerson:
    """Builds the updates one person sends, pressing buttons by their label."""

    def __init__(self, user_id: int, request: BenchRequest, bot) -> None:
        self.user = {"id": user_id, "is_bot": False, "first_name": "P", "language_code": "en"}
        self.chat = {"id": user_id, "type": "private", "first_name": "P"}
        self.request, self.bot = request, bot
        self.message_id = 0

    def text(self, update_id: int, text: str | None = None, **content) -> Update:
        self.message_id += 1
        message = {"message_id": self.message_id, "date": int(time.time()), "chat": self.chat,
                   "from": self.user, **content}
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0,
                                        "length": len(text.split()[0])}]
        return Update.de_json({"update_id": update_id, "message": message}, self.bot)

    def press(self, update_id: int, label: str | None = None, data: str | None = None) -> Update:
        message = self.request.buttons[self.chat["id"]]
        if data is None:
            rows = message["reply_markup"]["inline_keyboard"]
            found = [b["callback_data"] for row in rows for b in row if b["text"] == label]
            if not found:
                labels = [b["text"] for row in rows for b in row]
                raise RuntimeError(f"no button {label!r} among {labels}")
            data = found[0]
        query = {"id": str(update_id), "from": self.user, "chat_instance": "1",
                 "message": message, "data": data}
        return Update.de_json({"update_id": update_id, "callback_query": query}, self.bot)


# One session: what a returnee does in one visit. ("text", x) types, ("press", label)
# presses a button by its English label, ("data", d) presses by callback data.
SESSION = [
    ("text", "/start"), ("press", "English"),
    ("data", "menu:migration"), ("data", "menu"), ("data", "menu:help"),
    ("data", "menu:recruiters"), ("recruiter", None),
    ("data", "menu"), ("press", "💸 I was not paid"),
    ("press", "👥 A group of workers was not paid"), ("text", "12"), ("press", "Chonburi"),
    ("text", "Golden Seafood Co."), ("press", "⏭ Skip"),
    ("press", "Fishing or seafood processing"),
    ("data", "rp:ym:2024"), ("data", "rp:ym:2024-07"), ("data", "rp:ym:2025"),
    ("data", "rp:ym:2025-06"), ("press", "▫️ Wages"), ("press", "▫️ Overtime pay"),
    ("press", "➡️ Next"), ("text", "១២,៥០០ បាត"), ("press", "Yes"), ("text", "Mr Broker"),
    ("text", "They stopped paying us in May."), ("photo", None), ("press", "✅ Done"), ("press", "💬 Write to me in this chat"),
    ("press", "✅ Yes, they may share my name"), ("press", "Woman"),
    ("press", "✅ Confirm and send"), ("data", "menu:mycases"), ("text", "/menu"),
]


def populate(path: Path, people: int, cases: int) -> None:
    """People who used the bot before (users rows and their persisted user_data) and cases."""
    now = "2026-11-01T08:00:00Z"
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO users(telegram_id, language, language_chosen, first_seen, last_seen,"
            " consent_at) VALUES (?, ?, 1, ?, ?, ?)",
            ((1_000_000 + i, "km" if i % 3 else "en", now, now, now) for i in range(people)))
        conn.executemany(
            "INSERT INTO ptb_user_data(user_id, data) VALUES (?, ?)",
            ((1_000_000 + i, json.dumps({"lang": "km" if i % 3 else "en",
                                         "seen_on": "2026-11-01"})) for i in range(people)))
        conn.executemany(
            "INSERT INTO cases(kind, seq, draft_id, reporter_id, reporter_language, category,"
            " contact, created_at, updated_at) VALUES ('W', ?, ?, ?, 'km', 'wages', 'chat', ?, ?)",
            ((i + 1, f"bench-{i}", 1_000_000 + i % people, now, now) for i in range(cases)))


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
        batch = [person.text(i, f"hello {i}") for i in range(updates)]
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
        limiter = AIORateLimiter(overall_max_rate=1_000_000, group_max_rate=1_000_000,
                                 group_time_period=1, max_retries=3)
        app = build_application(settings, db, request=request, rate_limiter=limiter,
                                persistence_interval=3600)
        statements = [0]

        def count_statement(_sql: str) -> None:
            statements[0] += 1

        await db.conn.set_trace_callback(count_statement)
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
    args = parser.parse_args()
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


if __name__ == "__main__":
    asyncio.run(main())
