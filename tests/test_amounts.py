"""Money amounts as people type them (domain/amounts.py)."""
from decimal import Decimal

import pytest

from domain.amounts import Amount, parse_amount, parse_count


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
    # Khmer number words and a decimal comma before a unit word
    ("មួយម៉ឺនបាត", "10000", "THB"),
    ("១,៥ម៉ឺន", "15000", "THB"),
    ("1,5 ម៉ឺន បាត", "15000", "THB"),
    ("មួយម៉ឺនប្រាំពាន់", "15000", "THB"),
    ("ដប់ពាន់រៀល", "10000", "KHR"),
    ("មួយរយដុល្លារ", "100", "USD"),
    ("ពីរលាន", "2000000", "THB"),
    ("ប្រាំសែនរៀល", "500000", "KHR"),
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


@pytest.mark.parametrize("typed, count", [
    ("12", 12), ("១២", 12), ("១២ នាក់", 12), ("១២នាក់", 12), ("ដប់ពីរនាក់", 12),
    ("ម្ភៃប្រាំនាក់", 25), ("about 12 workers", 12), ("12 people", 12), ("1,200", 1200),
    ("ប្រហែល ៣០ នាក់", 30),
])
def test_numbers_of_people_are_read(typed, count):
    assert parse_count(typed) == count


@pytest.mark.parametrize("typed", ["many", "", "12 or 13", "នាក់", "-3"])
def test_unclear_numbers_of_people_are_refused(typed):
    assert parse_count(typed) is None
