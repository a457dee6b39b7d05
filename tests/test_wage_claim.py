"""The wage claim form through the running bot, in English and Khmer."""
from __future__ import annotations

from telegram import Update

from tests.harness import BotHarness
from tests.intake_helpers import (
    answer_safety_questions,
    case_rows,
    onboarded,
    walk_wage_claim_en,
)

NOT_UNDERSTOOD = ("Sorry, I did not understand that. Did you mean one of these? "
                  "You can also write to hotline staff.")


async def test_wage_claim_in_english_end_to_end(bot):
    person = await onboarded(bot, "en")
    summary = (await walk_wage_claim_en(person))[-1]
    assert summary.text.startswith("Please check your report:")
    for shown in ("A group of workers was not paid (12 people)", "Chonburi", "Golden Seafood Co.",
                  "Fishing or seafood processing", "July 2024 – June 2025", "Wages, Overtime pay",
                  "12,500", "Yes: Mr Broker", "2 file(s)", "Write to me in this chat", "Woman",
                  "What happened: They stopped paying us in May and closed the site."):
        assert shown in summary.text, shown
    assert "✏️ Amount" in summary.labels and "✅ Confirm and send" in summary.labels

    replies = await person.press("✅ Confirm and send")
    assert "Your reference is W-0001." in replies[-1].text
    assert "Hotline staff will look at your report." in replies[-1].text
    [row] = await case_rows(bot, person)
    assert (row["kind"], row["seq"], row["status"], row["reporter_language"]) == ("W", 1, "new", "en")
    assert (row["reported_by"], row["group_size"], row["province"], row["sector"]) == (
        "group", 12, "chonburi", "seafood")
    assert (row["first_month"], row["last_month"], row["owed"]) == ("2024-07", "2025-06",
                                                                   "wages,overtime")
    assert (row["amount"], row["currency"], row["recruiter_name"]) == ("12500", "THB", "Mr Broker")
    assert row["description"] == "They stopped paying us in May and closed the site."
    assert (row["contact"], row["share_name"], row["reporter_gender"]) == ("chat", 1, "woman")
    kinds = [r["kind"] for r in await bot.db.fetchall(
        "SELECT kind FROM case_evidence WHERE case_id = ? ORDER BY id", (row["id"],))]
    assert kinds == ["photo", "voice"]
    assert "report_draft" not in bot.app.user_data[person.id]


async def test_wage_claim_in_khmer_with_khmer_digits(bot):
    person = await onboarded(bot, "km")
    first = await person.press("💸 ខ្ញុំមិនបានទទួលប្រាក់ឈ្នួល (ប្រាក់ខែ)")
    assert "តើនរណាមិនបានទទួលប្រាក់ឈ្នួល?" in first[-1].text
    await person.press("👥 ពលករមួយក្រុមមិនបានទទួលប្រាក់ឈ្នួល")
    await person.send("១២")
    await person.send("ឈូនបុរី")  # typed, not pressed
    await person.send("ក្រុមហ៊ុន សុខា")
    await person.press("⏭ រំលង")
    replies = await person.press("សំណង់")
    assert "សូមជ្រើសរើសឆ្នាំ" in replies[-1].text
    await person.press_data("rp:ym:2025")
    replies = await person.press_data("rp:ym:2025-01")
    assert "កក្កដា" not in replies[-1].text
    await person.press_data("rp:ym:2025")
    await person.press_data("rp:ym:2025-07")
    await person.press("▫️ ប្រាក់ឈ្នួល (ប្រាក់ខែ)")
    await person.press("➡️ បន្ទាប់")
    await person.send("១២,៥០០ បាត")
    await person.press("ទេ")
    await answer_safety_questions(person)
    replies = await person.press("⏭ រំលង")  # what happened, in their own words: optional
    assert "ប្រាប់យើងតាមពាក្យរបស់អ្នកផ្ទាល់" in person.chat[-2].text
    await person.press("✅ រួចរាល់")
    await person.press("🚫 កុំទាក់ទងខ្ញុំ")
    await person.press("🔒 ទេ រក្សាឈ្មោះខ្ញុំនៅតែក្នុងសេវាជំនួយ")
    await person.press_data("rp:home:unsaid")
    summary = (await person.press("⏭ ខ្ញុំមិនចង់ប្រាប់"))[-1]
    assert summary.text.startswith("សូមពិនិត្យរបាយការណ៍របស់អ្នក៖")
    assert "ឈូនបុរី" in summary.text and "(12 នាក់)" in summary.text
    assert "មករា 2025" in summary.text and "កក្កដា 2025" in summary.text
    assert "12,500" in summary.text
    replies = await person.press("✅ បញ្ជាក់ និងផ្ញើ")
    assert "លេខយោងរបស់អ្នកគឺ W-0001" in replies[-1].text
    [row] = await case_rows(bot, person)
    assert (row["reporter_language"], row["group_size"], row["amount"], row["province"]) == (
        "km", 12, "12500", "chonburi")
    assert (row["contact"], row["reporter_gender"], row["recruiter_involved"]) == (
        "none", "unsaid", "no")


