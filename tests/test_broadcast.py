"""Admins broadcast safety alerts through the bot; the outbox sender delivers them."""
from __future__ import annotations

import pytest

from storage import broadcasts
from tests.alerts_helpers import (
    ADMIN_ID,
    add_subscribers,
    alerts_to,
    compose,
    fast,
    latest_broadcast_id,
    wait_for_status,
    wait_until,
)
from tests.harness import BotHarness


@pytest.fixture
async def bot(settings, fake_api):
    async with BotHarness.started(fast(settings), fake_api) as harness:
        yield harness


async def test_admin_broadcasts_to_subscribers_in_both_languages(bot):
    khmer = await add_subscribers(bot.db, bot.api, 2, "km")
    english = await add_subscribers(bot.db, bot.api, 2, "en")
    said_no = await add_subscribers(bot.db, bot.api, 1, "en", subscribed=False)
    admin = bot.person(language_code="en", user_id=ADMIN_ID)
    preview = await compose(bot, admin)
    assert [r.text.split("\n\n")[1] for r in preview[:2]] == [
        "ប្រយ័ត្ន ការងារក្លែងក្លាយ", "Beware of fake job offers"]
    assert "It will go to 4 people." in preview[-1].text
    await admin.press("✅ Confirm and send")
    broadcast_id = await latest_broadcast_id(bot.db)
    await wait_for_status(bot.db, broadcast_id)
    for person in khmer:
        [alert] = alerts_to(bot.api, person)
        assert alert.text == preview[0].text
    for person in english:
        [alert] = alerts_to(bot.api, person)
        assert alert.text == preview[1].text and alert.labels == ["🔕 Stop alerts"]
    assert alerts_to(bot.api, said_no[0]) == []
    figures = await broadcasts.figures(bot.db, broadcast_id)
    assert (figures.sent, figures.failed, figures.blocked, figures.queued) == (4, 0, 0, 0)


async def test_progress_message_ends_with_the_figures_and_broadcasts_lists_them(bot):
    await add_subscribers(bot.db, bot.api, 3, "km")
    admin = bot.person(language_code="en", user_id=ADMIN_ID)
    await compose(bot, admin)
    replies = await admin.press("✅ Confirm and send")
    progress = replies[-1]
    assert progress.text.startswith("📣 Broadcast #")
    assert progress.labels == ["⏸ Pause", "⏹ Cancel"]
    broadcast_id = await latest_broadcast_id(bot.db)
    await wait_for_status(bot.db, broadcast_id)
    shown = (ADMIN_ID, progress.raw["message_id"])
    # the last edit is an outbox row, queued once the broadcast is done
    await wait_until(lambda: "finished" in bot.api.messages[shown]["text"])
    final = bot.api.messages[shown]
    assert f"#{broadcast_id} to all subscribers: finished" in final["text"]
    assert "Sent 3 · failed 0 · blocked 0 · not sent yet 0 (of 3)" in final["text"]
    assert "reply_markup" not in final  # nothing left to pause or cancel
    listing = await admin.send("/broadcasts")
    assert f"#{broadcast_id} · " in listing[-1].text
    assert "Sent 3 · failed 0" in listing[-1].text


async def test_an_admin_who_reads_khmer_composes_in_khmer(bot):
    [english] = await add_subscribers(bot.db, bot.api, 1, "en")
    admin = bot.person(language_code="km", user_id=ADMIN_ID)
    replies = await admin.send("/broadcast")
    assert replies[-1].text == "📣 ការជូនដំណឹងសុវត្ថិភាពថ្មី។ តើនរណាគួរទទួលបាន?"
    preview = await compose(bot, admin, audience="អ្នកចុះឈ្មោះទាំងអស់")
    assert preview[0].text.startswith("🔔 ការជូនដំណឹងសុវត្ថិភាពពីសេវាជំនួយ")  # Khmer reader's view
    assert preview[1].text.startswith("🔔 Safety alert from the hotline")  # English reader's view
    assert "វានឹងផ្ញើទៅមនុស្ស 1 នាក់។" in preview[-1].text
    replies = await admin.press("✅ បញ្ជាក់ និងផ្ញើ")
    assert replies[-1].labels == ["⏸ ផ្អាក", "⏹ បញ្ឈប់"]
    await wait_for_status(bot.db, await latest_broadcast_id(bot.db))
    [alert] = alerts_to(bot.api, english)
    assert alert.text == preview[1].text


