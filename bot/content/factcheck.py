"""Find phone numbers and web addresses in text, and the ones the directory has not verified;
and money amounts, percentages and deadlines, which must come with a source.

Used at start-up on the content data files, at Confirm on staff broadcasts, and by
the tests on every catalog entry and every reply: no unverified number (1288, an
old provincial line) or address may reach a returnee, and a catalog text that
names an amount, a percentage or a deadline is marked "# fact: <source>, <month>".
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from domain.khmer import remove_invisible, to_ascii_digits

# Digit groups joined by single spaces, dashes, dots or commas ("081 37 38 39", "+66-99-130-1300"),
# in Latin or Khmer digits. A group of 3 or more digits in all counts as phone-like.
_DIGIT = r"[0-9\u17e0-\u17e9]"
_PHONE_LIKE = re.compile(rf"\+?{_DIGIT}(?:{_DIGIT}|[ .,\-](?={_DIGIT}))*")
# A bare year (1990-2099) is a date, not a number to call.
_YEAR = re.compile(r"^(199\d|20\d\d)$")
# Money is not a phone number: "12,500", "$300", "១២៥០០ បាត", "12500 baht".
_THOUSANDS = re.compile(r"^[0-9\u17e0-\u17e9]{1,3}(,[0-9\u17e0-\u17e9]{3})+$")
_CURRENCY_BEFORE = re.compile(r"[$៛฿]\s?$")
_CURRENCY_AFTER = re.compile(r"^\s?(baht|บาท|បាត|riel|រៀល|dollars?|ដុល្លារ|USD|THB|KHR|[$៛฿])",
                             re.IGNORECASE)
_ADDRESS = re.compile(
    r"(?:https?://)?(?:www\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?:/[\w./-]*)?"
)


def phone_like(text: str) -> list[str]:
    """Every phone-like number in text, as Latin digits only (years left out)."""
    found = []
    text = remove_invisible(text)
    for match in _PHONE_LIKE.finditer(text):
        if _is_money(text, match):
            continue
        digits = re.sub(r"\D", "", to_ascii_digits(match.group()))
        if len(digits) >= 3 and not _YEAR.match(digits):
            found.append(digits)
    return found


def _is_money(text: str, match: re.Match) -> bool:
    return bool(
        _THOUSANDS.match(match.group())
        or _CURRENCY_BEFORE.search(text[:match.start()])
        or _CURRENCY_AFTER.match(text[match.end():])
    )


def web_addresses(text: str) -> list[str]:
    """Every web address in text, without scheme and with no trailing slash."""
    found = []
    for match in _ADDRESS.finditer(remove_invisible(text)):
        address = re.sub(r"^https?://", "", match.group()).rstrip("/.").lower()
        found.append(address)
    return found


def unverified(text: str, numbers: Iterable[str], addresses: Iterable[str]) -> list[str]:
    """Numbers and addresses in text that are not verified directory entries."""
    numbers, addresses = set(numbers), {a.lower() for a in addresses}
    known_sites = addresses | {a.removeprefix("www.") for a in addresses}
    bad = [n for n in phone_like(text) if n not in numbers]
    bad += [a for a in web_addresses(text) if a not in known_sites]
    return bad


# Amounts, percentages and deadlines: "$110", "7,600 baht", "US$20", "66.5%", "60 days",
# "two years", "១២ ខែ". Each is a claim that needs a source (never invented: §10).
_NUMBER = rf"{_DIGIT}+(?:[.,]{_DIGIT}+)*"
_WORD_NUMBER = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|thirty|sixty)"
_CLAIMS = re.compile(
    rf"(?:US\$|\$|฿|៛)\s?{_NUMBER}"
    rf"|{_NUMBER}\s?(?:baht|บาท|បាត|riel|រៀល|dollars?|ដុល្លារ|USD|THB|KHR|[$៛฿])"
    rf"|{_NUMBER}\s?(?:%|per ?cent|ភាគរយ)"
    rf"|(?:{_NUMBER}|\b{_WORD_NUMBER})[\s-]?(?:days?|weeks?|months?|years?)\b"
    rf"|{_NUMBER}\s?(?:ថ្ងៃ|សប្តាហ៍|ខែ|ឆ្នាំ)",
    re.IGNORECASE,
)


def claims(text: str) -> list[str]:
    """Money amounts, percentages and deadlines (durations) stated in text."""
    return [m.group().strip() for m in _CLAIMS.finditer(remove_invisible(text))]
