"""What staff type after /search, /cases and /mine: filters and words, and which cases
the words find.

Filters: `status:claimed` (or `open`, `all`), `province:chonburi` (a Thai province in
English, Khmer or an alias), `kind:W` / `kind:G` / `kind:documents` (a category), and
`mine`. The rest is the search text, matched like the recruiter check
(bot/content/recruiter_search.py: comparison form, generic words dropped, difflib similarity
with a part of a name counting) against a case's reference, employer, workplace,
recruiter, place, province names (Thai, and the home province in Cambodia) and, for named
reports only, the reporter's name.
Anonymous reports are never found by a name.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from bot.content import provinces_kh
from bot.content.provinces import Provinces
from bot.content.recruiter_search import name_words, similarity
from domain.khmer import clean_input
from storage.cases import KINDS, STATUSES, reference
from storage.desk_search import Filters

_FILTER = re.compile(r"(?<!\S)(status|province|kind)\s*:\s*(\S+)", re.IGNORECASE)
_MINE = re.compile(r"(?<!\S)mine(?!\S)", re.IGNORECASE)
_REFERENCE = re.compile(r"^([WG])-?0*(\d{1,6})$", re.IGNORECASE)


@dataclass(frozen=True)
class Query:
    text: str                       # the words to match ("" for a plain list)
    filters: Filters
    mine: bool = False
    problems: tuple[str, ...] = ()  # "status", "province" or "kind" with a value not known


def parse(typed: str, provinces: Provinces, categories: Iterable[str],
          default_status: str | None = None) -> Query:
    """Filters and the search text out of what staff typed (Khmer digits, zero-width
    spaces and case do not matter)."""
    text = clean_input(typed)
    status, province, kind, category = default_status, None, None, None
    problems = []
    for name, value in _FILTER.findall(text):
        name, folded = name.lower(), value.casefold()
        if name == "status":
            if folded in STATUSES or folded == "open":
                status = folded
            elif folded == "all":
                status = None
            else:
                problems.append("status")
        elif name == "province":
            found = provinces.get(folded) or provinces.match(value)
            if found is None:
                problems.append("province")
            else:
                province = found.key
        elif value.upper() in KINDS:
            kind = value.upper()
        elif folded in set(categories):
            category = folded
        else:
            problems.append("kind")
    mine = bool(_MINE.search(text))
    words = _MINE.sub(" ", _FILTER.sub(" ", text)).split()
    filters = Filters(status=status, province=province, kind=kind, category=category)
    return Query(" ".join(words), filters, mine, tuple(problems))


def with_staff(query: Query, staff_id: int) -> Query:
    """`mine` (or /mine) made concrete: assigned to this staff member."""
    return replace(query, filters=replace(query.filters, assigned_to=staff_id))


def searchable(row: dict, provinces: Provinces) -> tuple[str, ...]:
    """What a case (its storage.desk_search.SEARCHED_COLUMNS) can be found by. Never the
    name of an anonymous reporter."""
    texts = [reference(row["kind"], row["seq"]), f"{row['kind']}{row['seq']}", row["employer"],
             row["workplace"], row["recruiter_name"], row["place"]]
    province = provinces.get(row["province"])
    if province is not None:
        texts += [province.name_en, province.name_km, *province.aliases]
    home = provinces_kh.provinces().get(row["home_province"])  # where the reporter lives now
    if home is not None:
        texts += [home.name_en, home.name_km]
    if not row["anonymous"] and row["reporter_name"]:
        texts.append(row["reporter_name"])
    return tuple(t for t in texts if t)


@functools.lru_cache(maxsize=65_536)  # cases share most texts (provinces, company words)
def _fields(texts: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """The words of all the fields, and each field's key (its words joined)."""
    words: set[str] = set()
    keys = []
    for text in texts:
        found = name_words(text)
        words.update(found)
        keys.append("".join(found))
    return frozenset(words), tuple(keys)


@functools.lru_cache(maxsize=262_144)  # a caseload's vocabulary is small: words repeat
def _similar(typed: str, name: str) -> float:
    return similarity(typed, name)


def score(text: str | list[str], fields: Iterable[str]) -> float:
    """0 when the text (or its name_words) does not find the case; else how well (1.0 exact).

    Every word typed must match a word of some field (so "sunrise chonburi" finds the
    Sunrise case in Chonburi), or the whole text must match a whole field (Khmer is
    written without spaces, and people join or split names differently)."""
    words = name_words(text) if isinstance(text, str) else text
    if not words:
        return 0.0
    known_words, known_keys = _fields(tuple(fields))
    whole = "".join(words)
    best_whole = max((_similar(whole, key) for key in known_keys), default=0.0)
    total = 0.0
    for word in words:
        best = 1.0 if word in known_words else max(
            (_similar(word, candidate) for candidate in known_words), default=0.0)
        if best == 0.0:
            return best_whole
        total += best
    return max(best_whole, total / len(words))


def search(text: str, rows: list[dict], provinces: Provinces) -> list[int]:
    """The ids of the rows (storage.desk_search.searchable) the text finds, best first,
    then in the rows' order. A reference ("W-12", "w0012") finds that case."""
    wanted = _REFERENCE.match(text.replace(" ", ""))
    words = name_words(text)
    hits = []
    for position, row in enumerate(rows):
        if wanted and (row["kind"], row["seq"]) == (wanted.group(1).upper(),
                                                    int(wanted.group(2))):
            hits.append((-2.0, position, row["id"]))
            continue
        found = score(words, searchable(row, provinces))
        if found > 0:
            hits.append((-round(found, 2), position, row["id"]))
    return [case_id for _score, _position, case_id in sorted(hits)]
