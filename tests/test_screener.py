"""The screener: its rules as a table (bot/content/screener.py), then every indicator in every
report kind and both languages through the running bot."""
from __future__ import annotations

import pytest

from bot.content import screener
from bot.content.screener import QUESTIONS, assess, load_phrases
from tests.intake_helpers import answer_safety_questions, case_rows, onboarded

PHRASES = load_phrases()
SAFE = {q.key: ("no" if q.flag_on == "yes" else "yes") for q in QUESTIONS}


def answers(**warn) -> dict:
    return {**SAFE, **{key: next(q.flag_on for q in QUESTIONS if q.key == key) for key in warn}}


@pytest.mark.parametrize("kind", ["W", "G"])
@pytest.mark.parametrize("warn, urgent, reasons", [
    ((), False, []),
    (("documents",), True, ["documents"]),
    (("free_to_leave",), True, ["not_free"]),
    (("violence",), True, ["violence"]),
    (("confinement",), True, ["confinement"]),
    (("child",), True, ["child"]),
    (("debt",), False, ["debt"]),                 # common: not urgent alone
    (("deceived",), False, ["deceived"]),
    (("debt", "deceived"), True, ["debt", "deceived"]),  # debt built on a lie
    (("debt", "violence"), True, ["violence", "debt"]),
])
def test_the_rules_are_the_same_for_every_report_kind(kind, warn, urgent, reasons):
    found = assess(kind, {"screener": answers(**dict.fromkeys(warn, True))})
    assert found.urgent is urgent
    assert found.reasons() == reasons


def test_what_the_form_already_says_counts_and_is_not_asked_again():
    wage = {"owed": ["wages", "documents"]}
    assert assess("W", wage).urgent and assess("W", wage).reasons() == ["documents"]
    assert "documents" not in [q.key for q in screener.questions_for("W", wage)]
    assert assess("G", {"category": "violence"}).reasons() == ["violence"]
    assert assess("G", {"category": "documents"}).urgent
    assert not assess("G", {"category": "debt"}).urgent  # a loan is not debt bondage


@pytest.mark.parametrize("text, found", [
    ("The supervisor beat me.", {"violence"}),
    ("He took my passport and I could not leave", {"documents", "not_free"}),
    ("They LOCKED the door at night", {"confinement"}),
    ("My son is under 18 and works there", {"child"}),
    ("I owe the broker 30000 baht", {"debt"}),
    ("white meat and hitchhiking", set()),      # "hit" only as a whole word
    ("my children are hungry", set()),
    ("ថៅកែវាយដំខ្ញុំ", {"violence"}),
    ("ថៅកែ\u200bយក\u200bលិខិតឆ្លងដែន\u200bរបស់ខ្ញុំ", {"documents"}),     # zero-width spaces
    ("គេ ចាក់សោ ទ្វារ", {"confinement"}),                   # spaces inside Khmer
    ("ខ្ញុំជំពាក់មេខ្យល់", {"debt"}),
    ("អាយុក្រោម ១៨ ឆ្នាំ", {"child"}),                     # Khmer digits
    ("ខ្ញុំមិនបានប្រាក់ខែ", set()),
])
def test_descriptions_are_flagged_by_the_phrase_list(text, found):
    assert PHRASES.indicators_in(text) == found


def test_a_description_alone_makes_a_report_urgent():
    fields = {"screener": SAFE, "description": "the supervisor beat me"}
    assert assess("G", fields, PHRASES).urgent
    assert assess("W", fields, PHRASES).reasons() == ["violence"]


def test_a_malformed_phrase_file_names_the_line(tmp_path):
    path = tmp_path / "phrases.csv"
    path.write_text("indicator,language,phrase\nviolence,en,beat me\nweather,en,rain\n",
                    encoding="utf-8")
    with pytest.raises(screener.PhraseFileError, match=r"phrases.csv:3: indicator"):
        load_phrases(path)


# -- through the running bot ------------------------------------------------------------------
async def walk_wage_claim_to_screener(person, language: str, owed: tuple[str, ...]) -> None:
    await person.send("/menu")
    await person.press_data("menu:wage")
    await person.press_data("rp:who:self")
    await person.press_data("rp:prov:chonburi")
    await person.send("Golden Seafood Co.")
    await person.press_data("rp:skip")
    await person.press_data("rp:sector:seafood")
    for data in ("rp:ym:2024", "rp:ym:2024-07", "rp:ym:2025", "rp:ym:2025-06"):
        await person.press_data(data)
    for value in owed:
        await person.press_data(f"rp:owe:{value}")


async def finish_wage_claim(person) -> list:
    await person.press_data("rp:skip")  # what happened, in their own words
    await person.press_data("rp:done")
    await person.press_data("rp:contact:chat")
    await person.press_data("rp:share:no")
    await person.press_data("rp:home:battambang")
    await person.press_data("rp:gender:woman")
    return await person.press_data(
        next(d for _, d in person.latest_with_buttons().buttons if d.startswith("rp:confirm:")))


EMERGENCY = {"en": "If you or someone else is in danger now, call:",
             "km": "ប្រសិនបើអ្នក ឬអ្នកផ្សេងកំពុងមានគ្រោះថ្នាក់ឥឡូវនេះ"}


@pytest.mark.parametrize("language", ["en", "km"])
async def test_documents_kept_in_a_wage_claim_is_urgent_at_once(bot, language):
    person = await onboarded(bot, language)
    await walk_wage_claim_to_screener(person, language, ("wages", "documents"))
    replies = await person.press_data("rp:owe:next")
    assert EMERGENCY[language] in replies[0].text and "117" in replies[0].text
    assert "1300" in replies[0].text
    await person.send("12500")
    await person.press_data("rp:rec:no")
    keys = [d.split(":")[2] for _, d in person.latest_with_buttons().buttons
            if d.startswith("rp:scr:")]
    assert keys and keys[0] == "free_to_leave"  # the documents question is not asked again
    await answer_safety_questions(person)
    replies = await finish_wage_claim(person)
    assert "117" in replies[-1].text
    [row] = await case_rows(bot, person)
    assert (row["kind"], row["urgent"], row["urgent_reasons"]) == ("W", 1, "documents")