async def test_every_step_checks_its_answer(bot):
    person = await onboarded(bot, "en")
    await person.press("💸 I was not paid")
    replies = await person.send("myself")  # text where buttons are expected
    assert replies[0].text == "Please choose one of the buttons below."
    assert replies[-1].text.endswith("Who was not paid?")
    await person.press("👥 A group of workers was not paid")
    for wrong in ("many", "1", "99999"):
        replies = await person.send(wrong)
        assert "as a number from 2 to 10000" in replies[-1].text
    await person.send("៣")  # three, in Khmer digits
    replies = await person.send("Atlantis")
    assert replies[0].text.startswith("I could not find that province.")
    assert "In which province" in replies[-1].text
    await person.press("✍️ Another province: type its name")
    await person.send("korat")
    replies = await person.send(photo=True)  # a photo where the employer's name is asked
    assert replies[0].text == "Please type your answer as a text message."
    assert "name of the employer" in replies[-1].text
    for kind in ({"sticker": True}, {"location": (13.1, 103.2)}, {"contact": "+85512345678"}):
        replies = await person.send(**kind)
        assert replies[0].text == "Please type your answer as a text message."
    replies = await person.send("E" * 1000)
    assert "I kept the first 200 characters" in replies[0].text
    await person.press("⏭ Skip")
    await person.press("Construction")
    await person.press_data("rp:ym:2025")
    await person.press_data("rp:ym:2025-03")
    replies = await person.press_data("rp:ym:2024")  # a year before the first month
    assert replies[-1].text.startswith("When did you last work there?")
    replies = await person.press_data("rp:ym:2025-01")  # forged: before the first month
    assert replies[-1].text.startswith("When did you last work there?")
    await person.press_data("rp:ym:2025")
    await person.press_data("rp:ym:2025-04")
    replies = await person.press("➡️ Next")  # nothing ticked
    assert replies[0].text == "Please press at least one thing, then Next."
    await person.press("▫️ Severance pay")
    await person.press("➡️ Next")
    for unclear in ("a lot", "12.500", "$300 baht"):
        replies = await person.send(unclear)
        assert replies[0].text.startswith("I could not read that amount. For example: 12,500")
    replies = await person.press("⏭ Skip: I do not know")
    assert "recruiter, broker or agency" in replies[-1].text
    await person.press("I am not sure")
    replies = await answer_safety_questions(person)
    assert replies[-1].text.startswith("What happened? Tell us in your own words")
    replies = await person.send(photo=True)  # a photo where words or a voice note are asked
    assert replies[0].text == "Please type it as a text message or send a voice note."
    await person.press("⏭ Skip")
    replies = await person.send("here is my proof")  # text at the proof step: kept, not dropped
    assert replies[0].text.startswith("Kept with your report as part of what happened.")
    await person.send(document=True)
    await person.press("✅ Done")
    old_contact_question = person.latest_with_buttons()
    await person.press("🚫 Do not contact me")
    replies = await person.press("📞 Call me on my phone", old_contact_question)
    assert replies[0].text == "That button belongs to an earlier question. Here is the current one."
    await person.press("🔒 No, keep my name with the hotline")
    await person.press_data("rp:home:kampot")
    summary = (await person.press("Man"))[-1]
    assert "Nakhon Ratchasima" in summary.text and "E" * 99 + "…" in summary.text
    assert "Amount: not known" in summary.text
    assert "What happened: here is my proof" in summary.text
    await person.press("✅ Confirm and send")
    [row] = await case_rows(bot, person)
    assert row["employer"] == "E" * 200 and row["group_size"] == 3 and row["amount"] is None
    assert row["province"] == "nakhon_ratchasima" and row["last_month"] == "2025-04"


