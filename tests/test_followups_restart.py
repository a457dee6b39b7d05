"""Follow-ups survive a stop and a crash: what fell due is sent once, nothing is lost.

The crash test runs `python -m bot run` as a separate process against the fake Bot API
and kills it with SIGKILL; FOLLOWUP_CLOCK_SHIFT (for tests only) moves the follow-up
clock of a restarted process past the due times.
"""
from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from storage import cases, desk, users
from storage.cases import NewCase
from storage.clock import utcnow
from storage.db import Database
from tests.desk_helpers import ANA, STAFF_CHAT, staff
from tests.followup_helpers import (
    daytime_after,
    followup_bot,
    reported_case,
    texts,
    topic_of,
)
from tests.resilience.process import kill, query, start_bot, stop_bot, wait_for


async def test_follow_ups_due_while_stopped_go_out_once_after_a_restart(settings, fake_api):
    async with followup_bot(settings, fake_api) as bot:
        km_person, km_case = await reported_case(bot, "km")
        en_person, en_case = await reported_case(bot, "en")
        ana, *_ = staff(bot)
        await ana.send("/followup 2d Did you find work?", thread_id=await topic_of(bot, en_case.id))
    assert km_person.chat == [] and en_person.chat == []

    # Started again three days later: its own repeating job sends what fell due meanwhile.
    shift = daytime_after(utcnow() + timedelta(days=3), bot) - utcnow()
    async with followup_bot(settings, fake_api, followup_sweep_seconds=0.2,
                            followup_clock_shift=shift) as bot:
        await wait_for(lambda: texts(km_person, "នៅក្នុងជួររង់ចាំ")
                       and len([r for r in en_person.chat if "G-0002" in r.text]) == 2)
        await asyncio.sleep(1.0)  # several more sweeps
        sent = await bot.db.fetchall("SELECT state FROM followups")
        assert [row["state"] for row in sent] == ["sent", "sent", "sent"]
    assert len(km_person.chat) == 1 and km_case.reference in km_person.chat[0].text
    assert len(en_person.chat) == 2
    assert len(texts(en_person, "is in the queue")) == 1
    assert len(texts(en_person, "Did you find work?")) == 1

    async with followup_bot(settings, fake_api, followup_sweep_seconds=0.2,
                            followup_clock_shift=shift + timedelta(days=30)):
        await asyncio.sleep(1.5)
    assert len(km_person.chat) == 1 and len(en_person.chat) == 2


# -- the crash test -----------------------------------------------------------------------------
TOPIC = 5
PERSON = {"id": 500_077, "first_name": "Srey", "language_code": "km"}
STAFF = {"id": ANA, "first_name": "Ana", "username": "ana"}


async def prepare_case(tmp_path, fake_api) -> None:
    """A case already announced in topic TOPIC of a forum staff group."""
    fake_api.api.add_group(STAFF_CHAT, "Hotline staff", is_forum=True, members={ANA: "member"})
    fake_api.api.topics.setdefault(STAFF_CHAT, []).append(
        {"message_thread_id": TOPIC, "name": "G-0001", "icon_color": 7322096})
    fake_api.api.private_chat(PERSON)
    db = await Database.open(tmp_path / "hotline.sqlite3")
    try:
        await users.get_or_create(db, PERSON["id"], "km")
        case, _ = await cases.create(db, NewCase(
            kind="G", draft_id=uuid.uuid4().hex, reporter_id=PERSON["id"],
            reporter_language="km", category="documents", contact="chat"))
        await desk.create_thread(db, case.id, STAFF_CHAT, TOPIC)
        await desk.mark_announced(db, case.id)
    finally:
        await db.close()


async def run_bot(tmp_path, fake_api, shift: str | None = None) -> asyncio.subprocess.Process:
    extra = {"STAFF_CHAT_ID": str(STAFF_CHAT), "STAFF_USER_IDS": str(ANA),
             "STAFF_LANGUAGE": "en", "QUIET_HOURS": "off"}
    if shift:
        extra["FOLLOWUP_CLOCK_SHIFT"] = shift
    return await start_bot(tmp_path, fake_api, stdout=asyncio.subprocess.DEVNULL, **extra)


def states(tmp_path) -> list[str]:
    return [row[0] for row in query(tmp_path, "SELECT state FROM followups ORDER BY id")]


async def staff_writes(fake_api, text: str) -> None:
    """ANA writes in the case's topic; returns when the bot has answered and fetched on."""
    api = fake_api.api
    before = len(api.sent_to(STAFF_CHAT))
    update = fake_api.queue(api.user_sends(STAFF, text, chat_id=STAFF_CHAT,
                                           message_thread_id=TOPIC))
    await wait_for(lambda: len(api.sent_to(STAFF_CHAT)) > before)
    await fake_api.wait_fetched(update["update_id"], timeout=20)


async def test_a_killed_bot_loses_no_follow_up_and_sends_none_twice(tmp_path, fake_api):
    await prepare_case(tmp_path, fake_api)
    api = fake_api.api

    def to_person() -> list[str]:
        return [m["text"] for m in api.sent_to(PERSON["id"])]

    # Scheduled, then killed long before they are due.
    process = await run_bot(tmp_path, fake_api)
    try:
        await staff_writes(fake_api, "/followup 2h Please call us back.")
        await staff_writes(fake_api, "/followup 5h Did the employer answer?")
        assert "Follow-up #2 for G-0001" in api.sent_to(STAFF_CHAT)[-1]["text"]
    finally:
        await kill(process)
    assert states(tmp_path) == ["scheduled", "scheduled"] and to_person() == []

    # Restarted three hours "later": the first is due. Killed again once it is marked sent.
    process = await run_bot(tmp_path, fake_api, shift="3h")
    try:
        await wait_for(lambda: states(tmp_path)[0] == "sent")
    finally:
        await kill(process)
    assert states(tmp_path) == ["sent", "scheduled"]
    assert len(to_person()) == 1 and "Please call us back." in to_person()[0]

    # Six hours "later": the second goes out; the first is not sent again.
    process = await run_bot(tmp_path, fake_api, shift="6h")
    try:
        await wait_for(lambda: states(tmp_path) == ["sent", "sent"])
    finally:
        code, stderr = await stop_bot(process)
    assert code == 0, stderr
    messages = to_person()
    assert len(messages) == 2
    assert "Please call us back." in messages[0] and "Did the employer answer?" in messages[1]
    assert all("G-0001" in text for text in messages)
