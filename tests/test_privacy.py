"""Returnees' data rights through the running bot: consent, /mydata, /delete, anonymous
reports seen from the staff side, redaction by staff, and the retention job."""
from __future__ import annotations

import json
from datetime import timedelta

from bot.jobs import retention
from storage import broadcasts, desk, outbox, privacy
from storage.clock import to_text, utcnow
from tests.desk_helpers import (
    ANA,
    STAFF_CHAT,
    card_of,
    confirmed_wage_claim,
    context_of,
    desk_bot,
    staff,
    stored_case,
)
from tests.intake_helpers import LANGUAGE_BUTTON, answer_safety_questions, onboarded

PHONE = "012 345 678"


async def queue_alert(bot, user_id: int, status: str = "paused") -> int:
    """A broadcast that waits (paused) with one queued delivery to this person."""
    broadcast_id = await bot.db.execute_write(
        "INSERT INTO broadcasts(created_at, audience, text_en, status) VALUES (?, 'all', ?, ?)",
        (to_text(utcnow()), "Fake job offers in Rayong", status))
    await bot.db.execute_write(
        "INSERT INTO outbox(lane, chat_id, kind, payload, created_at, broadcast_id)"
        " VALUES (4, ?, 'alert', '{\"language\": \"en\"}', ?, ?)",
        (user_id, to_text(utcnow()), broadcast_id))
    return broadcast_id


def my_data_file(person) -> dict:
    [sent] = [r for r in person.chat if r.raw.get("method") == "sendDocument"][-1:]
    assert sent.raw["document"]["file_name"] == "my-data.json"
    return json.loads(sent.raw["document"]["content"].decode())


# -- consent ------------------------------------------------------------------------------------
async def test_first_notice_says_what_is_kept_who_sees_it_and_how_to_delete(bot):
    for language, words in (("en", ("keeps your language, your reports", "hotline staff",
                                     "/mydata", "/delete", "means you agree")),
                            ("km", ("/mydata", "/delete", "បុគ្គលិក"))):
        person = bot.person(language_code=language)
        [notice] = await person.send("/start")
        for word in words:
            assert word in notice.text, (language, word)
        assert notice.labels == ["ភាសាខ្មែរ", "English"]
        row = await bot.db.fetchone("SELECT consent_at FROM users WHERE telegram_id = ?",
                                    (person.id,))
        assert row["consent_at"] is None  # nothing accepted yet
        await person.press(LANGUAGE_BUTTON[language])
        assert await bot.db.fetchval("SELECT consent_at FROM users WHERE telegram_id = ?",
                                     (person.id,)) is not None


async def test_language_command_shows_the_notice_to_someone_who_never_accepted_it(bot):
    person = bot.person(language_code="en")
    replies = await person.send("/language")
    assert "/delete" in replies[-1].text and "means you agree" in replies[-1].text


# -- /mydata --------------------------------------------------------------------------------
async def test_mydata_in_english_gives_a_summary_and_the_whole_file(bot):
    person = await onboarded(bot, "en")
    await person.press_data("al:yes", next(r for r in person.chat if "al:yes" in [
        d for _label, d in r.buttons]))
    await person.send("/alerts")
    await person.press("📍 Home province")
    await person.press("Battambang")
    await person.send("/menu")
    await person.press("💸 I was not paid")
    await person.press("🙋 Myself: I was not paid")
    replies = await person.send("/mydata")  # leaves the form; the draft counts as kept data
    summary = replies[-1].text
    assert summary.startswith("📄 What the hotline keeps about you:")
    for shown in ("Language: English", "You accepted the privacy notice", "Reports: none",
                  "Safety alerts: on. Home province: Battambang", "unfinished report", "/delete"):
        assert shown in summary, shown
    assert "🗑 Delete my data" in replies[-1].labels
    data = my_data_file(person)
    assert data["profile"]["telegram_id"] == person.id
    assert data["profile"]["language"] == "en" and data["profile"]["consent_at"]
    assert data["alerts"]["subscribed"] is True and data["alerts"]["province"] == "battambang"
    assert data["saved_between_messages"]["report_draft"]["kind"] == "W"