async def test_edit_from_the_summary_returns_to_the_summary(bot):
    person = await onboarded(bot, "en")
    await walk_wage_claim_en(person)
    await person.press("✏️ Amount")
    summary = (await person.send("$300"))[-1]
    assert summary.text.startswith("Please check your report:")
    assert "$300.00" in summary.text
    await person.press("✏️ Who")
    replies = await person.press("🙋 Myself: I was not paid")
    assert replies[-1].text.startswith("Please check your report:")
    assert "12 people" not in replies[-1].text
    await person.press("✏️ Months worked")
    await person.press_data("rp:ym:2023")
    replies = await person.press_data("rp:ym:2023-02")
    assert replies[-1].text.startswith("When did you last work there?")  # its follow-up
    await person.press_data("rp:ym:2023")
    summary = (await person.press_data("rp:ym:2023-09"))[-1]
    assert "February 2023 – September 2023" in summary.text
    await person.press("✏️ Province in Thailand")
    replies = await person.press("⬅️ Back")  # back from an edit: the summary, unchanged
    assert replies[-1].text.startswith("Please check your report:")
    await person.press("✅ Confirm and send")
    [row] = await case_rows(bot, person)
    assert (row["amount"], row["currency"], row["reported_by"], row["group_size"]) == (
        "300", "USD", "self", None)
    assert (row["first_month"], row["last_month"]) == ("2023-02", "2023-09")


async def test_back_goes_one_question_back(bot):
    person = await onboarded(bot, "en")
    await person.press("💸 I was not paid")
    await person.press("🙋 Myself: I was not paid")
    await person.press("Rayong")
    replies = await person.press("⬅️ Back")
    assert replies[-1].text.startswith("In which province")
    replies = await person.press("⬅️ Back")
    assert replies[-1].text.endswith("Who was not paid?")
    assert "⬅️ Back" not in replies[-1].labels  # the first question


async def test_cancel_deletes_the_draft_after_asking(bot):
    person = await onboarded(bot, "km")
    await person.press("💸 ខ្ញុំមិនបានទទួលប្រាក់ឈ្នួល (ប្រាក់ខែ)")
    await person.press("🙋 ខ្លួនខ្ញុំ៖ ខ្ញុំមិនបានទទួលប្រាក់ឈ្នួល")
    replies = await person.press("✖️ បោះបង់របាយការណ៍នេះ")
    assert "លុបរបាយការណ៍ដែលមិនទាន់ចប់នេះឬ?" in replies[-1].text
    replies = await person.press("↩️ ទេ បន្តទៀត")  # changed their mind
    assert "តើអ្នកធ្វើការនៅខេត្តណា" in replies[-1].text
    replies = await person.send("/cancel")
    replies = await person.press("🗑 បាទ/ចាស លុបវាចោល")
    assert "ខ្ញុំមិនបានផ្ញើអ្វីទៅទេ" in replies[-1].text
    assert "report_draft" not in bot.app.user_data[person.id]
    assert await case_rows(bot, person) == []
    replies = await person.send("Rayong")  # no longer in a form
    assert replies[-1].text.startswith("សូមទោស ខ្ញុំមិនយល់ទេ")


