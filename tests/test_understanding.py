"""Typing and speaking instead of pressing buttons, through the running bot (issue 15)."""
from __future__ import annotations

import pytest

from tests.desk_helpers import card_of, confirmed_wage_claim, desk_bot, staff
from tests.intake_helpers import answer_safety_questions, case_rows, onboarded
from tests.recruiter_data import load

# What the returnee is told at once when a reply is stored and queued for staff (👌 follows).
QUEUED = ("⏳ Saved with your report W-0001. It will reach hotline staff shortly: you will see "
          "👌 on your message when it has.")

# (what a returnee types, the intent the bot must take it for). Misspellings, Khmer without
# spaces, zero-width spaces, characters typed in another order, Khmer digits, mixed scripts.
KHMER_TABLE = [
    ("ជួយផង", "emergency"),
    ("ជួយ\u200bផង", "emergency"),
    ("ជួយខ្ញុំផងបងៗ", "emergency"),
    ("សូមជួយខ្ញុំផង", "emergency"),
    ("គេចាក់សោខ្ញុំក្នុងបន្ទប់", "emergency"),
    ("ថៅកែវាយដំខ្ញុំ", "emergency"),
    ("គេដកលិខិតឆ្លងដែនខ្ញុំ", "emergency"),
    ("ខ្ញុំមានអាសន្ន", "emergency"),
    ("ខ្ញុំត្រូវបានគេឃុំខ្លួន", "emergency"),
    ("ប្រាក់ខែ", "wages"),
    ("ខ្ញុំមិនទាន់បានប្រាក់ខែ", "wages"),
    ("ថៅកែមិនបើកលុយខ្ញុំ3ខែ", "wages"),
    ("ប្រាក់ខែ ៣ ខែ មិនទាន់បើក", "wages"),
    ("ប្រាក់ឈ្នូល", "wages"),          # ួ typed as ូ
    ("ប្រាក់ខេ", "wages"),            # ែ typed as េ
    ("ប្រាក់ថែមម៉ោង", "wages"),
    ("ជំពាក់ប្រាក់ខែខ្ញុំ", "wages"),
    ("១២ នាក់ មិនបានប្រាក់ខែ", "wages"),
    ("ប្រាក់ខែ salary", "wages"),
    ("prak khe", "wages"),
    ("ក្រុមហ៊ុនជ្រើសរើសនេះស្របច្បាប់ទេ", "recruiter"),
    ("ភ្នាក់ងារនេះមានអាជ្ញាប័ណ្ណទេ", "recruiter"),
    ("មេខ្យល់", "recruiter"),
    ("ឈ្មួញកណ្តាល", "recruiter"),       # subscript ta where the list has subscript da
    ("លិខិតឆ្លងដែន", "passport"),
    ("ធ្វើប៉ាស្ព័រ", "passport"),
    ("លិខិតឆ្លងដេន", "passport"),       # ែ typed as េ
    ("អត្តសញ្ញាណប័ណ្ណ", "id_card"),
    ("ធ្វើកាតខែ្មរ", "id_card"),          # vowel typed before the subscript
    ("ប័ណ្ណក្រីក្រ", "idpoor"),
    ("ប័ណ្ណសមធម៌", "idpoor"),
    ("សៀវភៅគ្រួសារ", "documents"),
    ("សំបុត្រកំណើត", "documents"),
    ("រកការងារ", "jobs"),
    ("ខ្ញុំចង់ធ្វើការ", "jobs"),
    ("ជួយខ្ញុំរកការងារផង", "jobs"),
    ("ខ្ចីលុយធនាគារ", "loans"),
    ("សងបំណុលមិនរួច", "loans"),
    ("ប្រាក់ឧបត្ថម្ភ", "benefits"),
    ("សេវាសុខភាព", "benefits"),
    ("ចង់ទៅធ្វើការថៃ", "safe_migration"),
    ("ចំណាកស្រុកសុវត្ថិភាព", "safe_migration"),
    ("ខ្ញុំចង់និយាយជាមួយបុគ្គលិក", "person"),
    ("ចង់ប្ដឹង", "person"),
    ("សួស្តី", "greeting"),                # subscript ta; the list has subscript da
    ("អរគុណច្រើន", "thanks"),
]
ENGLISH_TABLE = [
    ("help", "emergency"),
    ("HELP", "emergency"),
    ("Help me please!!", "emergency"),
    ("hlep me", "emergency"),
    ("im in danger", "emergency"),
    ("they locked me in", "emergency"),
    ("my boss beat me", "emergency"),
    ("they took my passport", "emergency"),
    ("i cant leave the farm", "emergency"),
    ("I was trafficked", "emergency"),
    ("how do I get my unpaid wages", "wages"),
    ("salary", "wages"),
    ("my employer did not pay me", "wages"),
    ("no salary for 3 months", "wages"),
    ("unpiad wages", "wages"),
    ("salery", "wages"),
    ("overtime not paid", "wages"),
    ("ប្រាក់ខែ salary", "wages"),
    ("is this agency licensed", "recruiter"),
    ("check recruiter", "recruiter"),
    ("broker", "recruiter"),
    ("recruitment agency", "recruiter"),
    ("recrutier", "recruiter"),
    ("passport", "passport"),
    ("how to make a passport", "passport"),
    ("passprt", "passport"),
    ("id card", "id_card"),
    ("lost my national ID", "id_card"),
    ("idpoor card", "idpoor"),
    ("equity card", "idpoor"),
    ("family book", "documents"),
    ("birth certificate", "documents"),
    ("documents", "documents"),
    ("looking for a job", "jobs"),
    ("vocational training", "jobs"),
    ("I have a big loan", "loans"),
    ("debt", "loans"),
    ("nssf", "benefits"),
    ("health insurance", "benefits"),
    ("safe migration", "safe_migration"),
    ("I want to work in Thailand", "safe_migration"),
    ("visa", "safe_migration"),
    ("talk to a person", "person"),
    ("I want to speak to staff", "person"),
    ("make a complaint", "person"),
    ("hello", "greeting"),
    ("good morning", "greeting"),
    ("thank you", "thanks"),
]
# What each intent's answer shows (a button, or text) in each language.
SHOWS = {
    "emergency": {"en": "In Cambodia, call:", "km": "នៅប្រទេសកម្ពុជា សូមហៅទៅលេខ៖"},
    "wages": {"en": "💸 Report unpaid wages", "km": "💸 រាយការណ៍ប្រាក់ឈ្នួលមិនបានបើក"},
    "recruiter": {"en": "Type the name of the recruitment agency",
                  "km": "សូមវាយឈ្មោះក្រុមហ៊ុនជ្រើសរើសពលករ"},
}


