"""Khmer text helpers on real Khmer input."""
import random

import pytest
from khmerspell import khnormal

from domain.khmer import (
    clean_input,
    comparison_form,
    normalise_order,
    remove_invisible,
    to_ascii_digits,
)


def test_khmer_digits_become_ascii():
    assert to_ascii_digits("១២៩៧") == "1297"
    assert to_ascii_digits("១២,៥០០ បាត") == "12,500 បាត"
    assert int(to_ascii_digits("០៩៨")) == 98


def test_zero_width_characters_are_removed_for_matching():
    assert remove_invisible("ក្រុម\u200bហ៊ុន") == "ក្រុមហ៊ុន"
    assert remove_invisible("a\u200cb\u200dc\ufeff") == "abc"
    # str.strip() would have kept the ZWSP (domain-facts §9)
    assert clean_input("\u200b ១២៣ \u200b") == "123"


def test_spaces_are_folded_and_trimmed():
    assert clean_input("  Angkor   Manpower\t Co ") == "Angkor Manpower Co"


def test_comparison_form_joins_split_vowels_and_folds_latin_case():
    split = "ស\u17c1\u17b8ម"   # េ + ី typed in two parts
    joined = "ស\u17beម"        # ើ as one code point
    assert comparison_form(split) == comparison_form(joined)
    assert comparison_form("ANGKOR Ｍanpower") == "angkor manpower"  # full-width M folded
    assert comparison_form("ពលករ\u200bចំណាក\u200bស្រុក") == "ពលករចំណាកស្រុក"


def test_comparison_form_keeps_coeng_order():
    text = "សិទ្ធិ"
    assert comparison_form(text) == text


@pytest.mark.parametrize("typed, canonical", [
    ("ខែ្មរ", "ខ្មែរ"),        # vowel typed before the subscript
    ("ស្រ្តី", "ស្ត្រី"),        # subscript ro typed first
    ("កណ្ដាល", "កណ្តាល"),      # subscript da and ta look the same
    ("សួស្ដី", "សួស្តី"),
    ("ស\u17c1\u17b8ម", "ស\u17beម"),  # a vowel in two parts
    ("ខ្មែ\u200bរ", "ខ្មែរ"),    # a zero-width space inside
])
def test_spellings_that_look_the_same_are_normalised_to_one(typed, canonical):
    assert normalise_order(typed) == normalise_order(canonical)
    assert normalise_order(canonical) == khnormal(canonical)


def test_latin_text_is_left_alone():
    assert normalise_order("Demo Manpower Co.") == "Demo Manpower Co."


def test_syllable_by_syllable_is_exactly_khnormal():
    """The cached per-syllable path gives what khmerspell gives for the whole text."""
    rng = random.Random(9)
    alphabet = [chr(c) for c in range(0x1780, 0x17DE)] + ["\u200c", "\u200d", " ", "a"]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14)))
        assert normalise_order(text) == khnormal(remove_invisible(text)), repr(text)
