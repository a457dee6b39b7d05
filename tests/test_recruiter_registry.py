"""The registry file (parsing, faults, rendering), the search index, and the storage."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.content.recruiter_registry import (
    RegistryFileError,
    effective_status,
    parse_registry,
    render_registry,
)
from bot.content.recruiter_search import RecruiterIndex, RegistryCache, name_key
from storage import recruiters as registry_store
from storage.db import Database
from tests.recruiter_data import HEADER, SAMPLE_FILE, TEST_LIST, load


def index_of(text: str = TEST_LIST) -> RecruiterIndex:
    rows = parse_registry(text.encode()).recruiters
    return RecruiterIndex([replace(r, id=n) for n, r in enumerate(rows, start=1)])


def test_a_good_file_is_read_with_lists_split():
    registry = parse_registry(TEST_LIST.encode())
    assert not registry.is_sample and len(registry.recruiters) == 5
    first = registry.recruiters[0]
    assert first.licence_no == "TH-0101/2025"
    assert first.name_latin == "Bright Harvest Manpower Co., Ltd"
    assert first.aliases == ("Bright Harvest",)
    assert first.destinations == ("Thailand", "Japan")


def test_bom_and_crlf_are_accepted_and_render_gives_the_canonical_file():
    data = ("\ufeff" + TEST_LIST.replace("\n", "\r\n")).encode()
    assert render_registry(parse_registry(data).recruiters) == TEST_LIST


def test_the_sample_file_round_trips_byte_for_byte_and_is_sample():
    data = SAMPLE_FILE.read_bytes()
    registry = parse_registry(data)
    assert registry.is_sample
    assert render_registry(registry.recruiters).encode() == data


def test_every_bad_row_is_reported_with_its_line_and_reason():
    text = HEADER + (
        "A-1,Good One,,,active,2030-01-01,Thailand,,src,2026-01-01\n"   # line 2: fine
        "A-2,,,,active,,,,src,2026-01-01\n"                              # 3: no name
        "A-3,Bad Date,,,active,2030-02-30,,,src,2026-01-01\n"            # 4: bad date
        "A-4,Bad Status,,,closed,,,,src,2026-01-01\n"                    # 5: unknown status
        "a 1,Duplicate,,,active,,,,src,2026-01-01\n"                     # 6: duplicate of A-1
        "A-6,Too Few,,active\n"                                          # 7: column count
        "A-7,No As Of,,,active,,,,src,\n"                                # 8: as_of missing
    )
    with pytest.raises(RegistryFileError) as caught:
        parse_registry(text.encode())
    faults = caught.value.faults
    assert faults == [
        "line 3: no name (name_latin and name_khmer are both empty)",
        "line 4: bad date in valid_until: '2030-02-30' (use YYYY-MM-DD)",
        "line 5: unknown status 'closed' (use one of active, suspended, revoked, expired)",
        "line 6: duplicate licence number 'a 1' (also on line 2)",
        "line 7: 4 columns, expected 10",
        "line 8: bad date in as_of: '' (use YYYY-MM-DD)",
    ]


def test_wrong_header_empty_file_and_not_utf8_are_faults():
    for data, expected in (
        (b"licence,name\n", "line 1: the header must be exactly"),
        (b"", "line 1: the file is empty"),
        (HEADER.encode(), "the file has no agencies"),
        (HEADER.encode() + "A,Caf\u00e9,,,active,,,,s,2026-01-01\n".encode("latin-1"), "not UTF-8"),
    ):
        with pytest.raises(RegistryFileError) as caught:
            parse_registry(data)
        assert expected in caught.value.faults[0]


def test_sample_rows_cannot_hide_among_official_rows():
    text = TEST_LIST + "S-1,Demo Co,,,active,,,,SAMPLE – fictional,2026-01-01\n"
    with pytest.raises(RegistryFileError) as caught:
        parse_registry(text.encode())
    assert caught.value.faults == [
        "line 7: sample row (source starts with SAMPLE) in a file of official rows"]


def test_an_active_licence_past_its_date_counts_as_expired():
    old_temple = parse_registry(TEST_LIST.encode()).recruiters[4]
    assert effective_status(old_temple, date(2026, 11, 21)) == "expired"
    assert effective_status(old_temple, date(2020, 1, 31)) == "active"


def test_generic_company_words_punctuation_case_and_spaces_are_ignored():
    assert name_key("Bright Harvest Manpower Co., Ltd") == name_key("  BRIGHT harvest manpower ")
    assert name_key("ក្រុមហ៊ុន ពន្លឺចំការ") == name_key("ពន្លឺ\u200bចំការ")
    assert name_key("Manpower Company") == "manpower"  # distinctive words stay
    assert name_key("ក្រមុហ៊ុន ពន្លឺចំការ") == name_key("ពន្លឺចំការ")  # a slip in a generic word
    assert name_key("Bright Harvest Compnay Limted") == "brightharvest"
    assert name_key("The Company Limited") == "thecompanylimited"  # nothing but generic words


def test_search_exact_by_name_alias_khmer_and_licence_with_khmer_digits():
    index = index_of()
    assert index.search("bright harvest").exact == (1,)            # alias
    assert index.search("ក្រុមហ៊ុន\u200bពន្លឺ\u200bចំការ").exact == (1,)
    assert index.search("th ០១០២/២០២៥").exact == (2,)                # licence, Khmer digits
    assert index.search("TH-0102-2025").exact == (2,)


def test_search_near_matches_misspellings_in_both_scripts():
    index = index_of()
    result = index.search("Brigth Harvst Manpowr")
    assert result.kind == "approximate" and result.near[0] == 1
    assert index.search("ពន្លឺចំកា").near[:1] == (1,)
    jade = index.search("Jade Mountian Workers")
    assert jade.near[0] == 3 and 4 in jade.near and len(jade.near) <= 5


def test_wildcards_and_sql_are_plain_text():
    index = index_of()
    for text in ("%", "_", "%%", "*"):
        assert index.search(text).query_key == ""
    result = index.search("'; DROP TABLE recruiters; --")
    assert result.kind == "none" and result.query == "drop table recruiters"


def test_several_agencies_with_one_name_are_all_offered():
    text = HEADER + ("A-1,Twin Star,,,active,,,,s,2026-01-01\n"
                     "A-2,Twin Star Co. Ltd,,,expired,,,,s,2026-01-01\n")
    result = index_of(text).search("twin star")
    assert result.kind == "several" and result.exact == (1, 2)


async def test_replace_is_whole_and_the_cache_follows_new_imports(tmp_path):
    async with await Database.open(tmp_path / "h.sqlite3") as db:
        cache = RegistryCache()
        assert (await cache.get(db)).is_empty
        first = await load(db)
        index = await cache.get(db)
        assert index.import_id == first and len(index.recruiters) == 5
        assert await cache.get(db) is index  # unchanged registry: no rebuild
        await load(db, HEADER + "B-1,Only One,,,active,,,,s,2026-02-01\n", "two.csv")
        index = await cache.get(db)
        assert [r.name_latin for r in index.recruiters] == ["Only One"]
        assert min(r.id for r in index.recruiters) > 5  # ids are never reused
        latest = await registry_store.latest_import(db)
        assert (latest.file_name, latest.row_count, latest.is_sample, latest.as_of) == (
            "two.csv", 1, False, "2026-02-01")


def test_the_readme_template_is_a_valid_registry_file():
    readme = (SAMPLE_FILE.parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Recruiter registry", 1)[1]
    template = section.split("```csv\n", 1)[1].split("```", 1)[0]
    registry = parse_registry(template.encode())
    assert not registry.is_sample and registry.recruiters[0].status == "active"