async def test_mydata_in_khmer_lists_cases_with_messages_and_evidence(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        person = await confirmed_wage_claim(bot, "en")
        card = card_of(ana.group)
        await ana.press("⏳ Waiting", card)
        await person.send("The boss kept my passport.")
        await ana.send("Thank you, we will call them.", thread_id=card.raw["message_thread_id"])
        await person.send("/language")
        await person.press("ភាសាខ្មែរ")
        replies = await person.send("/mydata")
        assert replies[-1].text.startswith("📄")
        assert "W-0001" in replies[-1].text and "ភាសាខ្មែរ" in replies[-1].text
        assert "What the hotline keeps" not in replies[-1].text  # in Khmer
        data = my_data_file(person)
        [report] = data["reports"]
        assert report["reference"] == "W-0001" and report["employer"] == "Golden Seafood Co."
        assert report["title"] != "Unpaid wages"  # the readable names are in Khmer too
        assert [m["sender"] for m in report["messages"]] == ["reporter", "staff"]
        assert report["messages"][0]["text"] == "The boss kept my passport."
        assert [e["kind"] for e in report["evidence"]] == ["photo", "voice"]
        assert all(e["file_id"].startswith("file-") for e in report["evidence"])


async def test_mydata_for_someone_unknown_says_nothing_is_kept(bot):
    person = bot.person(language_code="en")
    replies = await person.send("/mydata")
    assert replies[-1].text.startswith("The hotline keeps nothing about you except")
    assert not [r for r in person.chat if r.raw.get("method") == "sendDocument"]


# -- /delete --------------------------------------------------------------------------------
async def test_delete_in_english_end_to_end(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        person = await confirmed_wage_claim(bot, "en")
        card = card_of(ana.group)
        thread = card.raw["message_thread_id"]
        await ana.press("⏳ Waiting", card)
        await person.send("My boss is Mr Sok, phone 098 765 432.")
        await ana.send("We will call him.", thread_id=thread)
        await bot.db.execute_write(
            "INSERT INTO subscribers(telegram_id, subscribed, asked_at, changed_at)"
            " VALUES (?, 1, 'x', 'x') ON CONFLICT(telegram_id) DO UPDATE SET subscribed = 1",
            (person.id,))
        await queue_alert(bot, person.id)

        replies = await person.send("/delete")
        ask = replies[-1]
        assert ask.text.startswith("🗑 Delete all your data?")
        assert "Only anonymous figures stay" in ask.text
        assert ask.labels == ["🗑 Yes, delete everything", "↩️ No, keep my data"]
        assert await privacy.stored_about(bot.db, person.id) is not None  # nothing yet

        before = len(ana.group)
        replies = await person.press("🗑 Yes, delete everything")
        assert replies[-1].text.startswith("✅ Your data is deleted.")

        # What remains: a tombstone and anonymous figures.
        user = await bot.db.fetchone("SELECT * FROM users WHERE telegram_id = ?", (person.id,))
        assert user["deleted_at"] and user["consent_at"] is None and user["gender"] is None
        case = await bot.db.fetchone("SELECT * FROM cases")
        assert case["reporter_id"] == privacy.NOBODY and case["erased_at"]
        for column in privacy.ERASED_COLUMNS:
            assert case[column] is None, column
        assert (case["category"], case["province"], case["kind"], case["seq"]) == (
            "wages", "chonburi", "W", 1)
        assert (case["status"], case["outcome"]) == ("closed", "withdrawn")
        assert case["amount"] == "12500" and case["created_at"] and case["closed_at"]
        for table, column in (("case_messages", "case_id"), ("case_evidence", "case_id"),
                              ("case_notes", "case_id"), ("subscribers", "telegram_id"),
                              ("ptb_user_data", "user_id")):
            key = case["id"] if column == "case_id" else person.id
            assert await bot.db.fetchval(
                f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (key,)) == 0, table
        assert await bot.db.fetchval(  # their alerts, queued and past
            "SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND broadcast_id IS NOT NULL",
            (person.id,)) == 0
        dump = ""
        for table in ("cases", "users", "audit_log"):
            dump += "\n".join(str(tuple(row)) for row in await bot.db.fetchall(
                f"SELECT * FROM {table}"))
        # The phone as typed and as digits ("098" alone turns up in random hex ids).
        for personal in ("Golden Seafood", "Mr Broker", "Mr Sok", "098 765 432", "098765432",
                         "Sokha"):
            assert personal not in dump, personal
        actions = [e["action"] for e in await desk.audit_entries(bot.db, case["id"])]
        assert actions[-2:] == ["close", "person_deleted"]

        # The thread: copies removed, the card without details, and a notice.
        deleted = {message_id for method, params in bot.api.calls  # in batches
                   if method == "deleteMessages" and params["chat_id"] == STAFF_CHAT
                   for message_id in params["message_ids"]}
        assert card.raw["message_id"] not in deleted and len(deleted) >= 3
        posted = ana.group[before:]
        assert any("👤 Personal details erased" in r.text and r.raw.get("edited")
                   for r in posted)
        assert "Golden Seafood" not in [r for r in posted if r.raw.get("edited")][-1].text
        assert "The returnee deleted their data. W-0001 stays only as anonymous figures" in (
            posted[-1].text)

        # Staff can no longer write to them.
        replies = await ana.send("Are you there?", thread_id=thread)
        assert "were erased" in replies[-1].text

        # A second /delete does no harm.
        replies = await person.send("/delete")
        assert replies[-1].text.startswith("There is nothing left to delete")
        replies = await person.press("🗑 Yes, delete everything", ask)  # the old button
        assert replies[-1].text.startswith("There is nothing left to delete")

        # Writing again starts fresh: the notice again, no report before it.
        replies = await person.send("/start")
        assert "means you agree" in replies[-1].text
        user = await bot.db.fetchone("SELECT * FROM users WHERE telegram_id = ?", (person.id,))
        assert user["deleted_at"] is None and user["consent_at"] is None
        replies = await person.press_data("menu:report")
        assert "means you agree" in replies[-1].text
        assert await bot.db.fetchval("SELECT COUNT(*) FROM cases WHERE reporter_id = ?",
                                     (person.id,)) == 0


async def test_delete_in_khmer_and_cancel(bot):
    person = await onboarded(bot, "km")
    ask = (await person.send("/delete"))[-1]
    assert ask.text.startswith("🗑") and "Delete all" not in ask.text
    assert len(ask.labels) == 2
    replies = await person.press(ask.labels[1])  # No, keep my data
    assert await bot.db.fetchval("SELECT consent_at FROM users WHERE telegram_id = ?",
                                 (person.id,)) is not None
    assert replies[-1].buttons  # the main menu
    replies = await person.press(ask.labels[0], ask)
    assert replies[-1].text.startswith("✅")
    assert await privacy.is_deleted(bot.db, person.id)


async def test_delete_in_the_middle_of_a_form_leaves_it_and_drops_the_draft(bot):
    person = await onboarded(bot, "en")
    await person.press("💸 I was not paid")
    await person.press("🙋 Myself: I was not paid")
    await person.send("/delete")
    await person.press("🗑 Yes, delete everything")
    assert "report_draft" not in bot.app.user_data.get(person.id, {})
    replies = await person.send("Rayong")  # not taken as the province: they start afresh
    assert "Choosing it means you agree to this." in replies[-1].text


async def test_no_alert_reaches_someone_who_deleted_their_data(bot):
    person = await onboarded(bot, "en")
    broadcast_id = await queue_alert(bot, person.id, status="paused")
    await bot.db.execute_write("UPDATE users SET deleted_at = 'x' WHERE telegram_id = ?",
                               (person.id,))
    await bot.db.execute_write("UPDATE broadcasts SET status = 'sending' WHERE id = ?",
                               (broadcast_id,))
    assert await outbox.alerts_due(bot.db, now=10**10, limit=10) == []
    await bot.db.execute_write(
        "INSERT INTO subscribers(telegram_id, subscribed, asked_at, changed_at)"
        " VALUES (?, 1, 'x', 'x') ON CONFLICT(telegram_id) DO UPDATE SET subscribed = 1",
        (person.id,))
    assert await broadcasts.count_recipients(bot.db, broadcasts.Audience("all")) == 0


# -- anonymous reports, from the staff side ---------------------------------------------------
async def walk_anonymous_grievance(person) -> None:
    """Named with a phone number first, then changed to anonymous on the summary."""
    await person.press("📣 Report a problem")
    await person.press("Violence, threats or forced work")
    await answer_safety_questions(person)
    await person.send("The agent in Rayong threatened me.")
    await person.press("✅ Done")
    await person.press("🇹🇭 In Thailand")
    await person.press("Rayong")
    await person.press("👤 Staff may know my name")
    await person.press("📞 Call me on my phone")
    await person.send(PHONE)
    await person.press("🔒 No, keep my name with the hotline")
    await person.press_data("rp:home:battambang")
    await person.press("Man")
    await person.press("✏️ Name")
    replies = await person.press("🕶 Keep me anonymous")
    assert PHONE not in replies[-1].text
    await person.press("✅ Confirm and send")


async def test_anonymous_report_shows_staff_an_alias_only(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        person = bot.person(language_code="en", first_name="Sokha")
        person.user.update(last_name="Chanthy", username="sokha_ch")
        await person.send("/start")
        await person.press("English")
        await walk_anonymous_grievance(person)
        assert "Your reference is G-0001." in person.chat[-1].text
        row = await bot.db.fetchone("SELECT * FROM cases")
        assert (row["anonymous"], row["phone"], row["contact"], row["reporter_name"]) == (
            1, None, "chat", None)

        card = card_of(ana.group)
        alias = privacy.alias_code(row["id"], row["draft_id"])
        assert f"👤 Anonymous: Person {alias}" in card.text
        thread = card.raw["message_thread_id"]
        await ana.press("⏳ Waiting", card)
        await person.send("Please do not tell the agent.")
        assert ana.in_thread(thread)[-1].text.startswith(f"↩️ G-0001 · from Person {alias}:")
        await ana.send("We will not. Are you safe now?", thread_id=thread)
        assert "Are you safe now?" in person.last.text  # staff still reply through the bot
        shown = await ana.send("/case G-0001")
        assert f"Person {alias}" in shown[-1].text
        await person.send("/menu")
        await person.press("🆘 I need help now")
        await person.press("🇹🇭 In Thailand")
        alert = ana.group[-1].text
        assert alert.startswith(f"🆘 I need help now: Person {alias} (anonymous report G-0001)")

        staff_saw = "\n".join(str(m) for m in bot.api.sent_to(STAFF_CHAT))
        for personal in ("Sokha", "Chanthy", "sokha_ch", str(person.id), PHONE, "345"):
            assert personal not in staff_saw, personal


async def test_named_report_shows_staff_the_name(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=False) as bot:
        ana, *_ = staff(bot)
        await confirmed_wage_claim(bot, "en")
        assert "👤 Reported by Sokha" in card_of(ana.group).text


async def test_export_with_details_names_anonymous_reporters_by_alias(settings, fake_api):
    import io

    from bot.admin import reports

    async with desk_bot(settings, fake_api, forum=False) as bot:
        _reporter, case = await stored_case(bot, "en", anonymous=True,
                                            description="secret words")
        await stored_case(bot, "en", reporter_name="Srey Mom")
        out = io.StringIO()
        await reports.export_cases(bot.db, bot.settings, out, None, None, with_details=True,
                                   staff_id=None)
        text = out.getvalue()
        assert f"Person {privacy.alias_code(case.id, case.draft_id)}" in text
        assert "Srey Mom" in text


# -- redaction ----------------------------------------------------------------------------------
async def test_staff_redact_one_message_and_one_photo(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True, staff_user_ids=frozenset({ANA})) as bot:
        ana, _bo, _chan, outsider = staff(bot)
        person = await confirmed_wage_claim(bot, "en")
        card = card_of(ana.group)
        thread = card.raw["message_thread_id"]
        await ana.press("⏳ Waiting", card)
        await person.send("My ID number is 1234 5678 9.")
        text_copy = ana.in_thread(thread)[-1]
        await person.send("Keep this one.")
        await person.send(photo=True)
        photo_copy = ana.in_thread(thread)[-1]
        case_id = (await desk.by_reference(bot.db, "W-0001")).id

        refused = await outsider.send("/redact", thread_id=thread,
                                      reply_to=text_copy.raw["message_id"])
        assert refused[-1].text == "Only hotline staff can do this."
        replies = await ana.send("/redact", thread_id=thread, reply_to=card.raw["message_id"])
        assert "card cannot be redacted" in replies[-1].text

        replies = await ana.send("/redact", thread_id=thread,
                                 reply_to=text_copy.raw["message_id"])
        assert replies[-1].text.startswith("🧹 Redacted: the message was removed here, and 1 ")
        assert ("deleteMessage", {"chat_id": STAFF_CHAT, "message_id": text_copy.raw[
            "message_id"]}) in [(m, {k: p[k] for k in ("chat_id", "message_id")})
                                for m, p in bot.api.calls if m == "deleteMessage"]
        texts = [r["text"] for r in await bot.db.fetchall(
            "SELECT text FROM case_messages WHERE case_id = ? ORDER BY id", (case_id,))]
        assert texts == ["[redacted]", "Keep this one."]

        replies = await ana.send("/redact", thread_id=thread,
                                 reply_to=photo_copy.raw["message_id"])
        assert "1 stored item" in replies[-1].text
        files = [r["file_id"] for r in await bot.db.fetchall(
            "SELECT file_id FROM case_evidence WHERE case_id = ? ORDER BY id", (case_id,))]
        assert files[-1] == "redacted" and "redacted" not in files[:-1]

        entries = [e for e in await desk.audit_entries(bot.db, case_id) if e["action"] == "redact"]
        assert [e["staff_id"] for e in entries] == [ana.id, ana.id]
        assert entries[0]["detail"] == f"message={text_copy.raw['message_id']} kind=text stored=1"
        assert "1234" not in str(entries)


async def test_redact_in_the_khmer_staff_group(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=False, staff_language="km") as bot:
        ana, *_ = staff(bot)
        person = await confirmed_wage_claim(bot, "en")
        card = next(r for r in ana.group if r.buttons)
        case_id = (await desk.by_reference(bot.db, "W-0001")).id
        await ana.press_data(f"sd:wait:{case_id}", card)
        await person.send("My ID number is 1234 5678 9.")
        copy = ana.group[-1]
        replies = await ana.send("/redact", reply_to=copy.raw["message_id"])
        assert replies[-1].text.startswith("🧹") and "Redacted" not in replies[-1].text
        assert await bot.db.fetchval("SELECT text FROM case_messages") == "[redacted]"


# -- retention ----------------------------------------------------------------------------------
async def test_retention_erases_old_closed_cases_once_a_day(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True, retention_days=365) as bot:
        ana, *_ = staff(bot)
        now = utcnow()
        _r1, old = await stored_case(bot, "en", description="old story", phone=PHONE)
        _r2, recent = await stored_case(bot, "en", description="recent story")
        _r3, still_open = await stored_case(bot, "en", description="open story")
        await desk_thread_sweep(bot)
        for case, days in ((old, 400), (recent, 30)):
            await desk.close(bot.db, case.id, None, "resolved")
            await bot.db.execute_write("UPDATE cases SET closed_at = ? WHERE id = ?",
                                       (to_text(now - timedelta(days=days)), case.id))
        context = context_of(bot)
        assert await retention.run_retention(context, now) == [old.id]
        await bot.settle()  # the card's edit goes through the outbox
        row = await bot.db.fetchone("SELECT * FROM cases WHERE id = ?", (old.id,))
        assert row["description"] is None and row["phone"] is None and row["erased_at"]
        assert row["reporter_id"] == privacy.NOBODY and row["outcome"] == "resolved"
        assert await bot.db.fetchval("SELECT COUNT(*) FROM case_evidence WHERE case_id = ?",
                                     (old.id,)) == 0
        for kept in (recent, still_open):
            assert (await desk.get(bot.db, kept.id)).case.description
        assert any("👤 Personal details erased" in r.text for r in ana.group if r.raw.get("edited"))

        # Again the same day: nothing; a day later the 30-day-old case is not due yet;
        # 336 days later it is.
        assert await retention.run_retention(context, now + timedelta(hours=23)) is None
        assert await retention.run_retention(context, now + timedelta(days=1)) == []
        assert await retention.run_retention(context, now + timedelta(days=336)) == [recent.id]
        entries = [e["action"] for e in await desk.audit_entries(bot.db, recent.id)]
        assert entries[-1] == "retention_erase"


async def desk_thread_sweep(bot) -> None:
    from flows.desk import thread as desk_thread

    await desk_thread.sweep(context_of(bot))
    await bot.settle()
