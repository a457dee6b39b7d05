"""Money amounts as people type them: "12,500", "១២,៥០០ បាត", "$300", "300 dollars",
"មួយម៉ឺនបាត", "១,៥ម៉ឺន"; and numbers of people: "១២ នាក់".

parse_amount() returns the amount and its currency (THB when none is named), or
None when the text is not clearly one amount; the flow then shows an example.
Thousands may be grouped with commas or spaces; a dot is a decimal point.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from domain.khmer import clean_input, normalise_order

DEFAULT_CURRENCY = "THB"
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

# Khmer number words: "មួយម៉ឺន" is 10,000, "ដប់ពីរ" 12, "ម្ភៃប្រាំ" 25
# (units add up, scales multiply).
_KHMER_UNITS = {
    "សូន្យ": 0, "មួយ": 1, "ពីរ": 2, "បី": 3, "បួន": 4, "ប្រាំ": 5, "ដប់": 10, "ម្ភៃ": 20,
    "សាមសិប": 30, "សែសិប": 40, "ហាសិប": 50, "ហុកសិប": 60, "ចិតសិប": 70, "ប៉ែតសិប": 80,
    "កៅសិប": 90,
}
_KHMER_SCALES = {"រយ": 100, "ពាន់": 1_000, "ម៉ឺន": 10_000, "សែន": 100_000, "លាន": 1_000_000}
_KHMER_WORD = "|".join(sorted((*_KHMER_UNITS, *_KHMER_SCALES), key=len, reverse=True))
_KHMER_NUMBER = re.compile(rf"(?:{'|'.join(sorted(_KHMER_UNITS, key=len, reverse=True))})"
                           rf"(?:{_KHMER_WORD})*")
# Words that say what is counted: "១២ នាក់", "12 people".
_COUNTED = ("នាក់", "ពលករ", "កម្មករ", "មនុស្ស", "people", "persons", "person", "workers",
            "worker", "ppl")

_PLAIN = re.compile(r"^\d+(\.\d{1,2})?$")
_DECIMAL_COMMA = re.compile(r"^\d+,\d{1,2}$")  # "១,៥ម៉ឺន": 1.5 ten-thousands
_GROUPED = re.compile(r"^\d{1,3}([, ]\d{3})+(\.\d{1,2})?$")


@dataclass(frozen=True)
class Amount:
    value: Decimal
    currency: str


def parse_amount(text: str) -> Amount | None:
    """The amount in `text`, or None when it is unclear (no number, two numbers, two currencies)."""
    rest = khmer_words_to_digits(normalise_order(clean_input(text)).casefold())
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
    if multiplier != 1 and _DECIMAL_COMMA.match(number):
        number = number.replace(",", ".")  # "១,៥ម៉ឺន"; without a unit word "12,50" is unclear
    value = _number(number)
    if value is None:
        return None
    value *= multiplier
    if value == value.to_integral_value():
        value = value.to_integral_value()  # "1,5 ម៉ឺន" is 15000, not 15000.0
    if not 0 < value <= MAX_AMOUNT:
        return None
    return Amount(value, found.pop() if found else DEFAULT_CURRENCY)


def parse_count(text: str) -> int | None:
    """A number of people: "12", "១២ នាក់", "ដប់ពីរនាក់", "about 12 workers"; None if unclear."""
    rest = khmer_words_to_digits(normalise_order(clean_input(text)).casefold())
    for word in (*_COUNTED, *_FILLER):
        rest = rest.replace(word, " ")
    rest = re.sub(r"(?<=\d)[, ](?=\d{3}\b)", "", " ".join(rest.split()))
    return int(rest) if rest.isdigit() else None


def khmer_words_to_digits(text: str) -> str:
    """Khmer number words written out ("មួយម៉ឺន") as digits ("10000"); a scale word after
    digits ("១,៥ម៉ឺន") is left for the multiplier."""
    return _KHMER_NUMBER.sub(lambda m: f" {_khmer_value(m.group(0))} ", text)


def _khmer_value(words: str) -> int:
    total = current = 0
    for word in re.findall(_KHMER_WORD, words):
        if word in _KHMER_UNITS:
            current += _KHMER_UNITS[word]
        elif _KHMER_SCALES[word] < 1_000:
            current = (current or 1) * _KHMER_SCALES[word]
        else:
            total += (current or 1) * _KHMER_SCALES[word]
            current = 0
    return total + current


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
