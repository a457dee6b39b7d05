"""Benchmark: matching typed messages to intents (bot/content/intents.py, data/intents.csv).

    python bench/intents.py [--messages 20000] [--seed 15]

Pins itself to one CPU core and times IntentMatcher.match on a mix of messages
as returnees type them: the phrase lists' own words inside longer sentences,
Khmer without spaces, zero-width spaces, characters typed in another order,
one-letter typos in both scripts, Khmer digits, mixed Khmer and English, long
messages (a whole story) and messages that match nothing. The cache of the
matcher is bypassed, so every message is matched from scratch. Prints the time
per message (p50, p95, p99, max) by kind and overall, in wall-clock time and, overall,
in CPU time (on a shared machine the wall-clock tail is other processes' time slices).
Target: under 1 ms per message.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.content.intents import load_intents
from domain.khmer import KHMER_DIGITS

KHMER_FILL = ("ខ្ញុំ", "បាទ", "ចាស", "សូម", "បង", "ថៅកែ", "នៅ", "ថៃ", "ឥឡូវ", "ហើយ", "ទេ",
              "ព្រោះ", "ពី", "ខែមុន", "ណាស់", "គាត់")
LATIN_FILL = ("i", "my", "the", "boss", "please", "now", "in", "thailand", "they", "and",
              "last", "month", "we", "are", "very", "worried")
NONSENSE = ("qwzx", "plorb", "asdf", "zzz", "ok ok", "???", "😀😀", "៛៛", "xyzzy", "blah")
_KHMER_DIGIT = str.maketrans("0123456789", KHMER_DIGITS)


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    return rng.choice((word[:i] + word[i + 1:], word[:i] + word[i + 1] + word[i] + word[i + 2:]))


def messages(matcher, count: int, rng: random.Random) -> list[tuple[str, str]]:
    khmer = [p.text for p in matcher.phrases if not p.text.isascii()]
    latin = [p.text for p in matcher.phrases if p.text.isascii()]
    out = []
    for _ in range(count):
        kind = rng.choice(("khmer", "khmer typo", "khmer zwsp", "latin", "latin typo", "mixed",
                           "story", "nothing"))
        if kind.startswith("khmer"):
            phrase = rng.choice(khmer)
            phrase = typo(phrase, rng) if kind == "khmer typo" else phrase
            words = [*rng.sample(KHMER_FILL, 3), phrase, *rng.sample(KHMER_FILL, 2)]
            sep = "\u200b" if kind == "khmer zwsp" else ""
            text = sep.join(words) + f" {rng.randint(1, 12)}".translate(_KHMER_DIGIT)
        elif kind.startswith("latin"):
            phrase = rng.choice(latin)
            phrase = " ".join(typo(w, rng) for w in phrase.split()) if kind == "latin typo" \
                else phrase
            text = " ".join([*rng.sample(LATIN_FILL, 3), phrase, *rng.sample(LATIN_FILL, 2)])
        elif kind == "mixed":
            text = f"{rng.choice(khmer)} {rng.choice(latin)} {rng.choice(LATIN_FILL)}"
        elif kind == "story":  # a long message: only its first part is matched
            text = " ".join(rng.choice(KHMER_FILL + LATIN_FILL) for _ in range(120))
        else:
            text = " ".join(rng.sample(NONSENSE, 2))
        out.append((kind, text))
    return out


def pin_to_one_core() -> str:
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        return f"pinned to CPU {min(os.sched_getaffinity(0))}"
    except (AttributeError, OSError):
        return "not pinned"


def figures(times: list[float]) -> str:
    ordered = sorted(times)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return (f"p50 {statistics.median(ordered) * 1000:.3f} ms  p95 {pick(0.95):.3f} ms  "
            f"p99 {pick(0.99):.3f} ms  max {ordered[-1] * 1000:.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    pinned = pin_to_one_core()
    started = time.perf_counter()
    matcher = load_intents()
    loaded = time.perf_counter() - started
    rng = random.Random(args.seed)
    batch = messages(matcher, args.messages, rng)
    for _, text in batch[:200]:  # warm-up
        matcher._match(text)
    by_kind: dict[str, list[float]] = {}
    cpu: list[float] = []
    matched: dict[str, int] = {}
    for kind, text in batch:
        start, start_cpu = time.perf_counter(), time.thread_time()
        result = matcher._match(text)  # not the cached match(): every message from scratch
        cpu.append(time.thread_time() - start_cpu)
        by_kind.setdefault(kind, []).append(time.perf_counter() - start)
        matched[kind] = matched.get(kind, 0) + (result is not None)
    print(f"intent matching: {len(matcher.phrases)} phrases in {len(matcher.intents)} intents "
          f"(loaded in {loaded * 1000:.0f} ms); {len(batch)} messages; "
          f"{platform.machine()}, Python {platform.python_version()}, {pinned}")
    for kind, times in sorted(by_kind.items()):
        print(f"  {kind:<11} {len(times):6d}  matched {matched[kind] / len(times):6.1%}  "
              f"{figures(times)}")
    everything = [t for times in by_kind.values() for t in times]
    print(f"  {'all':<11} {len(everything):6d}  {figures(everything)}  "
          f"({len(everything) / sum(everything):,.0f} messages/s)")
    # On a shared machine the wall-clock tail is mostly other processes; CPU time is ours.
    print(f"  {'all, CPU':<11} {len(cpu):6d}  {figures(cpu)}")


if __name__ == "__main__":
    main()