async def test_a_double_confirm_or_a_redelivered_update_makes_one_case(bot):
    person = await onboarded(bot, "en")
    summary = (await walk_wage_claim_en(person))[-1]
    first = await person.press("✅ Confirm and send", summary)
    second = await person.press("✅ Confirm and send", summary)  # the same button again
    assert "Your reference is W-0001." in first[-1].text
    assert second[-1].text == "This report was already received. Its reference is W-0001."
    # The same callback update delivered twice (as after a crash before the offset was saved).
    raw = bot.api.user_presses(person.user, summary.raw, summary.data_for("✅ Confirm and send"))
    bot.api.updates.clear()
    for _ in range(2):
        await bot.app.process_update(Update.de_json(raw, bot.app.bot))
    assert len(await case_rows(bot, person)) == 1
    assert person.last.text == "This report was already received. Its reference is W-0001."


async def test_a_confirm_whose_answer_was_lost_gives_the_same_reference(bot):
    """The draft is still in user_data (persistence lagged), the case is stored: no second case."""
    person = await onboarded(bot, "en")
    summary = (await walk_wage_claim_en(person))[-1]
    draft = dict(bot.app.user_data[person.id]["report_draft"])
    await person.press("✅ Confirm and send", summary)
    bot.app.user_data[person.id]["report_draft"] = draft  # as if the pop was never saved
    await person.press("🏠 Main menu")
    replies = await person.press("💸 I was not paid")
    assert replies[-1].text.endswith("Who was not paid?")  # a fresh form, not the old draft
    assert len(await case_rows(bot, person)) == 1


async def test_a_draft_survives_a_restart(settings, fake_api):
    async with BotHarness.started(settings, fake_api) as bot:
        person = await onboarded(bot, "en", user_id=300_501)
        await person.press("💸 I was not paid")
        await person.press("🙋 Myself: I was not paid")
        await person.press("Trat")
    async with BotHarness.started(settings, fake_api) as bot:
        person = bot.person(language_code="en", user_id=300_501)
        replies = await person.send("Trat Fruit Farm")  # answers the question asked before
        assert replies[-1].text.startswith("Describe the workplace")
        await person.press("🏠 Main menu")  # leave the form
    async with BotHarness.started(settings, fake_api) as bot:
        person = bot.person(language_code="en", user_id=300_501)
        await person.send("/menu")
        replies = await person.press("💸 I was not paid")
        assert "You have an unfinished wage claim." in replies[-1].text
        replies = await person.press("📝 Continue the unfinished report")
        assert replies[-1].text.startswith("Describe the workplace")
        await person.press("⏭ Skip")
        await person.press("Agriculture")
        assert bot.app.user_data[person.id]["report_draft"]["f"]["employer"] == "Trat Fruit Farm"


async def test_starting_again_deletes_the_unfinished_draft(bot):
    person = await onboarded(bot, "en")
    await person.press("💸 I was not paid")
    await person.press("🙋 Myself: I was not paid")
    await person.send("/menu")
    replies = await person.press("📣 Report a problem")
    assert "You have an unfinished wage claim." in replies[-1].text
    replies = await person.press("🆕 Start a new report")
    assert replies[-1].text.endswith("What is the problem about?")
    assert bot.app.user_data[person.id]["report_draft"]["kind"] == "G"


