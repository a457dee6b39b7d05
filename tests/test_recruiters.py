"""Check a recruiter, through the running bot, in Khmer and English."""
from __future__ import annotations

import pytest

from tests.recruiter_data import load, load_sample

MENU = {"en": "🔎 Check a recruiter", "km": "🔎 ពិនិត្យក្រុមហ៊ុនជ្រើសរើសពលករ"}
AGAIN = {"en": "🔎 Check another", "km": "🔎 ពិនិត្យក្រុមហ៊ុនផ្សេងទៀត"}
MAIN = {"en": "🏠 Main menu", "km": "🏠 ម៉ឺនុយដើម"}
NOT_LOADED = {"en": "has not been loaded", "km": "មិនទាន់បានដាក់ចូល"}
ILLEGAL = {"en": "without a licence is illegal", "km": "គ្មានអាជ្ញាប័ណ្ណ គឺខុសច្បាប់"}


async def searcher(bot, language: str):
    """A person who chose `language` and opened Check a recruiter."""
    person = bot.person(language_code=language)
    await person.send("/start")
    await person.press("English" if language == "en" else "ភាសាខ្មែរ")
    replies = await person.press(MENU[language])
    assert replies[-1].labels == [MAIN[language]]
    return person


async def search(person, text: str):
    replies = await person.send(text)
    assert len(replies) == 1
    return replies[0]


def ends_with_check_another_and_menu(reply, language: str) -> bool:
    return reply.labels[-2:] == [AGAIN[language], MAIN[language]]


async def test_listed_and_active_in_english(bot):
    await load(bot.db)
    person = await searcher(bot, "en")
    reply = await search(person, "  bright HARVEST manpower co., ltd ")
    assert reply.text.startswith("✅ Bright Harvest Manpower Co., Ltd (ក្រុមហ៊ុន ពន្លឺចំការ) is on the list")
    for part in ("Licence number: TH-0101/2025", "Status: active", "Destinations: Thailand, Japan",
                 "Valid until: Dec 31, 2030", "you should never pay recruitment fees", "keep your passport",
                 "Source: Test list (fictional). List as of Oct 1, 2026."):
        assert part in reply.text
    assert ends_with_check_another_and_menu(reply, "en")
    again = await person.press(AGAIN["en"])
    assert again[-1].text.startswith("Type the name of the recruitment agency")


async def test_listed_and_active_in_khmer_typed_in_khmer_with_zero_width_spaces(bot):
    await load(bot.db)
    person = await searcher(bot, "km")
    reply = await search(person, "ក្រុមហ៊ុន\u200bពន្លឺ\u200bចំការ")
    assert reply.text.startswith("✅ ក្រុមហ៊ុន ពន្លឺចំការ (Bright Harvest Manpower Co., Ltd)")
    assert "ប្រទេសគោលដៅ៖ ថៃ, ជប៉ុន" in reply.text
    assert "អ្នកមិនគួរបង់ថ្លៃជ្រើសរើសពលករ" in reply.text and "ប្រភព៖ Test list (fictional)" in reply.text
    assert ends_with_check_another_and_menu(reply, "km")


async def test_zero_width_spaces_in_a_latin_name(bot):
    await load(bot.db)
    person = await searcher(bot, "en")
    reply = await search(person, "Jade\u200b Mountain\u200c Workers")
    assert reply.text.startswith("✅ Jade Mountain Workers Co., Ltd is on the list")


@pytest.mark.parametrize("language", ["en", "km"])
async def test_licence_number_with_khmer_digits_finds_a_suspended_agency(bot, language):
    await load(bot.db)
    person = await searcher(bot, language)
    reply = await search(person, "TH-០១០២/២០២៥")
    if language == "en":
        assert reply.text.startswith("⚠️ River Crane Recruitment Co., Ltd (ក្រុមហ៊ុន ក្រៀលទន្លេ) is on "
                                     "the list, but its licence is SUSPENDED.")
        assert "Status: suspended" in reply.text and "on 1297" in reply.text
    else:
        assert reply.text.startswith("⚠️ ក្រុមហ៊ុន ក្រៀលទន្លេ (River Crane Recruitment Co., Ltd)")
        assert "ត្រូវបានផ្អាក" in reply.text and "1297" in reply.text
    assert "2026" in reply.text  # the as-of date
    assert ends_with_check_another_and_menu(reply, language)