async def last_intent(bot) -> tuple:
    row = await bot.db.fetchone("SELECT intent, phrase FROM intent_log ORDER BY id DESC LIMIT 1")
    return (row["intent"], row["phrase"]) if row else (None, None)


def everything(replies) -> str:
    return "\n".join([r.text for r in replies] + [label for r in replies for label in r.labels])


@pytest.mark.parametrize("language, table", [("km", KHMER_TABLE), ("en", ENGLISH_TABLE)])
async def test_typed_phrases_are_understood_in_both_languages(bot, language, table):
    assert len(table) >= 40
    person = await onboarded(bot, language)
    wrong = []
    for text, intent in table:
        replies = await person.send(text)
        logged, _phrase = await last_intent(bot)
        if logged != intent:
            wrong.append((text, intent, logged))
        assert replies and replies[-1].buttons, text  # never a dead end
        assert "did not understand" not in everything(replies), text
        if intent in SHOWS:
            assert SHOWS[intent][language] in everything(replies), text
        await person.send("/menu")  # leave whatever the answer started (the recruiter check)
    assert not wrong, wrong


async def test_nothing_matched_offers_likely_topics_and_staff_and_is_logged(bot):
    person = await onboarded(bot, "en")
    replies = await person.send("Whats the procedure, my number is 012 345 678?")
    answer = replies[-1]
    assert answer.text.startswith("Sorry, I did not understand that. Did you mean")
    assert "💬 Write to hotline staff" in answer.labels and "🏠 Main menu" in answer.labels
    assert len(answer.buttons) == 5  # three topics, staff, menu
    intent, phrase = await last_intent(bot)
    assert intent is None and phrase == "whats the procedure my number is ### ### ###"
    row = await bot.db.fetchone("SELECT * FROM intent_log ORDER BY id DESC LIMIT 1")
    assert set(row.keys()) == {"id", "intent", "phrase", "logged_at"}  # nobody's id
    replies = await person.press("💬 Write to hotline staff")
    assert "📣 Report a problem" in replies[-1].labels
    await person.send("salary")
    assert await last_intent(bot) == ("wages", None)  # understood: the text is not kept