@pytest.mark.parametrize("language", ["en", "km"])
@pytest.mark.parametrize("key, indicator", [
    (q.key, q.indicator) for q in QUESTIONS])
async def test_every_indicator_in_a_wage_claim(bot, language, key, indicator):
    person = await onboarded(bot, language)
    await walk_wage_claim_to_screener(person, language, ("wages",))
    await person.press_data("rp:owe:next")
    await person.send("12500")
    await person.press_data("rp:rec:no")
    replies = await answer_safety_questions(person, warn=(key,))
    shown = any(EMERGENCY[language] in r.text for r in person.chat)
    await finish_wage_claim(person)
    [row] = await case_rows(bot, person)
    urgent = indicator not in screener.NEEDS_COMPANY
    assert shown is urgent and bool(row["urgent"]) is urgent
    assert row["urgent_reasons"] == (indicator if urgent else None)
    assert replies


async def walk_grievance(person, category: str, warn: tuple[str, ...], description: str) -> None:
    await person.send("/menu")
    await person.press_data("menu:report")
    await person.press_data(f"rp:cat:{category}")
    await answer_safety_questions(person, warn=warn)
    await person.send(description)
    await person.press_data("rp:done")
    await person.press_data("rp:where:KH")
    await person.press_data("rp:skip")
    await person.press_data("rp:anon:named")
    await person.press_data("rp:contact:chat")
    await person.press_data("rp:share:no")
    await person.press_data("rp:home:unsaid")
    await person.press_data("rp:gender:man")
    await person.press_data(
        next(d for _, d in person.latest_with_buttons().buttons if d.startswith("rp:confirm:")))


@pytest.mark.parametrize("language", ["en", "km"])
@pytest.mark.parametrize("key, indicator", [(q.key, q.indicator) for q in QUESTIONS])
async def test_every_indicator_in_a_grievance(bot, language, key, indicator):
    person = await onboarded(bot, language)
    await walk_grievance(person, "other", (key,), "It was hard.")
    [row] = await case_rows(bot, person)
    urgent = indicator not in screener.NEEDS_COMPANY
    assert bool(row["urgent"]) is urgent
    assert any(EMERGENCY[language] in r.text for r in person.chat) is urgent


@pytest.mark.parametrize("language, text", [("en", "The supervisor beat me."),
                                            ("km", "មេការវាយដំខ្ញុំ")])
async def test_a_typed_description_with_every_answer_safe_is_flagged(bot, language, text):
    person = await onboarded(bot, language)
    await person.send("/menu")
    await person.press_data("menu:report")
    await person.press_data("rp:cat:other")
    await answer_safety_questions(person)
    assert not any(EMERGENCY[language] in r.text for r in person.chat)
    replies = await person.send(text)
    assert EMERGENCY[language] in replies[0].text  # at once, before the next question
    assert await case_rows(bot, person) == []  # warned before anything is stored


@pytest.mark.parametrize("language, text", [("en", "The supervisor beat me."),
                                            ("km", "មេការវាយដំខ្ញុំ")])
async def test_a_wage_claim_description_that_points_to_danger_warns_at_once(bot, language, text):
    person = await onboarded(bot, language)
    await walk_wage_claim_to_screener(person, language, ("wages",))
    await person.press_data("rp:owe:next")
    await person.send("12500")
    await person.press_data("rp:rec:no")
    await answer_safety_questions(person)
    assert not any(EMERGENCY[language] in r.text for r in person.chat)
    replies = await person.send(text)  # what happened, in their own words
    assert EMERGENCY[language] in replies[0].text  # at once, before the proof question
    await person.press_data("rp:done")
    await person.press_data("rp:contact:chat")
    await person.press_data("rp:share:no")
    await person.press_data("rp:home:battambang")
    await person.press_data("rp:gender:woman")
    await person.press_data(
        next(d for _, d in person.latest_with_buttons().buttons if d.startswith("rp:confirm:")))
    [row] = await case_rows(bot, person)
    assert (row["urgent"], row["urgent_reasons"]) == (1, "violence")


async def test_words_typed_at_the_proof_step_are_screened_too(bot):
    person = await onboarded(bot, "en")
    await walk_wage_claim_to_screener(person, "en", ("wages",))
    await person.press_data("rp:owe:next")
    await person.send("12500")
    await person.press_data("rp:rec:no")
    await answer_safety_questions(person)
    await person.press_data("rp:skip")  # no description
    replies = await person.send("We were locked in at night.")  # at the proof step
    assert EMERGENCY["en"] in replies[0].text
    assert replies[-1].text.startswith("Kept with your report as part of what happened.")


async def test_debt_alone_is_recorded_but_not_urgent_and_debt_with_a_lie_is(bot):
    first = await onboarded(bot, "en")
    await walk_grievance(first, "debt", ("debt",), "I borrowed for the trip.")
    second = await onboarded(bot, "en")
    await walk_grievance(second, "debt", ("debt", "deceived"), "The broker lied about the pay.")
    [row1], [row2] = await case_rows(bot, first), await case_rows(bot, second)
    assert (row1["urgent"], row1["urgent_reasons"]) == (0, None)
    assert '"debt": "yes"' in row1["screener"]
    assert (row2["urgent"], row2["urgent_reasons"]) == (1, "debt,deceived")
