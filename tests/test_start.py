"""First contact, language choice, menu, help, about, cancel and bad input, through the bot."""
from __future__ import annotations

from tests.harness import BotHarness
from tests.intake_helpers import onboarded

NOT_UNDERSTOOD = ("Sorry, I did not understand that. Did you mean one of these? "
                  "You can also write to hotline staff.")


async def test_start_greets_in_khmer_by_default(bot):
    person = bot.person(language_code=None)
    replies = await person.send("/start")
    assert len(replies) == 1
    assert "សួស្តី" in replies[0].text
    assert "សម្ងាត់" in replies[0].text  # says it is kept private
    assert replies[0].labels == ["ភាសាខ្មែរ", "English"]


async def test_start_greets_in_english_when_the_app_is_english(bot):
    person = bot.person(language_code="en-US")
    replies = await person.send("/start")
    assert replies[0].text.startswith("Hello! This is a hotline")
    assert "seen only by hotline staff" in replies[0].text


async def test_choosing_english_shows_the_menu_in_english(bot):
    person = bot.person(language_code="km")
    await person.send("/start")
    replies = await person.press("English")
    assert "I will write to you in English." in replies[-1].text
    assert "❓ Help" in replies[-1].labels
    help_replies = await person.press("❓ Help")
    assert "In an emergency in Cambodia, call:" in help_replies[-1].text
    assert "117" in help_replies[-1].text


async def test_choice_is_stored_with_consent_time(bot):
    person = bot.person(language_code="en")
    await person.send("/start")
    await person.press("ភាសាខ្មែរ")
    row = await bot.db.fetchone("SELECT * FROM users WHERE telegram_id = ?", (person.id,))
    assert row["language"] == "km" and row["language_chosen"] == 1
    assert row["consent_at"] is not None
    replies = await person.send("/help")
    assert "ពេលមានអាសន្ននៅប្រទេសកម្ពុជា" in replies[-1].text


async def test_language_is_remembered_after_a_restart(settings, fake_api):
    async with BotHarness.started(settings, fake_api) as bot:
        person = bot.person(language_code="km", user_id=300_001)
        await person.send("/start")
        await person.press("English")
    async with BotHarness.started(settings, fake_api) as bot:
        person = bot.person(language_code="km", user_id=300_001)
        replies = await person.send("something odd")
        assert replies[-1].text == NOT_UNDERSTOOD


async def test_every_menu_entry_answers_in_both_languages(bot):
    for code, menu_label in (("km", "🏠 ម៉ឺនុយដើម"), ("en", "🏠 Main menu")):
        person = bot.person(language_code=code)
        await person.send("/start")
        await person.press("ភាសាខ្មែរ" if code == "km" else "English")
        menu = person.latest_with_buttons()
        for label, data in menu.buttons:
            replies = await person.press_data(data, menu)
            assert replies, f"menu entry {label!r} gave no answer"
            assert replies[-1].buttons, f"menu entry {label!r} is a dead end"
        assert any(menu_label in r.labels for r in person.chat)


async def test_commands_work_from_any_state(bot):
    person = bot.person(language_code="en")
    for command in ("/menu", "/help", "/language", "/cancel", "/start"):
        replies = await person.send(command)
        assert replies and replies[-1].buttons, command
    assert "Stopped." in person.chat[-2].text or any("Stopped." in r.text for r in person.chat)


async def test_anything_not_understood_gets_an_answer_and_the_menu(bot):
    person = await onboarded(bot, "km")
    for content in ({"sticker": True}, {"location": (13.1, 103.2)}, {"text": "x" * 4096},
                    {"text": "qwzx plorb"}):
        replies = await person.send(**content)
        assert len(replies) == 1, content
        assert replies[0].text.startswith("សូមទោស ខ្ញុំមិនយល់ទេ")
        # never only the menu again: likely topics, and a way to write to staff
        assert "💬 សរសេរទៅបុគ្គលិកខ្សែទូរស័ព្ទជំនួយ" in replies[0].labels
        assert len(replies[0].buttons) == 5


async def test_a_stale_or_forged_button_gets_the_menu(bot):
    person = await onboarded(bot, "en")
    replies = await person.press_data("no-such:button")
    assert replies[-1].text == "That button no longer works. Here is the menu."
    assert bot.api.answered_callbacks  # the spinner is stopped


async def test_a_button_before_consent_gets_the_privacy_greeting(bot):
    person = bot.person(language_code="en")
    await person.send("/start")
    replies = await person.press_data("no-such:button")
    assert "Choosing it means you agree to this." in replies[-1].text
    assert bot.api.answered_callbacks


async def test_commands_and_descriptions_are_registered_in_both_languages(bot):
    assert {c["command"] for c in bot.api.commands[""]} >= {"start", "menu", "help", "language", "cancel"}
    khmer = {c["command"]: c["description"] for c in bot.api.commands["km"]}
    assert khmer["language"] == "ប្តូរភាសា"
    assert bot.api.descriptions[("description", "km")].startswith("សេវាជំនួយ")
    assert bot.api.descriptions[("short", "")].startswith("Help for Cambodian workers")
