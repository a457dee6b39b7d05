"""Khmer text helpers for matching user input (see domain-facts §9).

Display text is never rewritten; these produce forms for parsing and comparing.
"""
from __future__ import annotations

import functools
import re
import unicodedata

from khmerspell import khnormal

KHMER_DIGITS = "០១២៣៤៥៦៧៨៩"
_TO_ASCII_DIGITS = str.maketrans(KHMER_DIGITS, "0123456789")

# Zero-width space, non-joiner, joiner, word joiner, BOM, and the two inherent
# vowels (U+17B4, U+17B5) that CLDR ignores and keyboards sometimes insert.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u17b4\u17b5"
_REMOVE_INVISIBLE = {ord(ch): None for ch in INVISIBLE}

# Vowels typed in two parts, joined into the single code point a keyboard may give.
_SPLIT_VOWELS = {
    "\u17c1\u17b8": "\u17be",  # េ + ី -> ើ
    "\u17c1\u17b6": "\u17c4",  # េ + ា -> ោ
}
_SPACES = re.compile(r"\s+")


def to_ascii_digits(text: str) -> str:
    """Khmer digits ០-៩ to 0-9; everything else unchanged."""
    return text.translate(_TO_ASCII_DIGITS)


def remove_invisible(text: str) -> str:
    """Drop zero-width characters (ZWSP, ZWNJ, ZWJ, ...) that Khmer text often carries."""
    return text.translate(_REMOVE_INVISIBLE)


def clean_input(text: str) -> str:
    """What a person typed, ready to parse: digits ASCII, invisibles gone, spaces single."""
    text = remove_invisible(to_ascii_digits(text))
    return _SPACES.sub(" ", text).strip()


def comparison_form(text: str) -> str:
    """A form for comparing names: clean_input, joined split vowels, case-folded Latin.

    Deliberately no NFC of Khmer: it can move ATTHACAN and COENG apart (§9);
    NFKC is applied to Latin-looking compatibility characters only via casefold.
    """
    text = clean_input(text)
    for split, joined in _SPLIT_VOWELS.items():
        text = text.replace(split, joined)
    return "".join(
        unicodedata.normalize("NFKC", ch) if ch.isascii() or not _is_khmer(ch) else ch
        for ch in text
    ).casefold()


def _is_khmer(ch: str) -> bool:
    return "\u1780" <= ch <= "\u17ff" or "\u19e0" <= ch <= "\u19ff"


def has_khmer(text: str) -> bool:
    return any(_is_khmer(ch) for ch in text)


# One Khmer syllable as khnormal sees it: a consonant or independent vowel, then the signs
# that belong to it (a consonant after a subscript sign is a subscript too).
_BASE = "\u1780-\u17a2\u17a5-\u17b3"
_SYLLABLE = re.compile(f"(?<![\u17d2\u200d])[{_BASE}](?:[\u17b6-\u17d3\u17dd\u200c\u200d]"
                       f"|(?<=[\u17d2\u200d])[{_BASE}])*")


def normalise_order(text: str) -> str:
    """Khmer syllables in one canonical order: what looks the same on screen compares equal.

    People type the vowel before the subscript (ខែ្មរ for ខ្មែរ), the subscript ro first
    (ស្រ្តី for ស្ត្រី), subscript da for ta, or a vowel in two parts; khmerspell's khnormal
    (SIL's Khmer character specification) reorders them. Latin text is unchanged.
    khnormal works one syllable at a time, so syllables are normalised one by one and
    remembered: a message costs a few dictionary look-ups, not a dozen regexes a syllable.
    """
    text = remove_invisible(text)
    if not has_khmer(text):
        return text
    return _SYLLABLE.sub(lambda m: _normal_syllable(m.group()), text)


@functools.lru_cache(maxsize=16_384)
def _normal_syllable(syllable: str) -> str:
    return khnormal(syllable)
