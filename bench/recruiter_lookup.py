"""Benchmark: recruiter lookups over a generated registry of 10,000 agencies.

    python bench/recruiter_lookup.py [--agencies 10000] [--queries 5000] [--seed 4]

Pins itself to one CPU core, builds the registry (mixed Khmer and Latin names,
aliases, licence numbers), stores it in a temporary SQLite file, and times
mixed queries: exact names in any case with company words dropped, Khmer names
with zero-width spaces, licence numbers in Khmer digits, misspellings in both
scripts, and names that are not listed. Prints p50/p95/p99 and throughput for
the in-memory search alone and for the whole lookup the flow makes (the
registry-changed check in SQLite plus the search). Target: p99 <= 10 ms.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.content.recruiter_search import RecruiterIndex, RegistryCache
from domain.khmer import KHMER_DIGITS
from storage import recruiters as registry_store
from storage.db import Database
from storage.recruiters import STATUSES, Recruiter

LATIN_WORDS = ["angkor", "golden", "lotus", "mekong", "bright", "harvest", "river", "crane", "jade",
               "mountain", "silver", "star", "royal", "phnom", "kampot", "tonle", "sap", "lucky", "dragon",
               "eagle", "apsara", "naga", "sunrise", "ocean", "pearl", "diamond", "emerald", "victory",
               "unity", "asia", "pacific", "global", "prime", "smart", "green", "blue", "red", "white",
               "chanthou", "sokha", "dara", "bopha", "vannak", "rithy", "sophea", "kosal", "heng", "chea",
               "sok", "san", "lim", "meng", "ly", "pich", "rath", "seng", "tola", "vuthy", "nimol", "kanha",
               "serey", "malis", "sreymom", "dararith"]
LATIN_KINDS = ("Manpower Co., Ltd", "Recruitment Co., Ltd", "Workers Co., Ltd",
               "Human Resources Co., Ltd", "Manpower", "Employment Agency Co., Ltd")
KHMER_WORDS = ["ពន្លឺ", "ចំការ", "ឈូក", "មាស", "ទន្លេ", "ប្រាក់", "ក្រៀល", "ភ្នំ", "ផ្កាយ", "ព្រឹក",
               "អង្គរ", "សុខ", "សាន្ត", "មេគង្គ", "រស្មី", "ពេជ្រ", "ត្បូង", "សិរី", "មង្គល", "ជ័យ", "ស្រី",
               "ខ្មែរ", "នាគ", "អប្សរា", "ឥន្ទ្រ", "ថ្មី", "ធំ", "ល្អ", "បុប្ផា", "ដារា", "វណ្ណៈ", "សុភា",
               "កុសល", "ហេង", "ជា", "លីម", "ម៉េង", "រដ្ឋ", "តុលា", "វុទ្ធី", "និមល"]
UNKNOWN_WORDS = ["shadow", "crossing", "night", "bird", "fast", "cash", "easy", "jobs", "border", "express",
                 "trusted"]
_KHMER_DIGIT = str.maketrans("0123456789", KHMER_DIGITS)


def generate(count: int, rng: random.Random) -> list[Recruiter]:
    agencies = []
    for number in range(1, count + 1):
        latin = " ".join(rng.sample(LATIN_WORDS, rng.choice((2, 2, 3)))).title()
        khmer = "".join(rng.sample(KHMER_WORDS, rng.choice((2, 3))))
        has_latin, has_khmer = rng.random() > 0.1, rng.random() > 0.2
        if not has_latin and not has_khmer:
            has_latin = True
        agencies.append(Recruiter(
            licence_no=f"ML-{number:05d}/{rng.choice((2023, 2024, 2025))}",
            name_latin=f"{latin} {rng.choice(LATIN_KINDS)}" if has_latin else "",
            name_khmer=f"ក្រុមហ៊ុន {khmer}" if has_khmer else "",
            aliases=(latin,) if rng.random() < 0.2 else (),
            status=rng.choices(STATUSES, weights=(85, 5, 5, 5))[0],
            valid_until=f"{rng.randint(2024, 2030)}-{rng.randint(1, 12):02d}-28",
            destinations=tuple(rng.sample(("Thailand", "Japan", "Malaysia", "Singapore"), 2)),
            address="",
            source="Benchmark (generated)",
            as_of="2026-10-01",
        ))
    return agencies


def misspell(text: str, rng: random.Random, edits: int) -> str:
    chars = list(text)
    for _ in range(edits):
        at = rng.randrange(1, len(chars) - 1)
        kind = rng.choice(("drop", "swap", "replace"))
        if kind == "drop":
            del chars[at]
        elif kind == "swap":
            chars[at], chars[at + 1] = chars[at + 1], chars[at]
        else:
            chars[at] = rng.choice("aeiourstnl") if chars[at].isascii() else chars[at - 1]
    return "".join(chars)


def queries(agencies: list[Recruiter], count: int, rng: random.Random) -> list[tuple[str, str, int | None]]:
    """(kind, text, position of the agency meant or None) in a fixed mix."""
    latin = [n for n, a in enumerate(agencies) if a.name_latin]
    khmer = [n for n, a in enumerate(agencies) if a.name_khmer]
    made = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.20:
            n = rng.choice(latin)
            name = agencies[n].name_latin.replace(" Co., Ltd", "")
            text = "  " + rng.choice((name.upper(), name.lower(), name)) + " "
            made.append(("exact latin", text, n))
        elif roll < 0.35:
            n = rng.choice(khmer)
            made.append(("khmer + zwsp", agencies[n].name_khmer.replace(" ", "\u200b"), n))
        elif roll < 0.50:
            n = rng.randrange(len(agencies))
            made.append(("licence, khmer digits", agencies[n].licence_no.translate(_KHMER_DIGIT), n))
        elif roll < 0.75:
            n = rng.choice(latin)
            name = agencies[n].name_latin.replace(" Co., Ltd", "")
            made.append(("misspelt latin", misspell(name, rng, rng.choice((1, 2))), n))
        elif roll < 0.85:
            n = rng.choice(khmer)
            made.append(("misspelt khmer", misspell(agencies[n].name_khmer, rng, 1), n))
        else:
            text = " ".join(rng.sample(UNKNOWN_WORDS, 3)).title() + " Co., Ltd"
            made.append(("not listed", text, None))
    return made


def percentile(sorted_ms: list[float], p: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, round(p / 100 * (len(sorted_ms) - 1)))]


def report(label: str, samples_ns: list[int]) -> None:
    ms = sorted(ns / 1e6 for ns in samples_ns)
    total_s = sum(samples_ns) / 1e9
    print(f"{label:<38} p50 {percentile(ms, 50):6.3f} ms  p95 {percentile(ms, 95):6.3f} ms  "
          f"p99 {percentile(ms, 99):6.3f} ms  max {ms[-1]:6.3f} ms  "
          f"{len(ms) / total_s:8.0f} lookups/s")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    rng = random.Random(args.seed)
    agencies = generate(args.agencies, rng)
    mix = queries(agencies, args.queries, rng)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores (pinned to 1), "
          f"Python {platform.python_version()}, {platform.platform(terse=True)}")
    print(f"registry: {len(agencies)} agencies; queries: {len(mix)}")

    with tempfile.TemporaryDirectory() as folder:
        async with await Database.open(Path(folder) / "bench.sqlite3") as db:
            started = time.perf_counter()
            await registry_store.replace_registry(db, agencies, file_name="bench.csv", is_sample=False)
            print(f"import (one transaction): {time.perf_counter() - started:.2f} s")
            cache = RegistryCache()
            started = time.perf_counter()
            index: RecruiterIndex = await cache.get(db)
            print(f"index load and build: {time.perf_counter() - started:.2f} s")

            for _, text, _ in mix[:200]:  # warm-up
                index.search(text)
            ids = [r.id for r in index.recruiters]  # same order as generated
            by_kind: dict[str, list[int]] = {}
            hits: dict[str, int] = {}
            search_ns = []
            for kind, text, meant in mix:
                t0 = time.perf_counter_ns()
                result = index.search(text)
                elapsed = time.perf_counter_ns() - t0
                search_ns.append(elapsed)
                by_kind.setdefault(kind, []).append(elapsed)
                offered = result.exact or result.near
                hit = (ids[meant] in offered) if meant is not None else not offered
                hits[kind] = hits.get(kind, 0) + hit

            lookup_ns = []
            for _, text, _ in mix:
                t0 = time.perf_counter_ns()
                (await cache.get(db)).search(text)
                lookup_ns.append(time.perf_counter_ns() - t0)

    print()
    report("search (in memory), all queries", search_ns)
    report("lookup (change check + search)", lookup_ns)
    print("by kind (right: the agency meant is offered; for not listed: nothing offered)")
    for kind, samples in sorted(by_kind.items()):
        report(f"  {kind} ({hits[kind] / len(samples):.0%} right)", samples)
    print(f"\nmean search {statistics.mean(search_ns) / 1e6:.3f} ms; target p99 <= 10 ms")


if __name__ == "__main__":
    asyncio.run(main())
