"""Money amounts as people type them: "12,500", "១២,៥០០ បាត", "$300", "300 dollars".

parse_amount() returns the amount and its currency (THB when none is named), or
None when the text is not clearly one amount; the flow then shows an example.
Thousands may be grouped with commas or spaces; a dot is a decimal point.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from bot.khmer import clean_input

DEFAULT_CURRENCY = "THB"
CURRENCIES = ("THB", "USD", "KHR")
MAX_AMOUNT = Decimal(100_000_000)  # more than this is a typing mistake, not a wage

# Words and signs for each currency; longest first so "dollars" wins over "dollar".
_CURRENCY_WORDS = {
    "THB": ["฿", "baht", "bath", "thb", "บาท", "បាត"],
    "USD": ["$", "us$", "usd", "dollars", "dollar", "ដុល្លារ"],
    "KHR": ["៛", "riels", "riel", "khr", "រៀល"],
}
# Khmer and English words for round numbers: "12 thousand", "១២ពាន់", "1 ម៉ឺន".
_MULTIPLIERS = {
    "k": 1_000, "thousand": 1_000, "ពាន់": 1_000, "ម៉ឺន": 10_000, "សែន": 100_000,
    "million": 1_000_000, "លាន": 1_000_000,
}
# Words that may surround an amount without changing it.
_FILLER = ("about", "around", "approximately", "approx", "almost", "~", "ប្រហែល", "ជាង")

_PLAIN = re.compile(r"^\d+(\.\d{1,2})?$")
_GROUPED = re.compile(r"^\d{1,3}([, ]\d{3})+(\.\d{1,2})?$")


@dataclass(frozen=True)
class Amount:
    value: Decimal
    currency: str


def parse_amount(text: str) -> Amount | None:
    """The amount in `text`, or None when it is unclear (no number, two numbers, two currencies)."""
    rest = clean_input(text).casefold()
    found = set()
    for currency, words in _CURRENCY_WORDS.items():
        for word in sorted(words, key=len, reverse=True):
            if word in rest:
                found.add(currency)
                rest = rest.replace(word, " ")
    if len(found) > 1:
        return None
    for word in _FILLER:
        rest = rest.replace(word, " ")
    multiplier = 1
    for word, factor in sorted(_MULTIPLIERS.items(), key=lambda item: -len(item[0])):
        if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", rest):
            if multiplier != 1:
                return None
            multiplier = factor
            rest = re.sub(rf"(?<![a-z]){re.escape(word)}(?![a-z])", " ", rest, count=1)
    number = re.sub(r"\s+", " ", rest).strip()
    value = _number(number)
    if value is None:
        return None
    value *= multiplier
    if not 0 < value <= MAX_AMOUNT:
        return None
    return Amount(value, found.pop() if found else DEFAULT_CURRENCY)


def names_currency(text: str) -> bool:
    """Whether the text names a currency ("4500 THB", "$300"); "4500" alone does not."""
    folded = clean_input(text).casefold()
    return any(word in folded for words in _CURRENCY_WORDS.values() for word in words)


def _number(text: str) -> Decimal | None:
    if _PLAIN.match(text):
        digits = text
    elif _GROUPED.match(text):
        digits = text.replace(",", "").replace(" ", "")
    else:
        return None
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None
