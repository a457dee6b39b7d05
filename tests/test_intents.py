"""The intent matcher on its own (bot/content/intents.py): the data file, matching, its limits."""
from __future__ import annotations

import pytest

from bot.content.intents import (
    INTENTS,
    IntentFileError,
    _load_intents,
    intents_path,
    load_intents,
    normalise,
    parse_phrase,
)

HEADER = "intent,language,phrases\n"


def matcher_of(tmp_path, rows: str):
    path = tmp_path / "intents.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return _load_intents.__wrapped__(path)


def test_the_shipped_file_has_every_intent_in_both_languages():
    matcher = load_intents()
    assert matcher.intents == INTENTS
    rows = intents_path().read_text(encoding="utf-8").splitlines()[1:]
    pairs = {tuple(row.split(",")[:2]) for row in rows}
    assert {(i, lang) for i in matcher.intents for lang in ("km", "en")} <= pairs


@pytest.mark.parametrize("rows, fault", [
    ("jokes,en,ha ha\n", "intent 'jokes' is not one of"),
    ("wages,th,ค่าจ้าง\n", "language must be km or en"),
    ("wages,en,!!!\n", "has no letters"),
    ("wages,en,\n", "phrases is empty"),
    ("wages,en\n", "expected 3 columns"),
])
def test_a_malformed_row_names_the_line(tmp_path, rows, fault):
    with pytest.raises(IntentFileError) as caught:
        matcher_of(tmp_path, rows)
    assert fault in str(caught.value) and "intents.csv:2" in str(caught.value)


def test_words_of_a_phrase_match_in_any_order_and_one_typo_is_forgiven(tmp_path):
    matcher = matcher_of(tmp_path, "wages,en,not paid;salary\nrecruiter,en,recruit\n"
                                   "emergency,en,locked in\n")
    assert matcher.match("paid? no, I was not").intent == "wages"
    assert matcher.match("salray").intent == "wages"             # two letters swapped
    assert matcher.match("recruitment agency").intent == "recruiter"  # the start of a word
    assert matcher.match("sal") is None  # a short word must be typed right
    assert matcher.match("I was locked in and not paid").intent == "emergency"  # safety first
    assert matcher.match("I was locked in and not paid").second == "wages"
    assert matcher.match("nothing here") is None


def test_khmer_is_matched_without_spaces_and_in_any_character_order(tmp_path):
    matcher = matcher_of(tmp_path, "id_card,km,កាតខ្មែរ\nwages,km,ប្រាក់ខែ\n")
    assert matcher.match("ខ្ញុំចង់ធ្វើកាតខែ្មរ").intent == "id_card"
    assert matcher.match("ប្រាក់ ខែ").intent == "wages"
    assert matcher.match("ប្រាក\u200bខែ").intent == "wages"  # a sign missing: one typo
    assert matcher.match("ខែ") is None  # part of a word is not the word


def test_normalised_form_keeps_letters_and_digits_only():
    assert normalise("  HeLLo,\u200bWorld!! ១២ ") == "hello world 12"
    assert normalise("ប្រាក់ខែsalary") == "ប្រាក់ខែ salary"
    assert parse_phrase("wages", "Not paid").text == "not paid"


def test_a_name_is_found_inside_the_words_around_it():
    matcher = load_intents()
    assert matcher.without_words_of("recruiter", "Is Golden Star agency licensed?") == \
        "golden star"
    assert matcher.without_words_of("recruiter", "Is Golden Star Manpower legal?",
                                    own_too=False) == "golden star manpower"


def test_suggestions_are_three_topics_closest_first():
    matcher = load_intents()
    assert len(matcher.suggestions("qwzx")) == 3
    assert matcher.suggestions("ប្រាក់ចំណូល")[0] == "wages"