async def test_suggestions_follow_what_was_typed(bot):
    person = await onboarded(bot, "km")
    replies = await person.send("ប្រាក់ចំណូល")  # "income": close to wages, not in the list
    assert "💸 ប្រាក់ឈ្នួលមិនបានបើក" in replies[-1].labels[:3]
    replies = await person.press("💸 ប្រាក់ឈ្នួលមិនបានបើក")
    assert "💸 រាយការណ៍ប្រាក់ឈ្នួលមិនបានបើក" in replies[-1].labels
    replies = await person.press("💸 រាយការណ៍ប្រាក់ឈ្នួលមិនបានបើក")
    assert "តើនរណាមិនបានទទួលប្រាក់ឈ្នួល?" in replies[-1].text


async def test_intents_unmatched_command_lists_what_nothing_caught(tmp_path, monkeypatch, capsys):
    from bot.cli import main
    from storage import intent_log
    from storage.db import Database

    db_path = tmp_path / "hotline.sqlite3"
    async with await Database.open(db_path) as db:
        for _ in range(3):
            await intent_log.record(db, None, "ot mean luy")
        await intent_log.record(db, None, "something else")
        await intent_log.record(db, "wages", "never kept")
    monkeypatch.setenv("DATABASE_PATH", str(db_path))
    monkeypatch.chdir(tmp_path)
    import asyncio

    code = await asyncio.to_thread(main, ["intents", "unmatched", "--since", "30d"])
    out = capsys.readouterr().out
    assert code == 0
    assert "typed messages since" in out and "understood 1, not understood 4" in out
    lines = out.splitlines()
    assert lines[2].split() == ["3", "ot", "mean", "luy"] and "never kept" not in out
    assert await asyncio.to_thread(main, ["intents", "unmatched", "--since", "soon"]) == 2


