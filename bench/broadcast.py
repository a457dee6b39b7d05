"""Benchmark: a 100,000-recipient safety-alert broadcast through the real sender.

    .venv/bin/python bench/broadcast.py            # every case, new and old (about 10 min)
    .venv/bin/python bench/broadcast.py --recipients 10000 --baseline none

Prints figures; it is not a test. Everything runs in process: the real application
(bot/app.py) with its one outbox sender and the sender's alert lane
(bot/jobs/alert_lane.py), a real telegram.Bot and a real SQLite outbox on disk, against
a fake Bot API request layer (FakeTelegram below) that
- enforces a rate cap: more than CAP sends in any one second gets 429 retry_after=1,
- injects two 429 floods (retry_after=1) during the run,
- answers 502 once for 1 in 200 recipients (retried by the sender),
- answers 403 "blocked" for 1 in 100 recipients and 400 for 1 in 1000.

Cases, each in its own process so the peak memory (RSS) is its own:
- free: BROADCAST_RATE=25 under a cap of 30/s. 100,000 messages take over an hour at
  25/s, so this case runs on a SIMULATED clock: the sender and the fake's cap both use
  it, every wait advances it instantly, the fake answers at once. It measures the
  pacing logic, not the network (and leaves out the token's budget, which keeps real
  time: bench/live.py measures alerts beside chats in real time); the real time it
  took is printed too.
- paid: BROADCAST_PAID=1, BROADCAST_RATE=950 under a cap of 1000/s, in REAL time,
  with 20 ms of network latency per request (asyncio.sleep in the fake).
- ceiling: the same with no cap and a rate of 5000/s: what this sender can push at
  most on this machine (CPU-bound: PTB, JSON and the outbox's writes).
- floor: python-telegram-bot alone, no database, no pacing, 200 sends in flight against
  the same fake with no cap: the framework's ceiling on this machine, for scale.
With `--baseline REV` (default: the commit before the alerts moved into the outbox) the
free, paid and ceiling cases also run on that revision's code (its own bench script,
from `git archive`), in the same run, and are printed beside the new figures.
Rates count every request the fake answered other than 429 (what a cap counts);
"alerts delivered/s" counts only successful sends.

"Lost" = a recipient who should have got the alert (not blocked, no 400) and did not;
"duplicated" = a recipient the fake delivered to more than once.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Bot
from telegram.error import TelegramError
from telegram.request import RequestData

from bot.app import build_application, make_sender
from bot.devtools.offline import BOT_USER, InProcessRequest
from bot.jobs.sender import Clock
from bot.settings import Settings
from storage import broadcasts
from storage.broadcasts import Audience
from storage.db import Database

FIRST_ID = 10_000_000
NO_CAP = 10**9
FLOOR_IN_FLIGHT = 200  # what the alert lane keeps in flight at its highest rates
BASELINE = "3bf03b0"  # the last commit where alerts had their own table and sender loop
CASES = {
    "free": {"rate": 25.0, "cap": 30, "paid": False, "simulated": True, "latency": 0.0},
    "paid": {"rate": 950.0, "cap": 1000, "paid": True, "simulated": False, "latency": 0.02},
    "ceiling": {"rate": 5000.0, "cap": NO_CAP, "paid": True, "simulated": False,
                "latency": 0.02},
}


class SimulatedClock:
    """Virtual time: sleeping lets ready tasks run, then moves time forward at once."""

    def __init__(self) -> None:
        self.t = time.time()  # rows are queued with wall time

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        for _ in range(3):
            await asyncio.sleep(0)
        self.t += max(seconds, 0.0)


def kind_of(chat_id: int) -> str:
    """Which fault a recipient gets, decided by their id (the same in every run)."""
    n = chat_id - FIRST_ID
    if n % 100 == 3:
        return "blocked"
    if n % 1000 == 5:
        return "bad"
    if n % 200 == 7:
        return "flaky"
    return "ok"


class FakeTelegram(InProcessRequest):
    """A lean Bot API: sendMessage with a rate cap and injected faults, nothing stored
    but a delivery count per recipient (so 100,000 sends need little memory)."""

    def __init__(self, clock: Clock, cap: int, recipients: int, latency: float,
                 floods_at: tuple[int, ...]) -> None:
        self.clock, self.cap, self.latency = clock, cap, latency
        self.delivered = bytearray(recipients)  # sends per recipient
        self.window: collections.deque[float] = collections.deque()
        self.floods_at = set(floods_at)
        self.flaky_seen: set[int] = set()
        self.requests = self.cap_429 = self.flood_429 = self.errors_5xx = 0
        self.accepted = 0  # requests answered with anything but 429: what the cap counts
        self.last_answer_at = 0.0
        self.paid_flags = 0
        self.message_id = 0

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=None, write_timeout=None, connect_timeout=None,
                         pool_timeout=None) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        if endpoint == "getMe":
            return 200, json.dumps({"ok": True, "result": BOT_USER}).encode()
        params = request_data.json_parameters if request_data else {}
        if self.latency:
            await asyncio.sleep(self.latency / 2)  # the request travels
        status, body = self.answer(int(params["chat_id"]), params)
        if self.latency:
            await asyncio.sleep(self.latency / 2)  # the answer travels
        return status, json.dumps(body).encode()

    def answer(self, chat_id: int, params: dict) -> tuple[int, dict]:
        self.requests += 1
        now = self.clock.now()
        while self.window and self.window[0] <= now - 1.0:
            self.window.popleft()
        if len(self.window) >= self.cap:
            self.cap_429 += 1
            return 429, flood(1)
        if self.requests in self.floods_at:
            self.flood_429 += 1
            return 429, flood(1)
        self.window.append(now)
        self.accepted += 1
        self.last_answer_at = now
        kind = kind_of(chat_id)
        if kind == "blocked":
            return 403, {"ok": False, "error_code": 403,
                         "description": "Forbidden: bot was blocked by the user"}
        if kind == "bad":
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
        if kind == "flaky" and chat_id not in self.flaky_seen:
            self.flaky_seen.add(chat_id)
            self.errors_5xx += 1
            return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
        if params.get("allow_paid_broadcast") in (True, "true", "True"):
            self.paid_flags += 1
        self.delivered[chat_id - FIRST_ID] += 1
        self.message_id += 1
        return 200, {"ok": True, "result": {
            "message_id": self.message_id, "date": int(now),
            "chat": {"id": chat_id, "type": "private"}, "text": "alert"}}


def flood(seconds: int) -> dict:
    return {"ok": False, "error_code": 429,
            "description": f"Too Many Requests: retry after {seconds}",
            "parameters": {"retry_after": seconds}}


async def seed(db: Database, recipients: int) -> None:
    """Subscribers in bulk (benchmark set-up only; the bot writes them one by one)."""
    now = "2026-01-01T00:00:00Z"
    people = [(FIRST_ID + n, "km" if n % 3 else "en", now, now) for n in range(recipients)]
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO users(telegram_id, language, first_seen, last_seen) VALUES (?, ?, ?, ?)",
            people)
        await conn.executemany(
            "INSERT INTO subscribers(telegram_id, subscribed, asked_at, changed_at)"
            " VALUES (?, 1, ?, ?)", [(p[0], now, now) for p in people])


async def run_case(name: str, recipients: int) -> dict:
    if name == "floor":
        return await run_floor(recipients)
    case = CASES[name]
    clock = SimulatedClock() if case["simulated"] else Clock()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "bench.sqlite3")
        db = await Database.open(path)
        await seed(db, recipients)
        broadcast_id, queued = await broadcasts.create(
            db, audience=Audience("all"), text_km="ប្រយ័ត្ន ការផ្តល់ការងារក្លែងក្លាយ",
            text_en="Beware of fake job offers")
        fake = FakeTelegram(clock, case["cap"], recipients, case["latency"],
                            floods_at=(recipients // 3, 2 * recipients // 3))
        settings = Settings(bot_token="123:BENCH", database_path=path, quiet_hours=None,
                            broadcast_rate=case["rate"], broadcast_paid=case["paid"],
                            broadcast_progress_seconds=3600)
        app = build_application(settings, db, request=fake)
        # The application's one sender; on the simulated clock without the token's budget
        # (it keeps real time).
        sender = make_sender(app, settings, clock=clock, budget=not case["simulated"])
        assert sender.alerts is not None
        await app.initialize()
        started, wall_started = clock.now(), time.perf_counter()
        await sender.alerts.run_until_done()
        # the broadcast is over at its last answer (run_until_done notices a little later)
        elapsed, wall = fake.last_answer_at - started, time.perf_counter() - wall_started
        figures = await broadcasts.figures(db, broadcast_id)
        await app.shutdown()
        await db.close()
    return summary(name, case, fake, recipients, queued, elapsed, wall, figures)


async def run_floor(recipients: int) -> dict:
    """python-telegram-bot alone: FLOOR_IN_FLIGHT sends at a time, nothing else."""
    case = {"rate": float(NO_CAP), "cap": NO_CAP, "paid": True, "simulated": False,
            "latency": 0.02}
    clock = Clock()
    fake = FakeTelegram(clock, NO_CAP, recipients, case["latency"], floods_at=())
    bot = Bot("123:BENCH", request=fake, get_updates_request=fake)
    await bot.initialize()
    left = iter(range(recipients))

    async def one_at_a_time() -> None:
        for n in left:  # no retries here: the floor counts requests answered
            with contextlib.suppress(TelegramError):
                await bot.send_message(FIRST_ID + n, "alert", allow_paid_broadcast=True)

    started, wall_started = clock.now(), time.perf_counter()
    await asyncio.gather(*(one_at_a_time() for _ in range(FLOOR_IN_FLIGHT)))
    elapsed, wall = fake.last_answer_at - started, time.perf_counter() - wall_started
    return summary("floor", case, fake, recipients, recipients, elapsed, wall,
                   broadcasts.Figures(sent=sum(1 for c in fake.delivered if c)))


def summary(name: str, case: dict, fake: FakeTelegram, recipients: int, queued: int,
            elapsed: float, wall: float, figures: broadcasts.Figures) -> dict:
    should_get = [n for n in range(recipients) if kind_of(FIRST_ID + n) in ("ok", "flaky")]
    lost = sum(1 for n in should_get if fake.delivered[n] == 0)
    duplicated = sum(1 for count in fake.delivered if count > 1)
    waited = fake.flood_429 + fake.cap_429  # each 429 asked for 1 s of silence
    return {
        "case": name, "simulated": case["simulated"], "recipients": queued,
        "rate_set": case["rate"], "cap": case["cap"], "seconds": elapsed, "wall": wall,
        "rate": fake.accepted / elapsed if elapsed else 0.0,
        "sent_rate": figures.sent / elapsed if elapsed else 0.0,
        "rate_without_waits": fake.accepted / max(elapsed - waited, 1e-9),
        "sent": figures.sent, "failed": figures.failed, "blocked": figures.blocked,
        "queued": figures.queued, "lost": lost, "duplicated": duplicated,
        "requests": fake.requests, "cap_429": fake.cap_429, "flood_429": fake.flood_429,
        "errors_5xx": fake.errors_5xx, "paid_flags": fake.paid_flags,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def report(result: dict, code: str = "new") -> None:
    if result["case"] == "floor":
        print(f"== floor: python-telegram-bot alone, {FLOOR_IN_FLIGHT} sends in flight, no "
              f"database, no pacing, no cap: {result['rate']:.0f} requests/s answered over "
              f"{result['seconds']:.1f} s; peak memory {result['peak_rss_mb']:.0f} MB",
              flush=True)
        return
    clock = ("SIMULATED clock (virtual seconds; real time taken: {wall:.0f} s)"
             if result["simulated"] else "real time")
    ratio = result["rate"] / result["rate_set"] * 100
    cap = "no cap" if result["cap"] == NO_CAP else f"fake cap {result['cap']}/s"
    print(f"== {result['case']} [{code}]: BROADCAST_RATE={result['rate_set']:g}, {cap}, "
          f"{clock.format(**result)}")
    print(f"   recipients {result['recipients']:,}: sent {result['sent']:,}, failed "
          f"{result['failed']:,} (400), blocked {result['blocked']:,} (403), left queued "
          f"{result['queued']:,}")
    print(f"   took {result['seconds']:.1f} s: {result['rate']:.1f} requests/s answered = "
          f"{ratio:.1f} % of the rate set ({result['rate_without_waits']:.1f}/s leaving out "
          f"the {result['cap_429'] + result['flood_429']} s of RetryAfter waits); "
          f"{result['sent_rate']:.1f} alerts delivered/s")
    print(f"   lost {result['lost']}, duplicated {result['duplicated']}; requests "
          f"{result['requests']:,}; 429 from the cap {result['cap_429']}, injected 429 "
          f"{result['flood_429']}, injected 502 {result['errors_5xx']:,}; "
          f"allow_paid_broadcast on {result['paid_flags']:,} sends")
    print(f"   peak memory (RSS) {result['peak_rss_mb']:.0f} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--case", choices=[*CASES, "floor"])
    parser.add_argument("--baseline", default=BASELINE,
                        help="a git revision to measure beside this code, or 'none'")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:  # one case in this process
        result = asyncio.run(run_case(args.case, args.recipients))
        print(json.dumps(result) if args.json else result)
        return
    run_all(args.recipients, None if args.baseline == "none" else args.baseline)


def run_all(recipients: int, baseline: str | None = BASELINE) -> None:
    """Every case, each in a fresh process (for its own peak memory), reported as it ends:
    the floor, then each case on this code and on the baseline's."""
    with tempfile.TemporaryDirectory() as folder:
        old = _checkout(baseline, Path(folder)) if baseline else None
        report(_run(Path(__file__), "floor", recipients))
        for name in CASES:
            report(_run(Path(__file__), name, recipients))
            if old is not None:
                report(_run(old, name, recipients), f"old: {baseline}")


def _checkout(revision: str, folder: Path) -> Path | None:
    """The baseline's files (git archive), or None (said why) when git cannot give them."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision],
                             capture_output=True, check=False)
    if archive.returncode != 0:
        print(f"(no baseline: git cannot give {revision}: "
              f"{archive.stderr.decode().strip()})", flush=True)
        return None
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder / "bench" / "broadcast.py"


def _run(script: Path, name: str, recipients: int) -> dict:
    # The script's own folder first, so a baseline's script imports the baseline's code.
    env = {**os.environ, "PYTHONPATH": str(script.parent.parent)}
    out = subprocess.run(
        [sys.executable, str(script), "--case", name, "--recipients", str(recipients),
         "--json"], capture_output=True, text=True, check=True, env=env,
        cwd=script.parent.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
