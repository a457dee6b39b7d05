"""The grievance form ("Report a problem") through the running bot, in English and Khmer."""
from __future__ import annotations

from tests.intake_helpers import answer_safety_questions, case_rows, onboarded


async def test_grievance_in_english_end_to_end(bot):
    person = await onboarded(bot, "en")
    replies = await person.press("📣 Report a problem")
    assert replies[-1].text.endswith("What is the problem about?")
    replies = await person.press("Something else")
    assert "Question 1 of 7: Does someone else (the employer, a broker or an agent) keep " \
        "your passport" in replies[-1].text
    replies = await person.press("No")
    assert "Question 2 of 7: Could you leave the workplace" in replies[-1].text
    replies = await answer_safety_questions(person)
    assert not any("danger now" in r.text for r in person.chat)
    assert replies[-1].text.startswith("Tell me what happened")
    await person.send("The supervisor shouted at us every day.")
    await person.send(photo=True)
    await person.press("✅ Done")
    await person.press("🇹🇭 In Thailand")
    await person.press("Rayong")
    await person.press("👤 Staff may know my name")
    await person.press("💬 Write to me in this chat")
    await person.press("🔒 No, keep my name with the hotline")
    await person.press("Siem Reap")
    summary = (await person.press("Man"))[-1]
    for shown in ("Something else", "Safety questions: no warning sign",
                  "The supervisor shouted at us", "1 file(s)", "In Thailand: Rayong"):
        assert shown in summary.text, shown
    replies = await person.press("✅ Confirm and send")
    assert "Your reference is G-0001." in replies[-1].text
    assert "danger now" not in replies[-1].text
    [row] = await case_rows(bot, person)
    assert (row["kind"], row["category"], row["urgent"], row["country"], row["province"]) == (
        "G", "other", 0, "TH", "rayong")
    assert row["description"] == "The supervisor shouted at us every day."
    assert row["urgent_reasons"] is None
    assert (row["anonymous"], row["share_name"], row["reporter_gender"]) == (0, 0, "man")


async def test_grievance_in_khmer_screener_marks_urgent_and_shows_numbers_at_once(bot):
    person = await onboarded(bot, "km")
    await person.press("📣 រាយការណ៍បញ្ហា")
    # The category itself says documents are kept: urgent at once, and not asked again.
    replies = await person.press("លិខិតឆ្លងដែន ឬឯកសារត្រូវបានគេយកទុក")
    assert "ប្រសិនបើអ្នក ឬអ្នកផ្សេងកំពុងមានគ្រោះថ្នាក់ឥឡូវនេះ" in replies[0].text
    for number in ("117", "1300", "191"):  # from data/directory.csv, emergency rows
        assert number in replies[0].text
    assert "សំណួរទី 1 នៃ 6" in replies[-1].text
    replies = await person.press("ទេ")  # could not leave when they wanted
    assert not any("117" in r.text for r in replies)  # a second sign shows no second warning
    replies = await answer_safety_questions(person)
    assert not any("117" in r.text for r in replies)
    replies = await person.send(voice=True)  # the description as a voice note
    assert "ភស្តុតាង" in replies[-1].text
    await person.press("✅ រួចរាល់")
    await person.press("🚌 តាមផ្លូវ ឬនៅព្រំដែន")
    await person.send("ប៉ោយប៉ែត")
    await person.press("🕶 កុំបញ្ចេញឈ្មោះខ្ញុំ")
    replies = await person.press("💬 សរសេរមកខ្ញុំក្នុងការជជែកនេះ")
    assert "អ្នករស់នៅខេត្តណា" in replies[-1].text  # anonymous: the sharing question is skipped
    await person.press("បាត់ដំបង")
    summary = (await person.press("ស្រី"))[-1]
    assert "⚠️ បន្ទាន់" in summary.text and "សារជាសំឡេង" in summary.text
    replies = await person.press("✅ បញ្ជាក់ និងផ្ញើ")
    assert "លេខយោងរបស់អ្នកគឺ G-0001" in replies[-1].text
    assert "117" in replies[-1].text
    [row] = await case_rows(bot, person)
    assert (row["urgent"], row["category"], row["country"], row["place"]) == (
        1, "documents", "border", "ប៉ោយប៉ែត")
    assert row["description"] is None and row["description_voice"]
    assert (row["anonymous"], row["share_name"], row["reporter_language"]) == (1, 0, "km")
    assert '"free_to_leave": "no"' in row["screener"] and "documents" not in row["screener"]
    assert row["urgent_reasons"] == "documents,not_free"