async def test_revoked_and_expired_by_date_are_warnings(bot):
    await load(bot.db)
    person = await searcher(bot, "en")
    reply = await search(person, "jade fountain workers")
    assert "licence has been REVOKED" in reply.text
    await person.press(AGAIN["en"])
    reply = await search(person, "Old Temple Manpower")  # listed active, valid until 2020
    assert "licence has EXPIRED" in reply.text and "Status: expired" in reply.text


@pytest.mark.parametrize("language", ["en", "km"])
async def test_approximate_offers_candidates_and_a_press_shows_the_answer(bot, language):
    await load(bot.db)
    person = await searcher(bot, language)
    typed = "Brigth Harvst" if language == "en" else "ពន្លឺចំកា"
    reply = await search(person, typed)
    if language == "en":
        assert reply.text.startswith(
            "I found no exact match for “Brigth Harvst”. These names are only similar.")
    else:
        assert "គ្រាន់តែស្រដៀង" in reply.text
    picks = [(label, data) for label, data in reply.buttons if data.startswith("rc:pick:")]
    assert 1 <= len(picks) <= 5
    assert "TH-0101/2025" in picks[0][0]
    answer = await person.press_data(picks[0][1], reply)
    assert answer[-1].text.startswith("✅")
    assert ends_with_check_another_and_menu(answer[-1], language)


async def test_none_of_these_answers_not_listed_and_is_logged(bot):
    await load(bot.db)
    person = await searcher(bot, "en")
    reply = await search(person, "Jade Mountian Workers")
    assert any(data.startswith("rc:pick:") for _, data in reply.buttons)
    answer = await person.press("None of these", reply)
    assert answer[-1].text.startswith("🚫 I did not find “Jade Mountian Workers”")
    kinds = [row[0] for row in await bot.db.fetchall(
        "SELECT result_kind FROM recruiter_searches ORDER BY id")]
    assert kinds == ["approximate", "unlisted"]


@pytest.mark.parametrize("language", ["en", "km"])
async def test_not_listed_is_a_strong_warning_with_1297(bot, language):
    await load(bot.db)
    person = await searcher(bot, language)
    reply = await search(person, "Shadow Crossing Agency")
    assert reply.text.startswith("🚫")
    assert ILLEGAL[language] in reply.text
    assert "1297" in reply.text and "www.mlvt.gov.kh" in reply.text and "117" in reply.text
    assert "Test list (fictional)" in reply.text and "2026" in reply.text
    assert ends_with_check_another_and_menu(reply, language)
    assert not any(data.startswith("rc:pick:") for _, data in reply.buttons)


@pytest.mark.parametrize("language", ["en", "km"])
async def test_empty_registry_says_the_official_list_is_not_loaded(bot, language):
    person = await searcher(bot, language)
    reply = await search(person, "Bright Harvest")
    assert NOT_LOADED[language] in reply.text
    assert "1297" in reply.text and "www.mlvt.gov.kh" in reply.text
    assert ILLEGAL[language] not in reply.text
    assert ends_with_check_another_and_menu(reply, language)


@pytest.mark.parametrize("language", ["en", "km"])
async def test_sample_only_registry_is_never_shown_as_the_official_list(bot, language):
    await load_sample(bot.db)
    person = await searcher(bot, language)
    reply = await search(person, "Demo Golden Lotus Manpower")
    assert reply.text.startswith("ℹ️") and NOT_LOADED[language] in reply.text
    assert "1297" in reply.text and "www.mlvt.gov.kh" in reply.text
    assert "🧪" in reply.text and "SAMPLE – fictional, not the MLVT list" in reply.text
    await person.press(AGAIN[language])
    unknown = await search(person, "Shadow Crossing Agency")
    assert NOT_LOADED[language] in unknown.text
    assert ILLEGAL[language] not in unknown.text and "🧪" not in unknown.text
    kinds = {row[0] for row in await bot.db.fetchall("SELECT result_kind FROM recruiter_searches")}
    assert kinds == {"sample"}  # never counted as real unlisted names


