"""The trafficking and forced-labour screener: one set of rules for every report kind.

Pure: no Telegram, no SQL. Given a report's screener answers, what the form already
says (documents ticked as owed, a category) and any description, it names the
indicators found and whether the case is urgent. flows/forms/screening.py asks the
questions; flows/forms/intake.py stores the result with the case.

Indicators (ILO forced-labour indicators; domain-facts §3 "warning signs"):
documents withheld, not free to leave, violence or threats, confinement, a child
involved, and deception. A debt to the employer or broker is common, so on its
own it does not make a case urgent: only together with another indicator (debt
bondage). Deception alone is recorded but not urgent either.

The questions are asked positively ("Could you leave ... when you wanted?"):
`flag_on` says which answer is the warning sign.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.content.datafile import DataFileError, read_rows
from bot.i18n import N_
from bot.resources import data_file
from domain.khmer import comparison_form

PHRASE_COLUMNS = ["indicator", "language", "phrase"]

# Indicator keys, and how staff see them on the card.
INDICATORS = {
    "documents": N_("documents kept by someone else"),
    "not_free": N_("not free to leave"),
    "violence": N_("violence or threats"),
    "confinement": N_("locked in or guarded"),
    "child": N_("a child is involved"),
    "debt": N_("debt to the employer or broker"),
    "deceived": N_("lied to about the job"),
}
# Not urgent on their own (see the module docstring).
NEEDS_COMPANY = frozenset({"debt", "deceived"})


@dataclass(frozen=True)
class Question:
    key: str         # the key of the answer in the report's screener answers
    indicator: str
    text: str        # N_() msgid
    flag_on: str     # "yes" or "no": the answer that is a warning sign


QUESTIONS = (
    Question("documents", "documents", N_(
        "Does someone else (the employer, a broker or an agent) keep your passport, "
        "ID card or work permit?"), "yes"),
    Question("free_to_leave", "not_free", N_(
        "Could you leave the workplace, or the place where you lived, when you wanted?"), "no"),
    Question("violence", "violence", N_(
        "Did anyone hit you, hurt you, or threaten you or your family?"), "yes"),
    Question("confinement", "confinement", N_(
        "Were you locked in, or watched by guards where you worked or lived?"), "yes"),
    Question("child", "child", N_("Is a child under 18 among the people in this report?"), "yes"),
    Question("debt", "debt", N_("Do you owe money to the employer, a broker or an agent?"), "yes"),
    Question("deceived", "deceived", N_(
        "Were you lied to about the job, the pay or the conditions?"), "yes"),
)
_BY_KEY = {q.key: q for q in QUESTIONS}


class PhraseFileError(DataFileError):
    """data/screener_phrases.csv is malformed; the message names the line."""


@dataclass(frozen=True)
class Assessment:
    indicators: frozenset[str]
    from_text: frozenset[str]  # the indicators a description's words pointed to

    @property
    def urgent(self) -> bool:
        return is_urgent(self.indicators)

    def reasons(self) -> list[str]:
        """Indicator keys in a fixed order, for storing and showing."""
        return [key for key in INDICATORS if key in self.indicators]


def is_urgent(indicators: Iterable[str]) -> bool:
    found = set(indicators)
    serious = found - NEEDS_COMPANY
    if serious:
        return True
    # A debt with deception (a debt built on a lie) is debt bondage.
    return "debt" in found and len(found) >= 2


def implied(kind: str, fields: Mapping) -> frozenset[str]:
    """Indicators the form's other answers already state, so their question is not asked."""
    found = set()
    if "documents" in (fields.get("owed") or []):
        found.add("documents")
    category = fields.get("category")
    if kind == "G" and category == "documents":
        found.add("documents")
    if kind == "G" and category == "violence":  # "Violence, threats or forced work"
        found.add("violence")
    return frozenset(found)


def questions_for(kind: str, fields: Mapping) -> list[Question]:
    """The questions still worth asking: none whose indicator the form already states."""
    known = implied(kind, fields)
    return [q for q in QUESTIONS if q.indicator not in known]


def flagged(answers: Mapping[str, str]) -> frozenset[str]:
    """Indicators from the yes/no answers (unknown keys from older forms are ignored)."""
    return frozenset(_BY_KEY[key].indicator for key, answer in answers.items()
                     if key in _BY_KEY and answer == _BY_KEY[key].flag_on)


def assess(kind: str, fields: Mapping, phrases: Phrases | None = None) -> Assessment:
    """Everything the screener knows about a report (its draft fields)."""
    text = phrases.indicators_in(fields.get("description") or "") if phrases else frozenset()
    found = flagged(fields.get("screener") or {}) | implied(kind, fields) | text
    return Assessment(indicators=frozenset(found), from_text=text)


# -- the phrase list ------------------------------------------------------------------
_KHMER = "\u1780-\u17ff\u19e0-\u19ff"
_KHMER_GAP = re.compile(rf"(?<=[{_KHMER}])\s+|\s+(?=[{_KHMER}])")


def _match_form(text: str) -> str:
    """Lower-case, invisibles and spaces between Khmer letters gone, digits ASCII."""
    text = comparison_form(text)
    # Khmer has no spaces between words, and people put them anywhere: drop them next to Khmer.
    return _KHMER_GAP.sub("", text)


class Phrases:
    """Words and short phrases that point to an indicator, in Khmer and English."""

    def __init__(self, entries: Iterable[tuple[str, str, str]]) -> None:
        patterns: dict[str, list[str]] = {}
        for indicator, language, phrase in entries:
            form = re.escape(_match_form(phrase))
            # Latin phrases match whole words ("hit me", not "white meat"); Khmer has
            # no word spaces, so a Khmer phrase matches anywhere.
            patterns.setdefault(indicator, []).append(
                rf"(?<![a-z0-9]){form}(?![a-z0-9])" if language == "en" else form)
        self._patterns = {key: re.compile("|".join(found)) for key, found in patterns.items()}

    def indicators_in(self, text: str) -> frozenset[str]:
        if not text.strip():
            return frozenset()
        text = _match_form(text)
        return frozenset(key for key, pattern in self._patterns.items() if pattern.search(text))


def load_phrases(path: Path | None = None) -> Phrases:
    """data/screener_phrases.csv (HOTLINE_DATA_DIR's copy when set), or `path`."""
    entries = []
    path = path or data_file("screener_phrases.csv")
    for where, row in read_rows(path, PHRASE_COLUMNS, PhraseFileError):
        if row["indicator"] not in INDICATORS:
            raise PhraseFileError(f"{where}: indicator must be one of {', '.join(INDICATORS)}")
        if row["language"] not in ("km", "en"):
            raise PhraseFileError(f"{where}: language must be km or en")
        entries.append((row["indicator"], row["language"], row["phrase"]))
    return Phrases(entries)