async def test_a_missing_text_falls_back_to_the_other_and_the_preview_says_so(bot):
    khmer = await add_subscribers(bot.db, bot.api, 1, "km")
    admin = bot.person(language_code="en", user_id=ADMIN_ID)
    preview = await compose(bot, admin, km=None)
    assert "There is no Khmer text: people who read Khmer will get the English text." in preview[-1].text
    assert "Beware of fake job offers" in preview[0].text  # the Khmer reader's view
    await admin.press("✅ Confirm and send")
    await wait_for_status(bot.db, await latest_broadcast_id(bot.db))
    [alert] = alerts_to(bot.api, khmer[0])
    assert "Beware of fake job offers" in alert.text
    assert alert.text == preview[0].text


async def test_english_cannot_be_skipped_when_there_is_no_khmer(bot):
    admin = bot.person(language_code="en", user_id=ADMIN_ID)
    await admin.send("/broadcast")
    await admin.press("All subscribers")
    await admin.press("Skip")
    replies = await admin.press_data("bc:skip")
    assert replies[-1].text.startswith("Send the alert text in English")
    replies = await admin.send(photo=True)  # not a text: asked again, kindly
    assert replies[0].text == "Sorry, that is not what I asked for."
    assert replies[-1].text.startswith("Send the alert text in English")


async def test_province_and_language_audiences(bot):
    battambang = await add_subscribers(bot.db, bot.api, 2, "km", province="battambang")
    elsewhere = await add_subscribers(bot.db, bot.api, 1, "km", province="kampot")
    english = await add_subscribers(bot.db, bot.api, 1, "en", province="battambang")
    admin = bot.person(language_code="en", user_id=ADMIN_ID)
    preview = await compose(bot, admin, audience="Subscribers from one province",
                            province="Battambang")
    assert "Audience: subscribers from Battambang." in preview[-1].text
    assert "It will go to 3 people." in preview[-1].text
    await admin.press("✅ Confirm and send")
    await wait_for_status(bot.db, await latest_broadcast_id(bot.db))
    assert [len(alerts_to(bot.api, p)) for p in battambang + elsewhere + english] == [1, 1, 0, 1]

    preview = await compose(bot, admin, audience="Subscribers who read English")
    assert len(preview) == 2  # one preview (English) and the summary
    assert "It will go to 1 people." in preview[-1].text
    await admin.press("✅ Confirm and send")
    await wait_for_status(bot.db, await latest_broadcast_id(bot.db))
    assert len(alerts_to(bot.api, english[0])) == 2
    assert len(alerts_to(bot.api, elsewhere[0])) == 0


async def test_a_photo_goes_with_the_text_as_caption(bot):
    [person] = await add_subscribers(bot.db, bot.api, 1, "en")
    admin = bot.person(language_code="en", user_id=ADMIN_ID)
    preview = await compose(bot, admin, photo=True)
    assert "photo" in preview[0].raw and preview[0].text.startswith("🔔")
    await admin.press("✅ Confirm and send")
    await wait_for_status(bot.db, await latest_broadcast_id(bot.db))
    [alert] = alerts_to(bot.api, person)
    assert alert.raw["method"] == "sendPhoto"
    assert alert.raw["photo"][0]["file_id"] == preview[0].raw["photo"][0]["file_id"]
    assert "Beware of fake job offers" in alert.text


async def test_discard_sends_nothing(bot):
    [person] = await add_subscribers(bot.db, bot.api, 1, "en")
    admin = bot.person(language_code="en", user_id=ADMIN_ID)
    await compose(bot, admin)
    replies = await admin.press("✖️ Discard")
    assert replies[-1].text.startswith("Discarded. Nothing was sent.")
    assert await bot.db.fetchval("SELECT COUNT(*) FROM broadcasts") == 0
    assert alerts_to(bot.api, person) == []