async def test_help_typed_gives_every_number_at_once_and_tells_staff(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        person = await onboarded(bot, "km")
        before = len(ana.group)
        replies = await person.send("ជួយផង")
        assert "នៅប្រទេសកម្ពុជា សូមហៅទៅលេខ៖" in replies[0].text and "117" in replies[0].text
        assert "នៅប្រទេសថៃ សូមហៅទៅលេខ៖" in replies[0].text and "1669" in replies[0].text
        assert "🔔 បុគ្គលិកខ្សែទូរស័ព្ទជំនួយបានទទួលដំណឹងហើយ" in replies[-1].text
        [alert] = ana.group[before:]
        assert alert.text.startswith("🆘 I need help now: Sokha (Telegram id")
        assert "wrote asking for help" in alert.text
        replies = await person.press("🇹🇭 នៅប្រទេសថៃ")  # what to say: no second alert
        assert "🔔" in replies[-1].text and len(ana.group) == before + 1


async def test_help_now_says_when_staff_were_not_told(bot):
    person = await onboarded(bot, "en")  # no staff group: nobody can be told
    await person.press("🆘 I need help now")
    replies = await person.press("🇰🇭 In Cambodia")
    assert "Hotline staff have been told" not in everything(replies)


async def test_a_typed_agency_name_goes_straight_to_a_lookup_and_another_follows(bot):
    await load(bot.db)
    person = await onboarded(bot, "en")
    replies = await person.send("Is Bright Harvest Manpower licensed?")
    assert replies[-1].text.startswith("✅ Bright Harvest Manpower Co., Ltd")
    replies = await person.send("River Crane Recruitment")  # a second name, typed straight on
    assert "SUSPENDED" in replies[-1].text
    replies = await person.send("ជួយផង")  # words of danger are never taken for a name
    assert "In Cambodia, call:" in replies[0].text
    await person.send("/menu")
    replies = await person.send("agency")  # no name in it: the check asks for one
    assert replies[-1].text.startswith("Type the name of the recruitment agency")
    replies = await person.send("Jade Mountain Workers")
    assert replies[-1].text.startswith("✅ Jade Mountain Workers")


async def test_after_a_lookup_another_topic_or_a_button_leaves_the_check(bot):
    await load(bot.db)
    person = await onboarded(bot, "en")
    await person.press("🔎 Check a recruiter")
    await person.send("Old Temple Manpower")
    replies = await person.send("salary")  # another topic: answered as such
    assert "💸 Report unpaid wages" in replies[-1].labels
    await person.press("🏠 Main menu")
    await person.press("🔎 Check a recruiter")
    await person.send("Old Temple Manpower")
    await person.press_data("menu:wages")  # went elsewhere (a button of an older menu)
    replies = await person.send("qwzx plorb")
    assert replies[-1].text.startswith("Sorry, I did not understand that.")


async def test_a_plain_reply_goes_to_the_one_case_staff_wrote_to(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        person = await confirmed_wage_claim(bot)
        thread = card_of(ana.group).raw["message_thread_id"]
        await ana.send("Which company was it?", thread_id=thread)
        replies = await person.send("Thank you, the employer is Somchai")
        assert replies[-1].text == QUEUED
        assert "Thank you, the employer is Somchai" in ana.in_thread(thread)[-1].text
        await person.send(voice=True)
        assert "voice" in ana.in_thread(thread)[-1].raw
        [row] = await case_rows(bot, person)
        texts = [r["text"] for r in await bot.db.fetchall(
            "SELECT text FROM case_messages WHERE case_id = ? AND sender = 'reporter'",
            (row["id"],))]
        assert texts == ["Thank you, the employer is Somchai"]
        kinds = [r["kind"] for r in await bot.db.fetchall(
            "SELECT kind FROM case_evidence WHERE case_id = ? ORDER BY id", (row["id"],))]
        assert kinds == ["photo", "voice", "voice"]
        # A reply with words of danger goes to staff and gets the numbers too.
        replies = await person.send("please help, they locked me in")
        assert replies[0].text == QUEUED
        assert any("In Cambodia, call:" in r.text for r in replies)


async def test_with_several_cases_staff_wrote_to_the_reply_asks_which(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        person = await confirmed_wage_claim(bot)
        first = card_of(ana.group)
        await person.press("🏠 Main menu")
        await person.press("💸 I was not paid")  # a second claim, quickly
        await person.press("🙋 Myself: I was not paid")
        await person.press("Bangkok")
        await person.send("Shop")
        await person.press("⏭ Skip")
        await person.press("Factory")
        for data in ("rp:ym:2025", "rp:ym:2025-01", "rp:ym:2025", "rp:ym:2025-02",
                     "rp:owe:wages", "rp:owe:next", "rp:skip", "rp:rec:no"):
            await person.press_data(data)
        await answer_safety_questions(person)
        for data in ("rp:skip", "rp:done", "rp:contact:chat", "rp:share:no"):
            await person.press_data(data)
        await person.press("✅ Confirm and send")
        second = [r for r in ana.group if "✋ Claim" in r.labels][-1]
        await ana.send("Question on the first", thread_id=first.raw["message_thread_id"])
        await ana.send("Question on the second", thread_id=second.raw["message_thread_id"])
        replies = await person.send("It was in Chonburi")
        choice = replies[-1]
        assert choice.text.startswith("Which of your reports is this about?")
        assert [label.split(" ·")[0] for label in choice.labels[:2]] == ["📂 W-0002", "📂 W-0001"]
        replies = await person.press(choice.labels[1])
        assert replies[-1].text == QUEUED
        assert "It was in Chonburi" in ana.in_thread(first.raw["message_thread_id"])[-1].text
        assert "It was in Chonburi" not in ana.in_thread(second.raw["message_thread_id"])[-1].text
        replies = await person.press(choice.labels[0], choice)  # pressed again: nothing waits
        assert "no longer waiting" in replies[-1].text
        replies = await person.send("salary")
        await person.press("✖️ None of these: something else")
        assert "💸 Report unpaid wages" in person.last.labels  # understood as a question


async def test_a_voice_note_at_the_menu_becomes_a_report(bot):
    person = await onboarded(bot, "km")
    replies = await person.send(voice=True)
    assert replies[-1].text.startswith("ផ្ញើសារជាសំឡេងនេះទៅបុគ្គលិក")
    replies = await person.press("📣 បាទ/ចាស ផ្ញើវាជារបាយការណ៍ថ្មី")
    assert "តើបញ្ហានេះទាក់ទងនឹងអ្វី?" in replies[-1].text
    await person.press_data("rp:cat:violence")
    replies = await answer_safety_questions(person)
    assert "✅ រក្សាទុកនេះ" in replies[-1].labels  # the voice note is what happened
    await person.press("✅ រក្សាទុកនេះ")
    await person.press_data("rp:done")
    await person.press_data("rp:where:KH")
    await person.press_data("rp:skip")
    await person.press_data("rp:anon:anonymous")
    await person.press_data("rp:contact:chat")
    await person.press_data("rp:home:unsaid")
    summary = await person.press_data("rp:gender:unsaid")
    assert "សារជាសំឡេង" in summary[-1].text
    await person.press("✅ បញ្ជាក់ និងផ្ញើ")
    [row] = await case_rows(bot, person)
    assert row["kind"] == "G" and row["description_voice"]


async def test_a_photo_at_the_menu_can_be_added_to_an_open_case(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        person = await confirmed_wage_claim(bot)
        thread = card_of(ana.group).raw["message_thread_id"]
        await person.press("🏠 Main menu")
        replies = await person.send(photo=True, caption="my payslip")
        assert replies[-1].text.startswith("Send this to hotline staff as a new report?")
        replies = await person.press("➕ Add it to W-0001")
        assert replies[-1].text == QUEUED
        assert "photo" in ana.in_thread(thread)[-1].raw
        [row] = await case_rows(bot, person)
        assert await bot.db.fetchval(
            "SELECT COUNT(*) FROM case_evidence WHERE case_id = ?", (row["id"],)) == 3


async def test_consent_comes_first_whatever_the_first_message(bot):
    person = bot.person(language_code="km")
    replies = await person.send("ប្រាក់ខែ")
    assert replies[-1].labels == ["ភាសាខ្មែរ", "English"] and len(replies) == 1
    assert await bot.db.fetchval("SELECT COUNT(*) FROM intent_log") == 0  # nothing before consent
    assert "ប្រាក់ខែ" not in str(bot.app.user_data.get(person.id, {}))  # held in memory only
    replies = await person.press("English")
    assert "💸 Report unpaid wages" in replies[-1].labels  # the message that came first
    row = await bot.db.fetchone("SELECT consent_at FROM users WHERE telegram_id = ?", (person.id,))
    assert row["consent_at"] is not None


async def test_words_of_danger_get_the_numbers_before_the_privacy_notice(bot):
    person = bot.person(language_code="km")
    replies = await person.send("ជួយផង")
    assert "117" in replies[0].text  # the numbers come first
    assert replies[-1].labels == ["ភាសាខ្មែរ", "English"]
    await person.press("ភាសាខ្មែរ")
    assert "117" not in person.last.text  # not answered twice


async def test_the_recruiter_check_waits_for_consent(bot):
    await load(bot.db)
    person = bot.person(language_code="en")
    await person.send("/menu")
    replies = await person.press("🔎 Check a recruiter")
    assert replies[-1].labels == ["ភាសាខ្មែរ", "English"]
    replies = await person.press("English")
    replies = await person.press("➡️ Continue: 🔎 Check a recruiter")
    assert replies[-1].text.startswith("Type the name of the recruitment agency")


async def test_numbers_and_provinces_as_people_type_them(bot):
    person = await onboarded(bot, "km")
    await person.press_data("menu:wage")
    await person.press("👥 ពលករមួយក្រុមមិនបានទទួលប្រាក់ឈ្នួល")
    replies = await person.send("១២ នាក់")
    assert "ខេត្តណា" in replies[-1].text
    replies = await person.send("chon bury")  # misspelt, Latin letters
    assert "ឈ្មោះនិយោជក" in replies[-1].text or "និយោជក" in replies[-1].text
    draft = bot.app.user_data[person.id]["report_draft"]["f"]
    assert (draft["group_size"], draft["province"]) == (12, "chonburi")
    await person.send("ក្រុមហ៊ុន សុខា")
    await person.press_data("rp:skip")
    await person.press_data("rp:sector:factory")
    for data in ("rp:ym:2025", "rp:ym:2025-01", "rp:ym:2025", "rp:ym:2025-03"):
        await person.press_data(data)
    await person.press_data("rp:owe:wages")
    await person.press_data("rp:owe:next")
    await person.send("មួយម៉ឺនបាត")
    assert bot.app.user_data[person.id]["report_draft"]["f"]["amount"] == "10000"
    await person.press_data("rp:back")
    await person.send("១,៥ម៉ឺន")
    draft = bot.app.user_data[person.id]["report_draft"]["f"]
    assert (draft["amount"], draft["currency"]) == ("15000", "THB")


async def test_topics_link_to_what_comes_next(bot):
    person = await onboarded(bot, "en")
    replies = await person.press("💰 Unpaid wages: your rights")
    assert "💸 Report unpaid wages" in replies[-1].labels
    replies = await person.press("💸 Report unpaid wages")
    assert replies[-1].text.endswith("Who was not paid?")
    await person.press("🏠 Main menu")
    replies = await person.press("🧳 Safe migration")
    assert "🔎 Check a recruiter" in replies[-1].labels
    replies = await person.press("✅ The legal way")
    replies = await person.press("🔎 Check a recruiter")
    assert replies[-1].text.startswith("Type the name of the recruitment agency")


async def test_confirm_says_who_answers_and_roughly_when(bot):
    person = await confirmed_wage_claim(bot)
    text = person.last.text
    assert "A case worker answers. They work Monday to Friday, 08:00-17:00." in text
    assert ("They are at work now" in text) or ("They will see your report when they are back:"
                                                in text)


async def test_a_wage_claim_keeps_words_typed_at_the_proof_step(bot):
    person = await onboarded(bot, "en")
    from tests.intake_helpers import walk_wage_claim_en

    await walk_wage_claim_en(person)
    await person.press("✏️ Proof")
    replies = await person.send("The payslips are with my sister")
    assert replies[0].text.startswith("Kept with your report as part of what happened.")
    await person.send(photo=True, caption="payslip for May")
    summary = (await person.press("✅ Done"))[-1]
    assert "The payslips are with my sister" in summary.text and "payslip for May" in summary.text
