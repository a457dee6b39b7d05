"""Simulated people and a simulated Telegram for the throughput benchmark.

BenchRequest answers like the Bot API in zero time and keeps each chat's latest buttons
(so simulated people can press them). SimulatedTelegram adds what a real bot meets: every
call takes the round-trip time (RTT, ±20 %), and calls that name a chat count against
Telegram's limits as the Bots FAQ gives them (about 30 a second for the token, 20 a minute
per group, about one a second per private chat with short bursts); a call over a limit
gets 429 with retry_after, as Telegram answers. It records when each message call
completed, so the benchmark can tell when a person got their answer.
"""
from __future__ import annotations

import asyncio
import collections
import json
import random
import time
from pathlib import Path

from telegram.request import RequestData

from bench import engines
from bot.devtools.offline import BOT_USER, InProcessRequest


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
    """Builds the updates one person sends (as Telegram's JSON), pressing buttons by label."""

    def __init__(self, user_id: int, request: BenchRequest, bot) -> None:
        self.user = {"id": user_id, "is_bot": False, "first_name": "P", "language_code": "en"}
        self.chat = {"id": user_id, "type": "private", "first_name": "P"}
        self.request, self.bot = request, bot
        self.message_id = 0

    def text(self, update_id: int, text: str | None = None, **content) -> dict:
        self.message_id += 1
        message = {"message_id": self.message_id, "date": int(time.time()), "chat": self.chat,
                   "from": self.user, **content}
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0,
                                        "length": len(text.split()[0])}]
        return {"update_id": update_id, "message": message}

    def press(self, update_id: int, label: str | None = None, data: str | None = None) -> dict:
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
        return {"update_id": update_id, "callback_query": query}


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
    ("data", "rp:scr:documents:no"), ("data", "rp:scr:free_to_leave:yes"),
    ("data", "rp:scr:violence:no"), ("data", "rp:scr:confinement:no"),
    ("data", "rp:scr:child:no"), ("data", "rp:scr:debt:no"), ("data", "rp:scr:deceived:no"),
    ("text", "They stopped paying us in May."),  # what happened, in their own words
    ("photo", None), ("press", "✅ Done"), ("press", "💬 Write to me in this chat"),
    ("press", "✅ Yes, they may share my name"), ("press", "Battambang"), ("press", "Woman"),
    ("press", "✅ Confirm and send"), ("data", "menu:mycases"), ("text", "/menu"),
]


def populate(path: Path, people: int, cases: int) -> None:
    """People who used the bot before (users rows and their persisted user_data) and cases."""
    now = "2026-11-01T08:00:00Z"
    with engines.bulk(path) as conn:  # SQLite or PostgreSQL (bench/engines.py)
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


OVERALL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
CHAT_BURST, CHAT_PER_SECOND = 3, 1.0


class _Window:
    """At most `limit` events in any `seconds` (a sliding window of event times)."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit, self.seconds = limit, seconds
        self.times: collections.deque[float] = collections.deque()

    def wait(self, now: float) -> float:
        """0 if one more is allowed now, else the seconds until it would be."""
        while self.times and now - self.times[0] >= self.seconds:
            self.times.popleft()
        return self.seconds - (now - self.times[0]) if len(self.times) >= self.limit else 0.0

    def count(self, now: float) -> None:
        self.times.append(now)


class _Bucket:
    """A token bucket: `burst` at once, refilled at `rate` a second."""

    def __init__(self, burst: int, rate: float, now: float) -> None:
        self.burst, self.rate, self.tokens, self.at = burst, rate, float(burst), now

    def wait(self, now: float) -> float:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def count(self, now: float) -> None:
        self.tokens -= 1


class SimulatedTelegram(BenchRequest):
    def __init__(self, rtt: float, seed: int = 3) -> None:
        super().__init__()
        self.rtt = rtt
        self.rng = random.Random(seed)
        self.overall = _Window(OVERALL_PER_SECOND, 1.0)
        self.groups: dict[int, _Window] = {}
        self.chats: dict[int, _Bucket] = {}
        self.sent_at: list[float] = []  # completion time of every message call that got through
        self.per_chat: collections.Counter[int] = collections.Counter()  # calls through, by chat
        self.too_many = 0  # 429 answers
        self.refused_by: collections.Counter[str] = collections.Counter()  # which limit
        self.waiting: dict[int, asyncio.Future[float]] = {}  # chat -> its next answer

    def _delay(self) -> float:
        return self.rtt * self.rng.uniform(0.8, 1.2)

    async def do_request(self, url, method, request_data: RequestData | None = None, **kwargs):
        if not self.rtt:
            return await self._answer(url, method, request_data, **kwargs)
        loop = asyncio.get_running_loop()
        await asyncio.sleep(self._delay() / 2)  # there
        params = request_data.parameters if request_data else {}
        chat = params.get("chat_id")
        if chat is not None:
            wait = self._admit(int(chat), loop.time())
            if wait:
                self.too_many += 1
                await asyncio.sleep(self._delay() / 2)
                body = {"ok": False, "error_code": 429,
                        "description": "Too Many Requests: retry after 1",
                        "parameters": {"retry_after": max(1, round(wait))}}
                return 429, json.dumps(body).encode()
        status, body = await self._answer(url, method, request_data, **kwargs)
        await asyncio.sleep(self._delay() / 2)  # and back
        if chat is not None and status == 200:
            now = loop.time()
            self.sent_at.append(now)
            self.per_chat[int(chat)] += 1
            waiter = self.waiting.pop(int(chat), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(now)
        return status, body

    async def _answer(self, url, method, request_data, **kwargs):
        endpoint = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        if endpoint == "getChat":
            body = {"ok": True, "result": {"id": int(params["chat_id"]), "type": "supergroup",
                                           "title": "Staff", "accent_color_id": 0,
                                           "max_reaction_count": 11}}
            return 200, json.dumps(body).encode()
        if endpoint == "getChatMember":
            user = {"id": int(params["user_id"]), "is_bot": True, "first_name": "Bench"}
            body = {"ok": True, "result": {"status": "member", "user": user}}
            return 200, json.dumps(body).encode()
        return await super().do_request(url, method, request_data, **kwargs)

    def _admit(self, chat: int, now: float) -> float:
        """0 and counted if Telegram takes the call now, else how long to wait."""
        if chat < 0:
            own: _Window | _Bucket = self.groups.setdefault(chat, _Window(GROUP_PER_MINUTE, 60))
        else:
            own = self.chats.setdefault(chat, _Bucket(CHAT_BURST, CHAT_PER_SECOND, now))
        own_wait, overall_wait = own.wait(now), self.overall.wait(now)
        wait = max(own_wait, overall_wait)
        if wait:
            self.refused_by["group" if chat < 0 and own_wait else "chat" if own_wait
                            else "overall"] += 1
        if not wait:
            own.count(now)
            self.overall.count(now)
        return wait

    def answer_for(self, chat: int) -> asyncio.Future[float]:
        """A future set to the time the next message call to `chat` completes."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[chat] = future
        return future
