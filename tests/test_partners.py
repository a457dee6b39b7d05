"""Referral partners as data (data/partners.csv): only a confirmed arrangement is offered."""
from __future__ import annotations

import pytest

from bot.content import referrals
from bot.content.directory import load_directory
from bot.resources import data_file
from storage import desk
from tests.desk_helpers import agree_with, confirmed_wage_claim, desk_bot, staff
from tests.intake_helpers import onboarded


def test_the_shipped_partners_are_verified_organisations_without_an_agreement():
    directory = load_directory()
    keys = {p.key for p in directory.partners}
    assert {"lscw", "central", "mrc", "women_network", "psychosocial", "nea"} <= keys
    assert referrals.referable(directory) == []  # the operator confirms, not the code
    for partner in directory.partners:
        assert partner.source and partner.checked.startswith("20")
        assert partner.number is None or partner.number in directory.numbers
    # Thai government lines and tourist police are not referral partners.
    assert not {"tourist_police_th", "dlpw_th", "mol_sso_th"} & keys


def test_a_malformed_partner_row_names_its_line(tmp_path):
    text = data_file("partners.csv").read_text(encoding="utf-8").splitlines()
    text[2] = text[2].replace(",no,", ",maybe,")
    path = tmp_path / "partners.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(referrals.PartnerFileError, match=r"partners.csv:3: agreement"):
        load_directory(partners_path=path)


async def test_without_an_agreement_nothing_is_offered_under_refer(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=False) as bot:
        ana, *_ = staff(bot)
        person = await confirmed_wage_claim(bot)
        card = next(r for r in ana.group if "✋ Claim" in r.labels)
        replies = await ana.press("🤝 Refer", card)
        assert "No organisation has a confirmed referral arrangement" in replies[-1].text
        assert not any(data.startswith("sd:ref:") for _, data in replies[-1].buttons)
        replies = await ana.send("/refer lscw", reply_to=card.raw["message_id"])
        assert "No organisation has a confirmed referral arrangement" in replies[-1].text
        case = await desk.by_reference(bot.db, "W-0001")
        assert case.referred_to is None and case.case.status != "referred"
        assert not any("passed your report" in m["text"] for m in bot.api.sent_to(person))

        agree_with(bot, "mrc")
        replies = await ana.send("/refer lscw", reply_to=card.raw["message_id"])
        assert "agreement no in the partners file" in replies[0].text
        assert [d for _, d in replies[-1].buttons if d.startswith("sd:ref:")] == [
            f"sd:ref:{case.id}:mrc"]
        assert (await desk.by_reference(bot.db, "W-0001")).referred_to is None


@pytest.mark.parametrize("language, such_as, can_pass", [
    ("en", "Hotline staff can put you in touch with organisations such as:",
     "With your permission, hotline staff can pass your report to:"),
    ("km", "បុគ្គលិកសេវាជំនួយអាចជួយភ្ជាប់ទំនាក់ទំនងអ្នកជាមួយអង្គការនានា ដូចជា៖",
     "ប្រសិនបើអ្នកអនុញ្ញាត បុគ្គលិកសេវាជំនួយអាចបញ្ជូនរបាយការណ៍របស់អ្នកទៅ៖"),
])
async def test_who_can_help_promises_nothing_without_an_agreement(bot, language, such_as,
                                                                  can_pass):
    person = await onboarded(bot, language)
    await person.send("/menu")
    await person.press_data("menu:wages")
    page = (await person.press_data("wr:rights:3"))[-1].text
    assert such_as in page and can_pass not in page
    assert "lscw.org" in page and "central-cambodia.org" in page
    assert "This hotline helps with unpaid wages through partner organisations" not in page
    agree_with(bot, "central")
    page = (await person.press_data("wr:rights:3"))[-1].text
    assert can_pass in page and "central-cambodia.org" in page and "lscw.org" not in page


async def test_staff_record_putting_someone_in_touch_without_an_agreement(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=False) as bot:
        ana, *_ = staff(bot)
        await confirmed_wage_claim(bot)
        card = next(r for r in ana.group if "✋ Claim" in r.labels)
        reply_to = card.raw["message_id"]
        listed = await ana.send("/intouch", reply_to=reply_to)
        assert "women_network" in listed[-1].text and "psychosocial" in listed[-1].text
        replies = await ana.send("/intouch women_network", reply_to=reply_to)
        assert "put the returnee in touch with Peer network of migrant women" in replies[-1].text
        case = await desk.by_reference(bot.db, "W-0001")
        assert case.referred_to is None and case.case.status == "new"
        audit = [(e["action"], e["detail"]) for e in await desk.audit_entries(bot.db, case.id)]
        assert ("in_touch", "to=women_network") in audit
