"""Webhook mode, /healthz and /metrics, through the real application and its listener."""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
import sqlite3
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import context as services
from bot import web
from bot.app import build_application
from bot.runner import running
from storage import cases, health, outbox
from storage.cases import NewCase
from storage.db import Database
from storage.outbox import Item, Outcome
from tests.harness import BotHarness, fast_rate_limiter
from tests.resilience.process import TOKEN, start_bot, stop_bot, wait_for

SECRET = "s3cret-for_tests"
URL = "https://bot.example.org/telegram/hook"


@contextlib.asynccontextmanager
async def webhook_bot(settings):
    settings = dataclasses.replace(settings, webhook_url=URL, webhook_secret=SECRET,
                                   webhook_listen=("127.0.0.1", 0))
    db = await Database.open(settings.database_path)
    try:
        app = build_application(settings, db, rate_limiter=fast_rate_limiter())
        async with running(app, polling=False), web.serving(app, settings) as listener, \
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{listener.port}") as client:
            yield app, db, client
    finally:
        await db.close()


async def post(app, client, update: dict, secret: str | None = SECRET) -> httpx.Response:
    headers = {} if secret is None else {web.SECRET_HEADER: secret}
    response = await client.post("/telegram/hook", json=update, headers=headers)
    await app.update_queue.join()
    await app.bot_data[services.SENDER].idle()  # what the update queued is sent
    return response


PERSON = {"id": 600_001, "first_name": "Sokha", "language_code": "km"}


async def test_webhook_is_registered_with_the_secret_and_all_update_types(settings, fake_api):
    async with webhook_bot(settings):
        calls = [params for method, params in fake_api.api.calls if method == "setWebhook"]
    assert len(calls) == 1
    assert calls[0]["url"] == URL and calls[0]["secret_token"] == SECRET
    assert "callback_query" in calls[0]["allowed_updates"]
    # polling stays off: nobody asks for getUpdates in webhook mode
    assert not [m for m, _ in fake_api.api.calls if m == "getUpdates"]


async def test_an_update_with_the_right_secret_is_answered(settings, fake_api):
    api = fake_api.api
    async with webhook_bot(settings) as (app, _db, client):
        response = await post(app, client, api.user_sends(PERSON, "/start"))
        assert response.status_code == 200
        assert "សួស្តី" in api.sent_to(PERSON["id"])[-1]["text"]
        greeting = api.sent_to(PERSON["id"])[-1]
        response = await post(app, client, api.user_presses(PERSON, greeting, "lang:en"))
        assert response.status_code == 200
        assert any("I will write to you in English." in m.get("text", "")
                   for m in api.sent_to(PERSON["id"]))


@pytest.mark.parametrize("secret", [None, "wrong", SECRET + "x", ""])
async def test_a_wrong_or_missing_secret_gets_403_and_is_not_processed(settings, fake_api,
                                                                      secret):
    api = fake_api.api
    async with webhook_bot(settings) as (app, db, client):
        response = await post(app, client, api.user_sends(PERSON, "/start"), secret=secret)
        assert response.status_code == 403
        assert await db.fetchval("SELECT COUNT(*) FROM inbox") == 0
    assert api.sent_to(PERSON["id"]) == []


async def test_a_redelivered_update_is_answered_200_and_handled_once(settings, fake_api):
    api = fake_api.api
    async with webhook_bot(settings) as (app, db, client):
        update = api.user_sends(PERSON, "/start")
        assert (await post(app, client, update)).status_code == 200
        assert (await post(app, client, update)).status_code == 200  # Telegram retried
        assert await db.fetchval("SELECT COUNT(*) FROM inbox") == 1
    assert len(api.sent_to(PERSON["id"])) == 1


async def test_what_is_not_an_update_gets_400(settings, fake_api):
    async with webhook_bot(settings) as (_app, db, client):
        headers = {web.SECRET_HEADER: SECRET}
        for body in (b"not json", b"[1, 2]", b'{"message": {}}', b'{"update_id": "7"}'):
            response = await client.post("/telegram/hook", content=body, headers=headers)
            assert response.status_code == 400, body
        assert (await client.get("/telegram/hook")).status_code == 405
        assert await db.fetchval("SELECT COUNT(*) FROM inbox") == 0