async def test_report_this_recruiter_starts_with_the_name_filled_in(bot):
    person = await onboarded(bot, "en")
    bot.app.user_data[person.id]["recruiter_to_report"] = "Golden Gate Manpower Co."
    replies = await person.press_data("report:recruiter")
    assert "Question 1 of 7:" in replies[-1].text
    replies = await answer_safety_questions(person, warn=("deceived",))
    assert "The recruiter, broker or company: Golden Gate Manpower Co." in replies[-1].text
    await person.press("✅ Keep this name")
    await person.send("They took 20000 baht and there was no job.")
    await person.press("✅ Done")
    await person.press("🇰🇭 In Cambodia")
    await person.press("⏭ Skip")
    await person.press("👤 Staff may know my name")
    await person.press("🚫 Do not contact me")
    await person.press("✅ Yes, they may share my name")
    await person.press_data("rp:home:unsaid")
    summary = (await person.press("⏭ I prefer not to say"))[-1]
    assert "Recruiter or broker: lies or fees" in summary.text
    assert "Golden Gate Manpower Co." in summary.text
    replies = await person.press("✅ Confirm and send")
    assert "look in My cases for news" in replies[-1].text
    [row] = await case_rows(bot, person)
    assert (row["category"], row["recruiter_name"], row["urgent"], row["contact"]) == (
        "recruiter", "Golden Gate Manpower Co.", 0, "none")  # deception alone: not urgent
    assert "recruiter_to_report" not in bot.app.user_data[person.id]


async def test_report_this_recruiter_without_a_name_asks_for_one(bot):
    person = await onboarded(bot, "km")
    await person.send("/menu")
    replies = await person.press_data("report:recruiter")
    assert "សំណួរទី 1" in replies[-1].text
    replies = await answer_safety_questions(person)
    assert "ឈ្មោះអ្វី" in replies[-1].text
    replies = await person.send("ABC")
    assert replies[-1].text.startswith("សូមប្រាប់ខ្ញុំពីអ្វីដែលបានកើតឡើង")


async def test_unpaid_wages_go_to_the_wage_claim_form(bot):
    person = await onboarded(bot, "en")
    await person.press("📣 Report a problem")
    replies = await person.press("Unpaid wages")
    assert replies[-1].text.endswith("Who was not paid?")
    assert bot.app.user_data[person.id]["report_draft"]["kind"] == "W"


async def test_description_checks_and_back_inside_the_screener(bot):
    person = await onboarded(bot, "en")
    await person.press("📣 Report a problem")
    await person.press("Debt and money lenders")
    await person.press_data("rp:scr:documents:no")
    replies = await person.press("⬅️ Back")
    assert "Question 1 of 7:" in replies[-1].text
    replies = await person.press_data("rp:scr:free_to_leave:no")  # an old button: asked again
    assert "Question 1 of 7:" in replies[-1].text
    assert "free_to_leave" not in bot.app.user_data[person.id]["report_draft"]["f"]["screener"]
    await answer_safety_questions(person)
    replies = await person.send(sticker=True)
    assert replies[0].text == "Please type it as a text message or send a voice note."
    replies = await person.send("x" * 5000)
    assert "I kept the first 3000 characters" in replies[0].text
    assert bot.app.user_data[person.id]["report_draft"]["f"]["description"] == "x" * 3000
