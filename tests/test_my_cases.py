"""My cases: own cases only, their status in the person's language, adding to one."""
from __future__ import annotations

from tests.intake_helpers import (
    answer_safety_questions,
    case_rows,
    onboarded,
    walk_wage_claim_en,
)

NOT_UNDERSTOOD = ("Sorry, I did not understand that. Did you mean one of these? "
                  "You can also write to hotline staff.")


async def report_quick_grievance(person, text: str = "They kept my passport.") -> None:
    await person.send("/menu")
    await person.press_data("menu:report")
    await person.press_data("rp:cat:other")
    await answer_safety_questions(person)
    await person.send(text)
    await person.press_data("rp:done")
    await person.press_data("rp:where:KH")
    await person.press_data("rp:skip")
    await person.press_data("rp:anon:named")
    await person.press_data("rp:contact:chat")
    await person.press_data("rp:share:no")
    if "rp:home:unsaid" in [data for _, data in person.latest_with_buttons().buttons]:
        await person.press_data("rp:home:unsaid")
    if "rp:gender:woman" in [data for _, data in person.latest_with_buttons().buttons]:
        await person.press_data("rp:gender:woman")
    await person.press("✅ Confirm and send" if person.user.get("language_code") == "en"
                       else "✅ បញ្ជាក់ និងផ្ញើ")


async def test_my_cases_lists_own_cases_with_their_status(bot):
    person = await onboarded(bot, "en")
    replies = await person.send("/mycases")
    assert replies[-1].text == "You have not sent a report yet."
    assert replies[-1].labels[:2] == ["💸 I was not paid", "📣 Report a problem"]
    await walk_wage_claim_en(person)
    await person.press("✅ Confirm and send")
    await report_quick_grievance(person)
    replies = await person.press("📂 My cases")
    listing = replies[-1]
    assert "G-0001 · Something else: Received: waiting for hotline staff" in listing.text
    assert "W-0001 · Unpaid wages: Received: waiting for hotline staff" in listing.text
    assert listing.text.index("G-0001") < listing.text.index("W-0001")  # newest first
    assert listing.labels[:2] == ["📂 G-0001", "📂 W-0001"]

    replies = await person.press("📂 W-0001")
    assert "Status: Received: waiting for hotline staff" in replies[-1].text
    assert "Golden Seafood Co." in replies[-1].text and "2 file(s)" in replies[-1].text
    await person.press("✍️ Add a message or proof")
    replies = await person.send("The employer called me yesterday.")
    assert replies[-1].text == "Added to W-0001. Send more, or press Done."
    await person.send(photo=True)
    replies = await person.send(sticker=True)
    assert replies[-1].text.startswith("Please type a message, or send photos")
    replies = await person.press("✅ Done")
    assert "Messages you added: 1" in replies[-1].text and "3 file(s)" in replies[-1].text
    [wage, _] = await case_rows(bot, person)
    messages = await bot.db.fetchall("SELECT * FROM case_messages WHERE case_id = ?", (wage["id"],))
    assert [(m["sender"], m["text"]) for m in messages] == [
        ("reporter", "The employer called me yesterday.")]
    later = await bot.db.fetchval(
        "SELECT COUNT(*) FROM case_evidence WHERE case_id = ? AND later = 1", (wage["id"],))
    assert later == 1


async def test_my_cases_in_khmer(bot):
    person = await onboarded(bot, "km")
    await report_quick_grievance(person, "ចៅហ្វាយយកលិខិតឆ្លងដែនខ្ញុំ")
    replies = await person.send("/mycases")
    assert "G-0001 · រឿងផ្សេងទៀត: បានទទួល៖ កំពុងរង់ចាំបុគ្គលិកសេវាជំនួយ" in replies[-1].text
    await bot.db.execute_write("UPDATE cases SET status = 'waiting' WHERE reporter_id = ?",
                               (person.id,))
    replies = await person.press("📂 G-0001")
    assert "ស្ថានភាព៖ បុគ្គលិកកំពុងរង់ចាំចម្លើយរបស់អ្នក" in replies[-1].text
    assert "ចៅហ្វាយយកលិខិតឆ្លងដែនខ្ញុំ" in replies[-1].text


async def test_nobody_opens_or_adds_to_someone_elses_case(bot):
    owner = await onboarded(bot, "en")
    await report_quick_grievance(owner, "Secret details about my boss.")
    [case] = await case_rows(bot, owner)
    other = await onboarded(bot, "en")
    await other.send("/mycases")
    refusals = []
    for data in (f"mc:open:{case['id']}", f"mc:add:{case['id']}", "mc:open:999999",
                 "mc:add:0"):
        replies = await other.press_data(data)
        refusals.append(replies[-1].text)
    assert set(refusals) == {"I cannot find that report among yours."}
    # Forged ids that are not numbers, and a confirm with someone else's draft id.
    await other.press_data("mc:open:1;DROP")
    replies = await other.press_data(f"rp:confirm:{case['draft_id']}")
    assert "G-0001" not in replies[-1].text
    everything = "\n".join(r.text for r in other.chat)
    assert "Secret details" not in everything and "G-0001" not in everything
    assert len(await case_rows(bot, other)) == 0
    messages = await bot.db.fetchval("SELECT COUNT(*) FROM case_messages")
    assert messages == 0


async def test_adding_to_a_case_checks_the_owner_again(bot):
    """A case id put in user_data by hand (or left from before) is checked on every message."""
    owner = await onboarded(bot, "en")
    await report_quick_grievance(owner)
    [case] = await case_rows(bot, owner)
    other = await onboarded(bot, "en")
    await report_quick_grievance(other)
    await other.send("/mycases")
    await other.press_data(f"mc:add:{case['id'] + 1}")  # their own case
    bot.app.user_data[other.id]["mc_case"] = case["id"]  # tampered
    replies = await other.send("Let me in")
    assert replies[-1].text == "I cannot find that report among yours."
    assert await bot.db.fetchval("SELECT COUNT(*) FROM case_messages") == 0


async def test_an_unfinished_report_can_be_continued_from_my_cases(bot):
    person = await onboarded(bot, "en")
    await person.press("💸 I was not paid")
    await person.press("🙋 Myself: I was not paid")
    replies = await person.send("/mycases")
    assert "📝 Continue your unfinished report" in replies[-1].labels
    replies = await person.press("📝 Continue your unfinished report")
    assert replies[-1].text.startswith("In which province")


async def test_another_menu_button_leaves_the_form_and_keeps_the_draft(bot):
    person = await onboarded(bot, "en")
    menu = person.latest_with_buttons()
    await person.press("💸 I was not paid")
    await person.press("🙋 Myself: I was not paid")
    replies = await person.press("❓ Help", menu)  # an older menu message
    assert replies[-1].text.startswith("This bot can help you with:")
    replies = await person.send("Rayong")  # the form was left: not taken as an answer
    assert replies[-1].text == NOT_UNDERSTOOD
    assert bot.app.user_data[person.id]["report_draft"]["step"] == "province"
