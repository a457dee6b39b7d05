"""Finding an agency by what a person typed: name (Khmer or Latin) or licence number.

Built once per registry import into memory, so a search never touches SQL:
- exact: dictionaries from the compact comparison key of every name, alias and
  licence number to agency ids;
- approximate: a character-trigram inverted index proposes a few dozen
  candidates, and only those are scored with difflib (never the whole list).
`RegistryCache.get()` rebuilds the index when the newest import id changes,
which also catches an import made by the CLI in another process.
"""
from __future__ import annotations

import asyncio
import functools
import heapq
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from bot.content.recruiter_registry import licence_key
from domain.khmer import comparison_form
from storage import recruiters as registry_store
from storage.db import Database
from storage.recruiters import ImportRecord, Recruiter

# Legal-form and "company" words that say nothing about which agency is meant.
# Distinctive words such as "Manpower" or "Recruitment" are kept on purpose.
GENERIC_LATIN = frozenset({
    "co", "company", "ltd", "limited", "corp", "corporation", "inc", "incorporated",
    "plc", "llc", "pte", "the",
})
GENERIC_KHMER = ("ក្រុមហ៊ុន", "ខូអិលធីឌី", "ឯ.ក")  # company, "Co., Ltd", sole proprietor

GENERIC_SLIP = 0.8      # similarity from which a word is taken as a misspelt generic word
MAX_CANDIDATES = 5      # buttons offered for an approximate match
THRESHOLD = 0.75        # difflib ratio from which a name counts as a near match
PARTIAL_SCORE = 0.8     # the typed text is a whole part of a longer name
MIN_PARTIAL = 4         # characters needed before a part of a name counts
SHORTLIST = 40          # candidates scored after the trigram vote
COMMON_TRIGRAM = 0.05   # trigrams in more than this share of names do not vote...
MIN_VOTERS = 3          # ...unless fewer than this many rarer ones remain


def name_words(text: str) -> list[str]:
    """The words of a name for matching: comparison form, punctuation and generic words gone."""
    form = comparison_form(text)
    for word in GENERIC_KHMER:
        form = form.replace(word, " ")
    form = "".join(ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in form)
    words = form.split()
    kept = [w for w in words if w not in GENERIC_LATIN and not _misspelt_generic(w)]
    return kept or words  # a name made only of generic words still matches itself


_LONG_GENERIC = tuple(w for w in (*GENERIC_LATIN, *GENERIC_KHMER) if len(w) >= 5)


@functools.lru_cache(maxsize=65_536)  # names share most of their words
def _misspelt_generic(word: str) -> bool:
    """"ក្រមុហ៊ុន", "compnay": a long generic word typed with a slip is still generic."""
    if len(word) < 5:
        return False
    matcher = SequenceMatcher(None, word)
    for generic in _LONG_GENERIC:
        if abs(len(generic) - len(word)) > 2:
            continue
        matcher.set_seq2(generic)
        if matcher.real_quick_ratio() >= GENERIC_SLIP and matcher.ratio() >= GENERIC_SLIP:
            return True
    return False


def name_key(text: str) -> str:
    """Spaces dropped too: "Sok San" and "Soksan" are the same key."""
    return "".join(name_words(text))


def similarity(typed: str, name: str, matcher: SequenceMatcher | None = None) -> float:
    """How well a typed key matches a name's key: difflib's ratio when it reaches
    THRESHOLD, PARTIAL_SCORE when the typed key is a whole part of the name, else 0.
    Also used for finding cases (bot/content/case_search.py). `matcher` may hold `typed` as seq2."""
    if matcher is None:
        matcher = SequenceMatcher(None, b=typed, autojunk=False)
    matcher.set_seq1(name)
    score = matcher.ratio() if matcher.real_quick_ratio() >= THRESHOLD else 0.0
    if score < THRESHOLD and len(typed) >= MIN_PARTIAL and typed in name:
        score = PARTIAL_SCORE
    return score if score >= THRESHOLD else 0.0


def _trigrams(key: str) -> set[str]:
    padded = f"^{key}$"
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


