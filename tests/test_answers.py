"""The answers topics through the bot: emergency numbers by country, the benefits check."""
from __future__ import annotations

from tests.harness import Reply


async def menu_for(bot, language: str):
    person = bot.person(language_code=language)
    await person.send("/start")
    await person.press("English" if language == "en" else "ភាសាខ្មែរ")
    return person


def text_of(replies: list[Reply]) -> str:
    return "\n".join(reply.text for reply in replies)


async def test_help_now_is_first_in_the_main_menu(bot):
    person = await menu_for(bot, "km")
    assert person.last.buttons[0] == ("🆘 ខ្ញុំត្រូវការជំនួយឥឡូវនេះ", "menu:now")


async def test_help_now_in_thailand_gives_thai_numbers_and_never_117(bot):
    for language, thailand in (("en", "🇹🇭 In Thailand"), ("km", "🇹🇭 នៅប្រទេសថៃ")):
        person = await menu_for(bot, language)
        await person.press_data("menu:now")
        replies = await person.press(thailand)
        text = text_of(replies)
        for number in ("191", "1300", "1669"):
            assert number in text, (language, number)
        assert "117" not in text
        # Back (asks where again) and Main menu
        assert [data for _label, data in replies[-1].buttons] == ["now", "menu"]


async def test_help_now_in_cambodia_gives_117_and_no_thai_numbers(bot):
    person = await menu_for(bot, "en")
    await person.press_data("menu:now")
    replies = await person.press("🇰🇭 In Cambodia")
    text = text_of(replies)
    assert "117" in text and "When you call, say:" in text
    for number in ("191", "1300", "1669"):
        assert number not in text


async def answer_check(person, where, card, work, loan, health, household=(), support="no"):
    await person.press_data("menu:benefits")
    await person.press_data("ben:start")
    for question, answer in (("where", where), ("card", card), ("work", work),
                             ("loan", loan), ("health", health), ("support", support)):
        await person.press_data(f"ben:a:{question}:{answer}")
    for member in household:
        await person.press_data(f"ben:hh:{member}")
    replies = await person.press_data("ben:hh:done")
    pages = [replies[-1]]
    while f"ben:r:{len(pages)}" in [data for _label, data in pages[-1].buttons]:  # Next
        pages.append((await person.press_data(f"ben:r:{len(pages)}"))[-1])
    return "\n".join(page.text for page in pages)


async def test_benefits_check_ends_in_a_list_that_depends_on_the_answers(bot):
    person = await menu_for(bot, "en")
    needs = await answer_check(person, "kh", "no", "both", "bank", "no", ("baby", "school"))
    assert "Your list" in needs
    for name in ("Job registration", "Skills certificate (RPL)", "Equity Card", "Family Package",
                 "NSSF voluntary health cover", "Loan restructuring", "School for children"):
        assert name in needs, name
    assert "1297" in needs and "1286" in needs and "idpoor.gov.kh" in needs
    assert "does not harm your credit history" in needs
    assert "still in Thailand" not in needs

    few = await answer_check(person, "th", "yes", "job", "no", "yes")
    assert "Job registration" in few and "1297" in few
    for name in ("Skills certificate", "Equity Card (IDPoor", "Family Package", "NSSF voluntary",
                 "Loan restructuring", "School for children"):
        assert name not in few, name
    assert "You are still in Thailand" in few and "1546" in few

    nothing = await answer_check(person, "kh", "yes", "none", "no", "yes")
    assert "nothing on our list fits right now" in nothing


async def test_skills_courses_give_no_number_that_the_sources_do_not_support(bot):
    person = await menu_for(bot, "en")
    skills = await answer_check(person, "kh", "yes", "skills", "no", "yes")
    assert "Skills certificate (RPL)" in skills and "1297" not in skills  # §1a: 1297 is jobs
    assert "Hotline staff can put you in touch" in skills
    jobs = await answer_check(person, "kh", "yes", "job", "no", "yes")
    assert "Job centres and job fairs" in jobs and "National Employment Agency" in jobs


async def test_debts_are_told_apart(bot):
    person = await menu_for(bot, "en")
    bank = await answer_check(person, "kh", "yes", "none", "bank", "yes")
    assert "Loan restructuring" in bank and "online loan" not in bank
    online = await answer_check(person, "kh", "yes", "none", "online", "yes")
    assert "Do not repay an illegal online loan" in online and "Loan restructuring" not in online
    assert "report it to the authorities" in online
    broker = await answer_check(person, "kh", "yes", "none", "broker", "yes")
    assert "debt bondage" in broker and "Loan restructuring" not in broker
    assert "report:debt" in [data for _label, data in person.latest_with_buttons().buttons]
    # The button opens a report about the debt, which goes to the safety questions.
    replies = await person.press_data("report:debt")
    assert "Question 1 of 7:" in replies[-1].text
    assert bot.app.user_data[person.id]["report_draft"]["f"]["category"] == "debt"


