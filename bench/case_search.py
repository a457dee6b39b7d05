"""How long /search takes on a big caseload: prints figures, not a test.

Generates N cases (mixed Khmer and Latin employers, recruiters, workplaces, named and
anonymous reporters) in a temporary database, then times whole searches as /search runs
them (the filtered SQL read plus the matching in bot/content/case_search.py) for Latin words,
misspelt words, Khmer, a name, and a search with a filter.

    python bench/case_search.py [--cases 1000 5000]
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from bot.content import case_search
from bot.content.provinces import load_provinces
from storage import cases, desk_search, users
from storage.cases import NewCase
from storage.db import Database

LATIN = ["Sunrise", "Golden", "Lotus", "Mekong", "Royal", "Siam", "Asia", "Star", "Green",
         "Ocean", "Poultry", "Seafood", "Rubber", "Garment", "Farm", "Factory", "Palm"]
KHMER = ["ស៊ុនរ៉ាយ", "មាស", "ឈូក", "មេគង្គ", "រាជ", "សៀម", "ផ្កាយ", "បៃតង", "កសិកម្ម",
         "រោងចក្រ", "កៅស៊ូ"]
NAMES = ["Sokha", "Dara", "Vanna", "Sophea", "Chenda", "Rith", "Bopha", "Mony"]
QUERIES = {
    "latin words": "Sunrise Poultry",
    "misspelt": "Sunrse Poltry",
    "khmer": "ស៊ុនរ៉ាយ",
    "name": "Sokha",
    "with filter": "golden province:chonburi",
}


async def seed(db: Database, count: int, rng: random.Random) -> None:
    provinces = [p.key for p in load_provinces().all]
    await users.get_or_create(db, 1, "km")
    for _ in range(count):
        words = rng.sample(LATIN, 2) if rng.random() < 0.6 else rng.sample(KHMER, 2)
        anonymous = rng.random() < 0.3
        await cases.create(db, NewCase(
            kind="G", draft_id=uuid.uuid4().hex, reporter_id=1, reporter_language="km",
            category="documents", contact="chat", employer=" ".join(words) + " Co., Ltd",
            workplace=f"{rng.choice(LATIN)} site {rng.randint(1, 99)}",
            recruiter_name=f"{rng.choice(LATIN)} Manpower", province=rng.choice(provinces),
            anonymous=anonymous,
            reporter_name=None if anonymous else f"{rng.choice(NAMES)} {rng.randint(1, 500)}"))


async def bench(count: int) -> None:
    rng = random.Random(count)
    with tempfile.TemporaryDirectory() as folder:
        async with await Database.open(Path(folder) / "bench.sqlite3") as db:
            await seed(db, count, rng)
            provinces = load_provinces()
            for label, typed in QUERIES.items():
                timings, found = [], 0
                for _ in range(15):
                    started = time.perf_counter()
                    query = case_search.parse(typed, provinces, ["documents"])
                    rows = await desk_search.searchable(db, query.filters)
                    found_ids = case_search.search(query.text, rows, provinces)
                    await desk_search.by_ids(db, found_ids[:10])  # the first page
                    found = len(found_ids)
                    timings.append((time.perf_counter() - started) * 1000)
                timings.sort()
                print(f"{count:>6} cases  {label:<12} p50 {statistics.median(timings):7.1f} ms"
                      f"  max {timings[-1]:7.1f} ms  ({found} found)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, nargs="+", default=[1000, 5000])
    for count in parser.parse_args().cases:
        asyncio.run(bench(count))


if __name__ == "__main__":
    main()
