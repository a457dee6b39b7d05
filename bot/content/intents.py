"""What a person means when they type instead of pressing a button (data/intents.csv).

Pure: no Telegram, no SQL, no network, no model. Staff edit the phrase lists in
data/intents.csv (intent, language, phrases separated by `;`); a phrase made
of several words matches when every word is in the message, in any order.

Matching, after the same normalisation of phrases and message (Khmer and Latin
digits, zero-width spaces, Khmer character order via domain.khmer, case, punctuation):
- Khmer words are looked for inside the message without its spaces (Khmer is
  written without them), Latin words as whole words; a Latin word of 5 letters
  or more also matches the start of a longer word ("recruit" in "recruiter");
- one typo is forgiven: a letter missing or two swapped in words of 4 characters
  or more, also a letter wrong or extra from 5 ("back" is not "bank"); such a
  match counts less than an exact one;
- the intent with the longest matched phrase wins; a tie goes to the intent
  listed first in INTENTS; an emergency phrase wins even over a slightly longer
  match ("they beat me and did not pay me"): safety before everything. The
  next best intent is kept too, so the answer can offer it as well.
A character-bigram index keeps the typo search to a few candidates, so a message
is matched in well under a millisecond (bench/intents.py).
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from bot.content.datafile import DataFileError, read_rows
from bot.resources import data_file
from domain.khmer import clean_input, normalise_order

COLUMNS = ["intent", "language", "phrases"]
LANGUAGES = ("km", "en")
# Every intent the bot can answer, in order of precedence when two match equally well.
INTENTS = (
    "emergency", "wages", "recruiter", "passport", "id_card", "idpoor", "documents",
    "jobs", "loans", "benefits", "safe_migration", "person", "greeting", "thanks",
)
# When nothing matches and nothing is close: the topics people ask about most.
DEFAULT_SUGGESTIONS = ("wages", "recruiter", "documents", "benefits", "safe_migration")
EMERGENCY = "emergency"
EMERGENCY_MARGIN = 2   # an emergency phrase wins over a match up to this much longer
MAX_CHARS = 300        # of a message that are matched (a long story is not a question)
MIN_FUZZY = 4          # characters a word needs before a typo in it is forgiven...
MIN_ANY_TYPO = 5       # ...a wrong or extra one from this length: "back" is not "bank"
MIN_PREFIX = 5         # letters a Latin word needs before it matches the start of a longer one
FUZZY_WEIGHT = 0.75    # a match with a typo counts this much of an exact one
PREFIX_WEIGHT = 0.9

# Question words around a name ("is ... licensed?", "តើ ... មានអាជ្ញាប័ណ្ណទេ").
LATIN_FILLER = frozenset({
    "is", "it", "this", "that", "the", "a", "an", "ok", "okay", "please", "can", "you", "i",
    "we", "my", "want", "to", "about", "of", "check", "or", "not", "real", "good", "legal",
    "safe", "does", "do", "have", "has", "with", "for", "me", "tell", "know",
})
KHMER_FILLER = frozenset({"តើ", "មាន", "ទេ", "នេះ", "ឬទេ", "ឬអត់", "អត់", "ដែរឬទេ", "ពិនិត្យ",
                          "ស្របច្បាប់", "ឈ្មោះ", "សូម"})
_KHMER_RUN = re.compile(r"[\u1780-\u17d3\u17dd]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+")


class IntentFileError(DataFileError):
    """data/intents.csv is malformed; the message names the line."""


@dataclass(frozen=True)
class Message:
    """A message in matching form: its Latin words and its Khmer letters without spaces."""

    words: frozenset[str]
    khmer: str


def message_form(text: str) -> Message:
    form = normalise(text[:MAX_CHARS])
    return Message(frozenset(_LATIN_WORD.findall(form)), "".join(_KHMER_RUN.findall(form)))


def normalise(text: str) -> str:
    """Digits ASCII, invisibles gone, Khmer in canonical order, Latin case-folded and
    without accents, everything but letters and digits a space."""
    text = "".join(ch if ch.isascii() or "\u1780" <= ch <= "\u17ff" else _plain(ch)
                   for ch in normalise_order(clean_input(text)).casefold())
    text = "".join(ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in text)
    # Khmer next to Latin ("ប្រាក់ខែsalary") are two words.
    text = re.sub(r"(?<=[\u1780-\u17ff])(?=[a-z0-9])|(?<=[a-z0-9])(?=[\u1780-\u17ff])", " ", text)
    return " ".join(text.split())


def _plain(ch: str) -> str:
    """é -> e, full-width Ｍ -> m: compatibility forms and accents off (never Khmer)."""
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))


@dataclass(frozen=True)
class Term:
    """One word of a phrase, in matching form."""

    text: str
    khmer: bool


@dataclass(frozen=True)
class Phrase:
    intent: str
    text: str                  # as normalised, for reports
    terms: tuple[Term, ...]

    @property
    def weight(self) -> int:
        return sum(len(term.text) for term in self.terms)


@dataclass(frozen=True)
class Match:
    intent: str
    score: float
    phrase: str                # the phrase that matched, normalised
    second: str | None = None  # the next best intent, offered as well


class IntentMatcher:
    def __init__(self, phrases: list[Phrase]) -> None:
        self.phrases = phrases
        self.intents = tuple(i for i in INTENTS if any(p.intent == i for p in phrases))
        terms = {t for p in phrases for t in p.terms}
        self._khmer_terms = sorted(t.text for t in terms if t.khmer)
        self._latin_terms = frozenset(t.text for t in terms if not t.khmer)
        self._stems = frozenset(t for t in self._latin_terms if len(t) >= MIN_PREFIX)
        # Typo search: the words that share a bigram with the message are the only candidates.
        self._bigrams: dict[str, list[str]] = defaultdict(list)
        for term in self._khmer_terms:
            if len(term) >= MIN_FUZZY:
                for gram in _bigrams(term):
                    self._bigrams[gram].append(term)
        self._deletes: dict[str, set[str]] = defaultdict(set)  # Latin: one letter left out
        for term in self._latin_terms:
            if len(term) >= MIN_FUZZY:
                self._deletes[term].add(term)
                for variant in _deletions(term):
                    self._deletes[variant].add(term)

    # -- matching ------------------------------------------------------------------
    def match(self, text: str) -> Match | None:
        """The intent the text most likely means, or None when no phrase matches."""
        return _cached_match(self, text)

    def _match(self, text: str) -> Match | None:
        found = self.term_scores(message_form(text))
        best: dict[str, tuple[float, str]] = {}  # intent -> (score, phrase)
        for phrase in self.phrases:
            score = 0.0
            for term in phrase.terms:
                weight = found.get(term.text)
                if weight is None:
                    break
                score += weight * len(term.text)
            else:
                if score > best.get(phrase.intent, (0.0, ""))[0]:
                    best[phrase.intent] = (score, phrase.text)
        if not best:
            return None
        ranked = sorted(best, key=lambda i: (-best[i][0], self._rank(i)))
        if EMERGENCY in best and ranked[0] != EMERGENCY \
                and best[EMERGENCY][0] >= best[ranked[0]][0] - EMERGENCY_MARGIN:
            ranked.remove(EMERGENCY)
            ranked.insert(0, EMERGENCY)  # safety first: "beat me and did not pay me"
        winner = ranked[0]
        return Match(winner, best[winner][0], best[winner][1],
                     ranked[1] if len(ranked) > 1 else None)

    def term_scores(self, message: Message) -> dict[str, float]:
        """Every phrase word the message contains, with 1 for exact and less for a typo."""
        found: dict[str, float] = {}
        for word in message.words:
            if word in self._latin_terms:
                found[word] = 1.0
        for word in message.words:
            for end in range(MIN_PREFIX, len(word)):
                stem = word[:end]
                if stem in self._stems:
                    found.setdefault(stem, PREFIX_WEIGHT)
            if len(word) >= MIN_FUZZY - 1:
                for variant in (word, *_deletions(word)):
                    for term in self._deletes.get(variant, ()):
                        if term not in found and _one_edit(word, term,
                                                           len(term) >= MIN_ANY_TYPO):
                            found[term] = FUZZY_WEIGHT
        khmer = message.khmer
        if khmer:
            for term in self._khmer_terms:
                if term in khmer:
                    found[term] = 1.0
            for term in self._khmer_candidates(khmer):
                if term not in found and _near_substring(term, khmer):
                    found[term] = FUZZY_WEIGHT
        return found

    def _khmer_candidates(self, khmer: str) -> set[str]:
        """Khmer words sharing enough bigrams with the message to be one typo away."""
        votes = Counter(chain.from_iterable(self._bigrams.get(g, ()) for g in _bigrams(khmer)))
        return {term for term, count in votes.items() if count >= max(1, len(term) - 4)}

    def without_words_of(self, intent: str, text: str, own_too: bool = True) -> str:
        """The text without question words and (own_too) the intent's own words: "is Demo
        Manpower licensed?" -> "demo" ("demo manpower" without own_too): a name typed with
        the words around it."""
        own = {t.text for p in self.phrases if p.intent == intent for t in p.terms} \
            if own_too else set()
        form = normalise(text[:MAX_CHARS])
        for term in sorted((t for t in own | KHMER_FILLER if not t.isascii()), key=len,
                           reverse=True):
            form = form.replace(term, " ")
        words = [w for w in form.split() if w not in own and w not in LATIN_FILLER]
        return " ".join(words)

    def suggestions(self, text: str, count: int = 3) -> list[str]:
        """The `count` intents the text is closest to (for "did you mean"), best first."""
        message = message_form(text)
        grams = _bigrams(message.khmer) | {g for w in message.words for g in _bigrams(w)}
        closeness: dict[str, float] = defaultdict(float)
        if grams:
            for phrase in self.phrases:
                for term in phrase.terms:
                    term_grams = _bigrams(term.text)
                    if term_grams:
                        share = len(term_grams & grams) / len(term_grams)
                        closeness[phrase.intent] = max(closeness[phrase.intent], share)
        ranked = sorted((i for i in self.intents if closeness[i] >= 0.5 and i not in _SMALL_TALK),
                        key=lambda i: (-closeness[i], self._rank(i)))
        for intent in DEFAULT_SUGGESTIONS:
            if intent not in ranked:
                ranked.append(intent)
        return ranked[:count]

    def _rank(self, intent: str) -> int:
        return INTENTS.index(intent)


_SMALL_TALK = ("greeting", "thanks")


@functools.lru_cache(maxsize=512)  # a filter and a handler may ask about the same message
def _cached_match(matcher: IntentMatcher, text: str) -> Match | None:
    return matcher._match(text)


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1:] for i in range(len(word))]


def _one_edit(typed: str, term: str, any_typo: bool = True) -> bool:
    """At most one letter missing or two neighbours swapped; with any_typo also one letter
    wrong or extra."""
    if typed == term:
        return True
    if abs(len(typed) - len(term)) > 1 or (len(typed) > len(term) and not any_typo):
        return False
    if len(typed) == len(term):
        diff = [i for i in range(len(typed)) if typed[i] != term[i]]
        if len(diff) == 1:
            return any_typo
        return len(diff) == 2 and diff[1] == diff[0] + 1 \
            and typed[diff[0]] == term[diff[1]] and typed[diff[1]] == term[diff[0]]
    short, long = (typed, term) if len(typed) < len(term) else (term, typed)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


@functools.lru_cache(maxsize=4096)
def _typo_pattern(term: str) -> re.Pattern:
    """The term with one character wrong or one extra (a missing one is a deletion)."""
    options = [re.escape(term[:i]) + "." + re.escape(term[i + 1:]) for i in range(len(term))]
    options += [re.escape(term[:i]) + "." + re.escape(term[i:]) for i in range(1, len(term))]
    return re.compile("|".join(options))


def _near_substring(term: str, text: str) -> bool:
    """Somewhere in `text` is `term` with one sign missing or two swapped, or (a term of
    MIN_ANY_TYPO or more) one wrong or extra."""
    if any(variant in text for variant in _deletions(term)):
        return True
    if any(term[:i] + term[i + 1] + term[i] + term[i + 2:] in text for i in range(len(term) - 1)):
        return True
    return len(term) >= MIN_ANY_TYPO and _typo_pattern(term).search(text) is not None


# -- the data file ---------------------------------------------------------------------
def parse_phrase(intent: str, raw: str) -> Phrase | None:
    form = normalise(raw)
    terms = []
    for word in form.split():
        khmer = "".join(_KHMER_RUN.findall(word))
        if khmer:
            terms.append(Term(khmer, True))
        terms += [Term(w, False) for w in _LATIN_WORD.findall(word)]
    return Phrase(intent, form, tuple(terms)) if terms else None


def intents_path() -> Path:
    """data/intents.csv (HOTLINE_DATA_DIR's copy if set)."""
    return data_file("intents.csv")


def load_intents(path: Path | None = None) -> IntentMatcher:
    return _load_intents(path or intents_path())


@functools.cache
def _load_intents(path: Path) -> IntentMatcher:
    phrases: list[Phrase] = []
    for where, row in read_rows(path, COLUMNS, IntentFileError):
        if row["intent"] not in INTENTS:
            raise IntentFileError(f"{where}: intent {row['intent']!r} is not one of "
                                  f"{', '.join(INTENTS)}")
        if row["language"] not in LANGUAGES:
            raise IntentFileError(f"{where}: language must be km or en")
        for raw in row["phrases"].split(";"):
            if not raw.strip():
                continue
            phrase = parse_phrase(row["intent"], raw)
            if phrase is None:
                raise IntentFileError(f"{where}: phrase {raw.strip()!r} has no letters")
            phrases.append(phrase)
    return IntentMatcher(phrases)
