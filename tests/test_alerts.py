"""Subscribers: the onboarding question (once), /alerts on and off, home province, Stop alerts."""
from __future__ import annotations

import pytest

from bot.content.provinces_kh import ProvinceError, load_provinces, provinces
from storage import subscribers


async def test_onboarding_asks_once_then_shows_the_menu(bot):
    person = bot.person(language_code="en")
    await person.send("/start")
    replies = await person.press("English")
    assert replies[0].text.startswith("Would you like safety alerts from the hotline?")
    assert replies[0].labels == ["✅ Yes, send me alerts", "No, thank you"]
    assert "What would you like to do?" in replies[-1].text  # then the main menu
    assert "🔔 Safety alerts" in replies[-1].labels
    replies = await person.press("✅ Yes, send me alerts", replies[0])
    assert replies[-1].text.startswith("Thank you. You will get safety alerts.")
    assert "❓ Help" in replies[-1].labels
    assert (await subscribers.get(bot.db, person.id)).subscribed
    await person.send("/start")
    replies = await person.press("English")
    assert len(replies) == 1 and "safety alerts" not in replies[0].text  # not asked again


async def test_onboarding_in_khmer_and_saying_no(bot):
    person = bot.person(language_code="km")
    await person.send("/start")
    replies = await person.press("ភាសាខ្មែរ")
    assert replies[0].text.startswith("តើអ្នកចង់ទទួលការជូនដំណឹងសុវត្ថិភាពពីសេវាជំនួយទេ?")
    replies = await person.press("ទេ អរគុណ", replies[0])
    assert replies[-1].text.startswith("យល់ព្រម គ្មានការជូនដំណឹងទេ។")
    assert not (await subscribers.get(bot.db, person.id)).subscribed


@pytest.mark.parametrize("code, on, off, province, battambang, saved", [
    ("en", "🔔 Turn alerts on", "🔕 Turn alerts off", "📍 Home province", "Battambang",
     "Home province: Battambang."),
    ("km", "🔔 បើកការជូនដំណឹង", "🔕 បិទការជូនដំណឹង", "📍 ខេត្តដែលរស់នៅ", "បាត់ដំបង",
     "ខេត្តដែលរស់នៅ៖ បាត់ដំបង។"),
])
async def test_alerts_command_turns_alerts_on_and_off_and_takes_the_province(
        bot, code, on, off, province, battambang, saved):
    person = bot.person(language_code=code)
    replies = await person.send("/alerts")
    assert replies[-1].labels[0] == on
    replies = await person.press(on)
    assert replies[-1].labels[:2] == [province, off]
    replies = await person.press(province)
    assert len([d for _, d in replies[-1].buttons if d.startswith("al:prov:")]) == 26  # 25 + none
    replies = await person.press(battambang)
    assert saved in replies[-1].text
    choice = await subscribers.get(bot.db, person.id)
    assert choice.subscribed and choice.province == "battambang"
    replies = await person.press(off)
    assert replies[-1].labels[0] == on
    assert not (await subscribers.get(bot.db, person.id)).subscribed
    replies = await person.press_data("al:prov:no_such_place")  # a forged button: no change
    assert (await subscribers.get(bot.db, person.id)).province == "battambang"


async def test_the_menu_entry_opens_the_alert_settings(bot):
    person = bot.person(language_code="en")
    await person.send("/start")
    await person.press("English")  # the onboarding question, then the menu
    replies = await person.press("🔔 Safety alerts")
    assert "🔕 Safety alerts are OFF." in replies[-1].text
    assert replies[-1].labels[-1] == "🏠 Main menu"


async def test_stop_alerts_under_an_alert_unsubscribes(bot):
    person = bot.person(language_code="en")
    await person.send("/alerts")
    await person.press("🔔 Turn alerts on")
    replies = await person.press_data("al:stop")
    assert replies[-1].text.startswith("Done: no more alerts.")
    assert not (await subscribers.get(bot.db, person.id)).subscribed


async def test_blocking_and_unblocking_the_bot_is_tracked(bot):
    person = bot.person(language_code="en")
    await person.send("/alerts")
    await person.press("🔔 Turn alerts on")
    for status, unreachable in (("kicked", True), ("member", False)):
        update = bot.api._queue_update({"my_chat_member": {
            "chat": {"id": person.id, "type": "private", "first_name": "Sokha"},
            "from": {"id": person.id, "is_bot": False, "first_name": "Sokha"},
            "date": 0,
            "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True,
                                                               "first_name": "Hotline"}},
            "new_chat_member": {"status": status, "user": {"id": 1, "is_bot": True,
                                                             "first_name": "Hotline"},
                                **({"until_date": 0} if status == "kicked" else {})},
        }})
        await bot.deliver(update)
        assert await subscribers.is_unreachable(bot.db, person.id) is unreachable


def test_the_provinces_file_has_cambodias_25_provinces():
    found = provinces()
    assert len(found.all) == 25
    assert found.find("phnom penh").name_km == "ភ្នំពេញ"
    assert found.find("សៀមរាប").key == "siem_reap"
    assert found.find("Tbong Khmum").iso == "KH-25"
    assert found.find("Bangkok") is None


def test_a_malformed_provinces_file_names_the_line(tmp_path):
    path = tmp_path / "provinces.csv"
    path.write_text("key,iso,name_en,name_km,source,checked\n"
                    "kep,KH-23,Kep,កែប,ISO,2026-11\n"
                    "Kampot!,KH-7,Kampot,កំពត,ISO,2026-11\n", encoding="utf-8")
    with pytest.raises(ProvinceError, match=r"provinces.csv:3: key"):
        load_provinces(path)