async def test_counselling_and_peer_support_are_offered_through_staff(bot):
    for language, names in (("en", ("Counselling for stress and worry", "Peer support from "
                                    "other women", "Migrant Worker Resource Centres")),
                            ("km", ("ការប្រឹក្សាសម្រាប់ភាពតានតឹង", "ការគាំទ្រពីស្ត្រីផ្សេងទៀត",
                                    "មជ្ឈមណ្ឌលធនធានសម្រាប់ពលករចំណាកស្រុក"))):
        person = await menu_for(bot, language)
        text = await answer_check(person, "kh", "yes", "none", "no", "yes", support="yes")
        for name in names:
            assert name in text, (language, name)
        assert "Koh Kong" in text or "កោះកុង" in text


async def test_help_now_in_cambodia_names_the_child_helpline_and_staff_referrals(bot):
    for language, expected in (("en", "Hotline staff can also put you in touch with "
                                      "counselling"),
                               ("km", "បុគ្គលិកសេវាជំនួយក៏អាចជួយភ្ជាប់ទំនាក់ទំនងអ្នក")):
        person = await menu_for(bot, language)
        await person.press_data("menu:now")
        replies = await person.press_data("now:KH")
        text = text_of(replies)
        assert expected in text and "1280" in text


async def test_benefits_check_in_khmer_and_its_answers_are_kept_as_json(bot):
    person = await menu_for(bot, "km")
    text = await answer_check(person, "kh", "unsure", "job", "bank", "yes", ("older",))
    assert "ប័ណ្ណសមធម៌" in text and "ការរៀបចំឥណទានឡើងវិញ" in text and "1297" in text
    stored = bot.app.user_data[person.id]["benefits_check"]
    assert stored == {"where": "kh", "card": "unsure", "work": "job", "loan": "bank",
                      "health": "yes", "support": "no", "household": ["older"],
                      "household_done": True}


async def test_an_old_or_forged_benefits_button_asks_the_next_open_question(bot):
    person = await menu_for(bot, "en")
    await person.press_data("ben:start")
    replies = await person.press_data("ben:r:5")  # the list before any answer
    assert "Where are you now?" in replies[-1].text
    replies = await person.press_data("ben:a:where:mars")
    assert "Where are you now?" in replies[-1].text
    await person.press_data("ben:a:where:kh")
    replies = await person.press_data("ben:a:card:yes")
    assert "Question 3 of 7" in replies[-1].text
    assert ("⬅️ Back", "ben:q:card") in replies[-1].buttons


async def test_household_members_are_ticked_and_unticked(bot):
    person = await menu_for(bot, "en")
    await person.press_data("ben:start")
    await person.press_data("ben:hh:baby")
    replies = await person.press_data("ben:hh:older")
    assert "✅ A pregnant woman or a child under 2" in replies[-1].labels
    assert "✅ A person aged 60 or older" in replies[-1].labels
    replies = await person.press_data("ben:hh:baby")
    assert "⬜ A pregnant woman or a child under 2" in replies[-1].labels
    assert "Done ➡️" in replies[-1].labels


async def test_topics_page_through_with_next_and_back(bot):
    person = await menu_for(bot, "en")
    replies = await person.press_data("menu:wages")
    assert "1546" in replies[-1].text and "Page 1 of 4" in replies[-1].text
    replies = await person.press("Next ➡️")
    assert "two years after the wages were due" in replies[-1].text
    replies = await person.press("Next ➡️")
    assert "payslips" in replies[-1].text
    replies = await person.press("Next ➡️")
    assert "lscw.org" in replies[-1].text and "central-cambodia.org" in replies[-1].text
    assert "Next ➡️" not in replies[-1].labels
    replies = await person.press("⬅️ Back")
    assert "payslips" in replies[-1].text
    replies = await person.press_data("sm:warning:7")  # an old page number: the topic again
    assert "Choose a topic" in replies[-1].text


async def test_safe_migration_never_states_the_border_status(bot):
    person = await menu_for(bot, "en")
    replies = await person.press_data("sm:legal:0")
    text = replies[-1].text.lower()
    assert "www.mlvt.gov.kh" in text and "1297" in text
    for claim in ("is open", "are open", "is closed", "are closed", "reopened"):
        assert claim not in text


async def test_documents_come_from_the_data_file_and_never_quote_a_fee(bot):
    person = await menu_for(bot, "km")
    replies = await person.press_data("menu:documents")
    assert [d for _l, d in replies[-1].buttons][:4] == [
        "doc:national_id", "doc:family_book", "doc:residence_book", "doc:passport"]
    replies = await person.press_data("doc:passport")
    assert "លិខិតឆ្លងដែន" in replies[-1].text and "បង្កាន់ដៃ" in replies[-1].text
    for currency in ("$", "៛", "USD", "riel", "រៀល", "ដុល្លារ"):
        assert currency not in replies[-1].text