async def test_an_update_that_cannot_be_stored_gets_500_so_telegram_sends_it_again(
        settings, fake_api, monkeypatch):
    api = fake_api.api
    async with webhook_bot(settings) as (app, _db, client):
        update = api.user_sends(PERSON, "/start")

        async def broken(*args, **kwargs):
            raise sqlite3.OperationalError("disk I/O error")

        with monkeypatch.context() as patch:
            patch.setattr("storage.inbox.accept", broken)
            assert (await post(app, client, update)).status_code == 500
        assert api.sent_to(PERSON["id"]) == []
        assert (await post(app, client, update)).status_code == 200  # the retry
        assert len(api.sent_to(PERSON["id"])) == 1


async def test_healthz_says_what_an_operator_needs_and_no_secret(settings, fake_api):
    api = fake_api.api
    async with webhook_bot(settings) as (app, _db, client):
        before = (await client.get("/healthz")).json()
        assert before["last_update_seconds_ago"] is None
        await post(app, client, api.user_sends(PERSON, "/start"))
        response = await client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok" and body["mode"] == "webhook"
    assert 0 <= body["last_update_seconds_ago"] < 30
    assert body["outbox_backlog"] == {"relays": 0, "staff_posts": 0, "followups": 0,
                                      "alerts": 0}
    assert body["outbox_failed"] == 0
    assert body["sender"]["state"] == "sending"
    assert body["sender"]["failed"] == 0
    for secret in (TOKEN, settings.bot_token, SECRET, "Sokha", str(PERSON["id"])):
        assert secret not in response.text


async def test_healthz_is_503_when_the_database_does_not_answer(settings, fake_api, monkeypatch):
    async with webhook_bot(settings) as (_app, _db, client):
        async def unreachable(db):
            raise sqlite3.OperationalError("unable to open database file")

        with monkeypatch.context() as patch:
            patch.setattr(health, "reachable", unreachable)
            response = await client.get("/healthz")
            metrics = (await client.get("/metrics")).text
        assert response.status_code == 503
        assert response.json()["database"] == "unreachable"
        assert (await client.get("/healthz")).status_code == 200  # back again
    assert "hotline_database_up 1.0" in metrics  # /metrics still answers


def samples(text: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_metrics_parse_and_count_updates_sends_and_cases(settings, fake_api):
    api = fake_api.api
    async with webhook_bot(settings) as (app, db, client):
        await post(app, client, api.user_sends(PERSON, "/start"))
        greeting = api.sent_to(PERSON["id"])[-1]
        await post(app, client, api.user_presses(PERSON, greeting, "lang:en"))
        await cases.create(db, NewCase(kind="W", draft_id="d" * 32, reporter_id=PERSON["id"],
                                       reporter_language="km", category="wages",
                                       contact="chat"), [])
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)
    assert found[("hotline_updates_handled_total", (("kind", "message"),))] == 1
    assert found[("hotline_updates_handled_total", (("kind", "callback_query"),))] == 1
    assert found[("hotline_answer_latency_seconds_count", ())] == 2
    assert found[("hotline_telegram_sends_total", (("outcome", "ok"),))] >= 2
    assert found[("hotline_telegram_sends_total", (("outcome", "403"),))] == 0
    assert found[("hotline_telegram_429_total", ())] == 0
    for priority in ("relays", "staff_posts", "followups", "alerts"):
        assert found[("hotline_outbox_backlog", (("priority", priority),))] == 0
    assert found[("hotline_outbox_failed", ())] == 0
    assert found[("hotline_cases_open", (("status", "new"),))] == 1
    assert found[("hotline_cases_unannounced", ())] == 1
    assert found[("hotline_followups_due", ())] == 0
    for personal in ("Sokha", str(PERSON["id"]), settings.bot_token):
        assert personal not in response.text


async def test_sends_refused_by_telegram_are_counted_by_outcome(settings, fake_api):
    api = fake_api.api
    async with webhook_bot(settings) as (app, _db, client):
        api.blocked.add(PERSON["id"])
        await post(app, client, api.user_sends(PERSON, "/start"))
        found = samples((await client.get("/metrics")).text)
    assert found[("hotline_telegram_sends_total", (("outcome", "403"),))] >= 1