async def test_sql_and_wildcards_are_plain_text(bot):
    await load(bot.db)
    person = await searcher(bot, "en")
    reply = await search(person, "'; DROP TABLE recruiters; --")
    assert reply.text.startswith("🚫 I did not find “'; DROP TABLE recruiters; --”")
    await person.press(AGAIN["en"])
    for typed in ("%", "_"):  # answered by asking again: the bot keeps waiting for a name
        reply = await search(person, typed)
        assert reply.text.startswith("I could not find a name in that.")
        assert not any(data.startswith("rc:pick:") for _, data in reply.buttons)
    assert await bot.db.fetchval("SELECT COUNT(*) FROM recruiters") == 5
    reply = await search(person, "TH-0103/2025")  # still asking after the re-ask
    assert reply.text.startswith("✅ Jade Mountain Workers")


async def test_the_search_log_has_no_person_in_it(bot):
    await load(bot.db)
    person = await searcher(bot, "en")
    await search(person, "Shadow Crossing Agency")
    row = await bot.db.fetchone("SELECT * FROM recruiter_searches")
    columns = set(row.keys())
    assert columns == {"id", "query", "query_key", "result_kind", "searched_at"}
    assert (row["query"], row["query_key"], row["result_kind"]) == (
        "shadow crossing agency", "shadowcrossingagency", "unlisted")
    assert str(person.id) not in " ".join(str(value) for value in tuple(row))


async def test_other_input_while_asking_is_answered_kindly(bot):
    person = await searcher(bot, "en")
    replies = await person.send(sticker=True)
    assert replies[-1].text == "Please type the agency's name or licence number as text."
    replies = await person.press_data("menu:recruiters")  # the menu entry again, still asking
    assert replies[-1].text.startswith("Type the name of the recruitment agency")
    replies = await person.press_data("rc:none")  # an old button with nothing to answer about
    assert replies[-1].text == "Please search again: press Check another."
    replies = await person.send("/menu")
    assert "What would you like to do?" in replies[-1].text


async def test_a_button_from_an_older_list_does_not_show_another_agency(bot):
    await load(bot.db)
    person = await searcher(bot, "en")
    reply = await search(person, "Brigth Harvst")
    pick = next(data for _, data in reply.buttons if data.startswith("rc:pick:"))
    await load(bot.db)  # a new import: every agency gets a new id
    answer = await person.press_data(pick, reply)
    assert answer[-1].text.startswith("The list has been updated since then")
    assert ends_with_check_another_and_menu(answer[-1], "en")


@pytest.mark.parametrize("language", ["en", "km"])
async def test_report_this_recruiter_opens_the_grievance_with_the_name(bot, language):
    await load(bot.db)
    person = await searcher(bot, language)
    reply = await search(person, "Shadow Crossing Agency")
    label = {"en": "📝 Report this recruiter", "km": "📝 រាយការណ៍អំពីក្រុមហ៊ុននេះ"}[language]
    assert reply.labels[0] == label
    replies = await person.press(label, reply)
    first_question = {"en": "Question 1 of 7:", "km": "សំណួរទី 1"}[language]
    assert first_question in replies[-1].text
    assert bot.app.user_data[person.id]["report_draft"]["f"]["recruiter_name"] == \
        "Shadow Crossing Agency"


async def test_sample_registry_offers_no_report_button(bot):
    person = await searcher(bot, "en")
    reply = await search(person, "Bright Harvest")
    assert "report:recruiter" not in [data for _, data in reply.buttons]
