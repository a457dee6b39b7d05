"""The log scan itself: it finds personal data, and it sees the bot's log lines.

Every test runs under the scan (tests/conftest.py, log_holds_no_personal_data); these
make sure the scan is not blind."""
from __future__ import annotations

import logging

from tests import log_scan
from tests.desk_helpers import card_of, confirmed_wage_claim, desk_bot, staff


def record(message: str, *args) -> logging.LogRecord:
    return logging.LogRecord("bot.x", logging.INFO, __file__, 1, message, args, None)


def test_the_scan_finds_names_texts_phones_and_the_token():
    secrets = log_scan.secrets_of({"first_name": "Sokha", "username": "sokha_ch"},
                                  "My boss took my passport", {"contact": "012345678"})
    assert log_scan.leaks([record("case %s stored", 7)], secrets) == []
    for leaking in ("from Sokha", "user @sokha_ch", "text My boss took my passport",
                    "phone 012345678", "url /bot123456:TEST-TOKEN/getMe"):
        assert log_scan.leaks([record(leaking)], secrets), leaking
    assert log_scan.leaks([record("Sokhanary")], secrets) == []  # whole words only


async def test_main_scenarios_log_ids_only(settings, fake_api, log_holds_no_personal_data):
    """A wage claim, staff replies both ways, /mydata and /delete: the log has lines about
    all of it, and (checked at the end of every test) none with what people wrote."""
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        person = await confirmed_wage_claim(bot)
        card = card_of(ana.group)
        await ana.press("⏳ Waiting", card)
        await person.send("My passport is with Mr Broker in Chonburi.")
        await ana.send("We are calling Golden Seafood today.",
                       thread_id=card.raw["message_thread_id"])
        await person.send("/mydata")
        await person.send("/delete")
        await person.press("🗑 Yes, delete everything")
    lines = [log_scan.as_text(r) for r in log_holds_no_personal_data.records]
    for expected in ("case 1 stored", "case 1 announced", "received their data",
                     "deleted their data: 1 case(s) erased"):
        assert any(expected in line for line in lines), expected