async def test_the_outbox_backlog_is_counted_by_priority(tmp_path):
    db = await Database.open(str(tmp_path / "hotline.sqlite3"))
    try:
        await outbox.queue(db, Item("to_returnee", {"text": "a"}, chat_id=1, lane=outbox.RELAYS),
                           Item("staff_text", {"text": "b"}),
                           Item("staff_text", {"text": "c"}))
        assert await health.outbox_backlog(db) == {"relays": 1, "staff_posts": 2,
                                                   "followups": 0, "alerts": 0}
        first = (await outbox.due(db, time.time(), set(), 1))[0]
        await outbox.record(db, [Outcome(first.id, "failed", reason="Forbidden: blocked")])
        assert await health.outbox_backlog(db) == {"relays": 0, "staff_posts": 2,
                                                   "followups": 0, "alerts": 0}
        assert await health.outbox_failed(db) == 1
    finally:
        await db.close()


async def test_outbox_sends_are_reported_by_outcome(settings, fake_api):
    api = fake_api.api
    blocked = {"id": 600_002, "first_name": "Dara"}
    api.blocked.add(blocked["id"])
    async with webhook_bot(settings) as (app, db, client):
        await post(app, client, api.user_sends(PERSON, "/start"))
        sender = app.bot_data[services.SENDER]
        for person in (PERSON, blocked):
            await outbox.queue(db, Item("to_returnee", {"text": "Your case was updated.",
                                                        "answer": False, "from_bot": True},
                                        chat_id=person["id"], lane=outbox.RELAYS))
        sender.wake()
        await sender.idle()
        found = samples((await client.get("/metrics")).text)
        health_body = (await client.get("/healthz")).json()
    assert api.sent_to(PERSON["id"])[-1]["text"] == "Your case was updated."
    assert found[("hotline_outbox_messages", (("outcome", "sent"),))] == 1
    assert found[("hotline_outbox_messages", (("outcome", "failed"),))] == 1
    assert found[("hotline_outbox_failed", ())] == 1
    assert found[("hotline_outbox_backlog", (("priority", "relays"),))] == 0
    assert health_body["outbox_failed"] == 1
    assert health_body["sender"]["sent"] == 1 and health_body["sender"]["failed"] == 1


async def test_in_polling_mode_health_listen_serves_healthz_and_metrics_only(settings,
                                                                            fake_api):
    settings = dataclasses.replace(settings, health_listen=("127.0.0.1", 0))
    async with BotHarness.started(settings, fake_api) as bot:
        await bot.person().send("/start")
        async with web.serving(bot.app, settings) as listener, \
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{listener.port}") as c:
            health_body = (await c.get("/healthz")).json()
            metrics = samples((await c.get("/metrics")).text)
            assert (await c.post("/telegram/hook", json={})).status_code == 404
    assert health_body["mode"] == "polling" and health_body["database"] == "ok"
    assert health_body["last_update_seconds_ago"] is not None
    assert metrics[("hotline_updates_handled_total", (("kind", "message"),))] == 1
    assert not [m for m, _ in fake_api.api.calls if m == "setWebhook"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_python_m_bot_run_in_webhook_mode_answers_and_stops_cleanly(tmp_path, fake_api):
    api = fake_api.api
    port = free_port()
    process = await start_bot(tmp_path, fake_api, WEBHOOK_URL=URL, WEBHOOK_SECRET=SECRET,
                              WEBHOOK_LISTEN=f"127.0.0.1:{port}")
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            async def up() -> bool:
                with contextlib.suppress(httpx.HTTPError):
                    return (await client.get("/healthz")).status_code == 200
                return False

            for _ in range(300):
                if await up():
                    break
                await asyncio.sleep(0.1)
            response = await client.post("/telegram/hook", json=api.user_sends(PERSON, "/start"),
                                         headers={web.SECRET_HEADER: SECRET})
            assert response.status_code == 200
            await wait_for(lambda: len(api.sent_to(PERSON["id"])) >= 1)
    finally:
        code, stderr = await stop_bot(process)
    assert code == 0, stderr
    assert "webhook" in stderr and TOKEN not in stderr and SECRET not in stderr
    assert "សួស្តី" in api.sent_to(PERSON["id"])[0]["text"]
