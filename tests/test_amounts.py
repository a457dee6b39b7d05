"""Money amounts as people type them (bot/amounts.py)."""
from decimal import Decimal

import pytest

from bot.amounts import Amount, parse_amount


@pytest.mark.parametrize("typed, value, currency", [
    ("12500", "12500", "THB"),
    ("12,500", "12500", "THB"),
    ("12 500", "12500", "THB"),
    ("១២៥០០", "12500", "THB"),
    ("១២,៥០០ បាត", "12500", "THB"),
    ("១២\u200b៥០០", "12500", "THB"),  # a zero-width space inside the number
    ("12500 baht", "12500", "THB"),
    ("12500 Baht", "12500", "THB"),
    ("฿12,500", "12500", "THB"),
    ("12,500.50 THB", "12500.50", "THB"),
    ("about 12,000 baht", "12000", "THB"),
    ("ប្រហែល ១២០០០ បាត", "12000", "THB"),
    ("12k", "12000", "THB"),
    ("១២ពាន់បាត", "12000", "THB"),
    ("1 ម៉ឺន", "10000", "THB"),
    ("$300", "300", "USD"),
    ("300 dollars", "300", "USD"),
    ("300 USD", "300", "USD"),
    ("៣០០ ដុល្លារ", "300", "USD"),
    ("40000៛", "40000", "KHR"),
    ("40,000 riel", "40000", "KHR"),
    ("៤០០០០ រៀល", "40000", "KHR"),
])
def test_amounts_people_type_are_read(typed, value, currency):
    assert parse_amount(typed) == Amount(Decimal(value), currency)


@pytest.mark.parametrize("typed", [
    "", "a lot", "0", "-5", "12.500",  # a dot is a decimal point: three decimals are unclear
    "12,50", "1,2,3", "12 days 500", "$300 baht", "300 dollars 200 baht",
    "1000000000", "12k thousand", "១២ថ្ងៃ",
])
def test_unclear_amounts_are_refused(typed):
    assert parse_amount(typed) is None