async def test_a_non_admin_cannot_broadcast_and_learns_nothing(bot):
    [subscriber] = await add_subscribers(bot.db, bot.api, 1, "en")
    person = bot.person(language_code="en")
    await person.send("/start")
    await person.press("English")  # past the privacy notice: what a returnee would see
    unknown = await person.send("/nonsense")
    for command in ("/broadcast", "/broadcasts"):
        replies = await person.send(command)
        assert [r.text for r in replies] == [r.text for r in unknown]
    replies = await person.press_data("bc:aud:all", unknown[-1])
    assert replies[-1].text == "That button no longer works. Here is the menu."
    replies = await person.press_data("bc:confirm", unknown[-1])
    assert replies[-1].text == "That button no longer works. Here is the menu."
    admin = bot.person(language_code="en", user_id=ADMIN_ID)
    await compose(bot, admin)
    await admin.press("✅ Confirm and send")
    broadcast_id = await latest_broadcast_id(bot.db)
    replies = await person.press_data(f"bc:stop:{broadcast_id}", unknown[-1])
    assert replies[-1].text == "That button no longer works. Here is the menu."
    await wait_for_status(bot.db, broadcast_id)
    assert len(alerts_to(bot.api, subscriber)) == 1
    assert alerts_to(bot.api, person.id) == []


async def test_broadcast_commands_are_not_advertised(bot):
    assert not {"broadcast", "broadcasts"} & {c["command"] for c in bot.api.commands[""]}
    assert "alerts" in {c["command"] for c in bot.api.commands["km"]}


async def test_cancel_leaves_the_composer(bot):
    admin = bot.person(language_code="en", user_id=ADMIN_ID)
    await admin.send("/broadcast")
    await admin.press("All subscribers")
    replies = await admin.send("/cancel")
    assert replies[-1].text.startswith("Stopped.")
    replies = await admin.send("Beware of fake job offers")  # no longer taken as alert text
    assert replies[-1].buttons and not any(data.startswith("bc:") for _, data in
                                           replies[-1].buttons)


async def test_the_previews_stop_button_unsubscribes_nobody(bot):
    admin = bot.person(language_code="en", user_id=ADMIN_ID)
    await add_subscribers(bot.db, bot.api, 1, "en")
    await admin.send("/start")
    await admin.press("English")
    question = next(r for r in admin.chat if "✅ Yes, send me alerts" in r.labels)
    await admin.press("✅ Yes, send me alerts", question)
    assert await bot.db.fetchval("SELECT subscribed FROM subscribers WHERE telegram_id = ?",
                                 (ADMIN_ID,)) == 1
    preview = await compose(bot, admin)
    english_view = preview[1]
    assert english_view.labels == ["🔕 Stop alerts"]  # looks exactly as subscribers see it
    await admin.press("🔕 Stop alerts", english_view)
    assert bot.api.answered_callbacks[-1]["text"].startswith("This is the preview")
    assert await bot.db.fetchval("SELECT subscribed FROM subscribers WHERE telegram_id = ?",
                                 (ADMIN_ID,)) == 1


@pytest.mark.parametrize("km, en, bad", [
    ("ហៅលេខ ១២៨៨ ដើម្បីរាយការណ៍", "Call 1297 for jobs", "1288"),   # Khmer digits
    ("ប្រយ័ត្ន", "Jobs at www.fake-jobs.example.org, call 081 37 38 39",
     "081373839, www.fake-jobs.example.org"),
])
async def test_an_alert_with_an_unverified_number_or_address_is_refused_at_confirm(
        bot, km, en, bad):
    [person] = await add_subscribers(bot.db, bot.api, 1, "en")
    admin = bot.person(language_code="en", user_id=ADMIN_ID)
    await compose(bot, admin, km=km, en=en)
    replies = await admin.press("✅ Confirm and send")
    assert replies[-1].text.startswith("Not sent: the alert shows ")
    for item in bad.split(", "):
        assert item in replies[-1].text
    assert await bot.db.fetchval("SELECT COUNT(*) FROM broadcasts") == 0
    assert alerts_to(bot.api, person) == []
    replies = await admin.press("✖️ Discard")  # the admin can leave (or fix the directory)
    assert replies[-1].text.startswith("Discarded. Nothing was sent.")


async def test_an_alert_with_verified_numbers_goes_out(bot):
    [person] = await add_subscribers(bot.db, bot.api, 1, "en")
    admin = bot.person(language_code="en", user_id=ADMIN_ID)
    await compose(bot, admin, km="ហៅលេខ ១២៩៧", en="Call 1297 or see www.mlvt.gov.kh")
    await admin.press("✅ Confirm and send")
    await wait_for_status(bot.db, await latest_broadcast_id(bot.db))
    [alert] = alerts_to(bot.api, person)
    assert "1297" in alert.text