async def test_phone_is_shared_with_the_contact_button_and_the_keyboard_removed(bot):
    person = await onboarded(bot, "en")
    await walk_wage_claim_en(person)
    await person.press("✏️ Contact")
    replies = await person.press("📞 Call me on my phone")
    keyboard = replies[0].raw["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_contact"] is True
    replies = await person.send(photo=True)
    assert replies[0].text == "Please press the button below to share your number, or type it."
    replies = await person.send(contact="+855 12 345 678")
    assert replies[0].text == "Thank you, I saved your number."
    assert replies[0].raw["reply_markup"] == {"remove_keyboard": True}
    assert "(+855 12 345 678)" in replies[-1].text  # back on the summary
    await person.press("✏️ Contact")
    await person.press("📞 Call me on my phone")
    replies = await person.send("hello")
    assert replies[0].text.startswith("That does not look like a phone number.")
    replies = await person.send("០១២ ៣៤៥ ៦៧៨")  # typed, Khmer digits
    assert "(012 345 678)" in replies[-1].text
    await person.press("✏️ Contact")
    await person.press("📞 Call me on my phone")
    replies = await person.press("⬅️ Back")  # leaves without a number: keyboard removed
    assert replies[0].raw["reply_markup"] == {"remove_keyboard": True}
    assert replies[-1].text.startswith("Please check your report:")  # back from an edit
    await person.press("✏️ Contact")
    await person.press("💬 Write to me in this chat")
    await person.press("✅ Confirm and send")
    [row] = await case_rows(bot, person)
    assert (row["contact"], row["phone"]) == ("chat", None)


async def test_no_report_before_the_privacy_greeting(bot):
    person = bot.person(language_code="en")
    replies = await person.send("hello")  # not /start: the greeting all the same
    assert "kept private" in replies[-1].text
    assert replies[-1].labels == ["ភាសាខ្មែរ", "English"]
    await person.send("/menu")  # the menu shows, but its entries wait for consent
    replies = await person.press("📣 Report a problem")
    assert "kept private" in replies[-1].text
    replies = await person.press_data("menu:wage")  # an old button: the same
    assert "kept private" in replies[-1].text
    replies = await person.press("English")
    assert "➡️ Continue: 💸 I was not paid" in replies[-1].labels  # back where they were going
    replies = await person.press("➡️ Continue: 💸 I was not paid")
    assert replies[-1].text.endswith("Who was not paid?")


async def test_gender_is_asked_only_once(bot):
    person = await onboarded(bot, "en")
    await walk_wage_claim_en(person)
    await person.press("✅ Confirm and send")
    await person.press("🏠 Main menu")
    await person.press("💸 I was not paid")
    await person.press("🙋 Myself: I was not paid")
    await person.press("Bangkok")
    await person.send("Shop")
    await person.press("⏭ Skip")
    await person.press("Factory")
    for data in ("rp:ym:2025", "rp:ym:2025-01", "rp:ym:2025", "rp:ym:2025-02"):
        await person.press_data(data)
    await person.press("▫️ Wages")
    await person.press("➡️ Next")
    await person.send("5000")
    await person.press("No")
    await answer_safety_questions(person)
    await person.press("⏭ Skip")
    await person.press("✅ Done")
    await person.press("💬 Write to me in this chat")
    replies = await person.press("🔒 No, keep my name with the hotline")
    assert replies[-1].text.startswith("Please check your report:")  # no gender question
    await person.press("✅ Confirm and send")
    rows = await case_rows(bot, person)
    assert [r["seq"] for r in rows] == [1, 2] and rows[1]["reporter_gender"] == "woman"


async def test_a_form_without_its_draft_is_left_kindly(bot):
    person = await onboarded(bot, "en")
    await person.press("💸 I was not paid")
    await person.press("🙋 Myself: I was not paid")
    del bot.app.user_data[person.id]["report_draft"]  # lost, e.g. by a damaged data row
    replies = await person.send("Rayong")
    assert replies[-1].text == "That report is no longer open. Here is the menu."
    replies = await person.send("Rayong")
    assert replies[-1].text == NOT_UNDERSTOOD