@dataclass(frozen=True)
class SearchResult:
    query: str                   # normalised, for the search log
    query_key: str
    exact: tuple[int, ...]       # agency ids that match exactly (name, alias or licence)
    near: tuple[int, ...] = ()   # up to MAX_CANDIDATES ids, best first, when none is exact

    @property
    def kind(self) -> str:
        if len(self.exact) == 1:
            return "exact"
        if self.exact:
            return "several"
        return "approximate" if self.near else "none"


@dataclass
class RecruiterIndex:
    """Every agency of one import, ready for searching in memory."""

    recruiters: list[Recruiter]
    latest: ImportRecord | None = None
    by_id: dict[int, Recruiter] = field(init=False)

    def __post_init__(self) -> None:
        stored = [(r.id, r) for r in self.recruiters if r.id is not None]  # listed ones have ids
        self.by_id = dict(stored)
        self._names: dict[str, set[int]] = defaultdict(set)
        self._licences: dict[str, set[int]] = defaultdict(set)
        self._variants: list[tuple[str, int]] = []  # (key, agency id), trigram-indexed
        self._postings: dict[str, list[int]] = defaultdict(list)
        for rid, r in stored:
            keys = {name_key(n) for n in (r.name_latin, r.name_khmer, *r.aliases) if n}
            keys.discard("")
            for key in keys:
                self._names[key].add(rid)
            lic = licence_key(r.licence_no)
            if lic:
                self._licences[lic].add(rid)
                keys.add(lic)
            for key in keys:
                self._add_variant(key, rid)
        self._common = max(int(len(self._variants) * COMMON_TRIGRAM), 50)

    def _add_variant(self, key: str, recruiter_id: int) -> None:
        number = len(self._variants)
        self._variants.append((key, recruiter_id))
        for gram in _trigrams(key):
            self._postings[gram].append(number)

    @property
    def is_empty(self) -> bool:
        return not self.recruiters

    @property
    def import_id(self) -> int | None:
        return self.latest.id if self.latest else None

    def search(self, text: str) -> SearchResult:
        words = name_words(text)
        query, key = " ".join(words), "".join(words)
        exact = set(self._names.get(key, ()))
        lic = licence_key(text)
        exact |= self._licences.get(lic, set())
        if exact:
            return SearchResult(query, key, tuple(sorted(exact)))
        return SearchResult(query, key, (), self._near(key))

    def _near(self, key: str) -> tuple[int, ...]:
        if len(key) < 3:
            return ()
        postings = sorted((self._postings.get(g, ()) for g in _trigrams(key)), key=len)
        postings = [p for p in postings if p]
        voters = [p for p in postings if len(p) <= self._common] or postings[:MIN_VOTERS]
        if len(voters) < MIN_VOTERS:
            voters = postings[:MIN_VOTERS]
        votes: dict[int, int] = defaultdict(int)
        for posting in voters:
            for number in posting:
                votes[number] += 1
        shortlist = heapq.nlargest(SHORTLIST, votes.items(), key=lambda item: item[1])
        best: dict[int, float] = {}
        matcher = SequenceMatcher(autojunk=False)
        matcher.set_seq2(key)
        for number, _ in shortlist:
            variant, recruiter_id = self._variants[number]
            score = similarity(key, variant, matcher)
            if score >= THRESHOLD and score > best.get(recruiter_id, 0.0):
                best[recruiter_id] = score
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        return tuple(recruiter_id for recruiter_id, _ in ranked[:MAX_CANDIDATES])


class RegistryCache:
    """The index of the registry as it is now; one per running bot."""

    def __init__(self) -> None:
        self.index: RecruiterIndex | None = None
        # People are served in parallel: the first lookup builds the index, the others
        # wait for it instead of each building their own.
        self._building = asyncio.Lock()

    async def get(self, db: Database) -> RecruiterIndex:
        """The current index, rebuilt only when another import has happened since."""
        latest = await registry_store.latest_import(db)
        latest_id = latest.id if latest else None
        if self.index is not None and self.index.import_id == latest_id:
            return self.index
        async with self._building:
            if self.index is None or self.index.import_id != latest_id:
                rows = await registry_store.all_recruiters(db) if latest else []
                # Building takes a while for a big list: off the event loop, so other
                # people's messages are still answered meanwhile.
                self.index = await asyncio.to_thread(RecruiterIndex, rows, latest)
        return self.index
