"""Every number and web address a returnee can be shown is a verified directory entry.

Reads every catalog entry (the English msgid and the Khmer msgstr) and every
text column of every data file. Fails on 1288, an old provincial line, a
number in Khmer digits, or an address the directory does not list.
"""
from __future__ import annotations

import csv

import pytest

from bot.admin import catalogs
from bot.content import factcheck
from bot.content.directory import load_directory
from bot.resources import data_dir

DIRECTORY = load_directory()


def unverified(text: str) -> list[str]:
    return factcheck.unverified(text, DIRECTORY.numbers, DIRECTORY.addresses)


def catalog_problems(messages) -> list[str]:
    """(msgid, msgstr) pairs with a number or address that is not verified."""
    found = []
    for msgid, msgstr in messages:
        for text in (msgid, msgstr):
            bad = unverified(text or "")
            if bad:
                found.append(f"{msgid[:60]!r}: {bad}")
    return found


def data_file_problems(path) -> list[str]:
    """Rows of a data file whose user-facing text (the *_en and *_km columns) is not verified."""
    found = []
    with path.open(encoding="utf-8-sig") as fileobj:
        reader = csv.DictReader(fileobj)
        shown = [name for name in reader.fieldnames if name.endswith(("_en", "_km"))]
        assert shown, f"{path.name} has no *_en/*_km columns: which text does it show?"
        for row in reader:
            for name in shown:
                bad = unverified(row[name])
                if bad:
                    found.append(f"{path.name}:{reader.line_num} {name}: {bad}")
    return found


def test_every_catalog_entry_shows_only_verified_numbers_and_addresses():
    messages = []
    for language in ("km", "en"):
        messages += [(m.id, m.string) for m in catalogs.read(catalogs.po_path(language), language)
                     if m.id]
    assert len(messages) > 100
    assert catalog_problems(messages) == []


# The recruiter registry is not our text: it is the Ministry's list (or a marked
# sample of it), shown with its source and as-of date, and checked on import. The
# screener's phrases and data/intents.csv are words matched against what people type,
# never shown.
NOT_SHOWN = ("screener_phrases.csv", "intents.csv")
CONTENT_FILES = sorted(p for p in data_dir().glob("*.csv")
                       if not p.name.startswith("recruiters") and p.name not in NOT_SHOWN)


@pytest.mark.parametrize("path", CONTENT_FILES, ids=lambda p: p.name)
def test_every_data_file_shows_only_verified_numbers_and_addresses(path):
    assert data_file_problems(path) == []


@pytest.mark.parametrize("text, bad", [
    ("Call 1288 for trafficking", ["1288"]),
    ("ហៅលេខ ១២៨៨", ["1288"]),
    ("Kampong Cham line 081 37 38 39", ["081373839"]),
    ("Thais abroad: +66-99-130-1300", ["66991301300"]),
    ("Passport office (+855) 0 69 92 38 38", ["855", "069923838"]),
    ("DOE hotline 1694 speaks Khmer", ["1694"]),
    ("See www.example.org for jobs", ["www.example.org"]),
    ("https://nea.gov.kh/jobs", ["nea.gov.kh/jobs"]),
])
def test_the_check_catches_unverified_numbers_and_addresses(text, bad):
    assert unverified(text) == bad
    assert catalog_problems([(text, "")]) != []
    assert catalog_problems([("Call us", text)]) != []


@pytest.mark.parametrize("text", [
    "Call 1297 or ១២៩៧", "Thai police 191, help 1300, medical 1669", "See www.mlvt.gov.kh",
    "mlvt.gov.kh and idpoor.gov.kh", "In 2022 there were offices", "នៅឆ្នាំ២០២២",
    "children under 2, people aged 60 and older", "Page 1 of 4", "២៤ម៉ោង", "ប.ស.ស.",
])
def test_the_check_lets_verified_numbers_years_and_small_counts_through(text):
    assert unverified(text) == []


def test_a_data_file_with_an_unverified_number_is_caught(tmp_path):
    path = tmp_path / "fake.csv"
    path.write_text("key,where_en,where_km,source\n"
                    "x,Call the anti-trafficking line 1288,ហៅលេខ ១២៨៨,a news item 1288\n",
                    encoding="utf-8")
    assert data_file_problems(path) == ["fake.csv:2 where_en: ['1288']",
                                        "fake.csv:2 where_km: ['1288']"]


def test_money_amounts_are_not_phone_numbers():
    assert factcheck.phone_like("For example: 12,500 or ១២៥០០ បាត or 12500 baht or $300 or 40000 ៛") == []


def test_numbers_next_to_money_are_still_checked():
    assert factcheck.phone_like("Pay 12,500 baht and call 1288 now") == ["1288"]
    assert factcheck.phone_like("call ០១២ ៣៤៥ ៦៧៨") == ["012345678"]


@pytest.mark.parametrize("text, found", [
    ("DCA gave $110 per household", ["$110"]),
    ("The fee was 7,600 baht", ["7,600 baht"]),
    ("ថ្លៃ ៧៦០០ បាត", ["៧៦០០ បាត"]),
    ("66.51% were women", ["66.51%"]),
    ("The inspector decides within 60 days", ["60 days"]),
    ("Claims expire after two years", ["two years"]),
    ("ក្នុងរយៈពេល ១៥ ថ្ងៃ", ["១៥ ថ្ងៃ"]),
    ("A person aged 60 or older", []),
    ("In 2022 there were offices; call 1297", []),
])
def test_amounts_percentages_and_deadlines_are_found(text, found):
    from bot.content.factcheck import claims
    assert claims(text) == found


def test_every_catalog_text_with_an_amount_or_deadline_names_its_source():
    """`catalogs check` fails on a claim without "# fact: <source>, <YYYY-MM>"."""
    from bot.content.factcheck import claims
    assert [p for p in catalogs.problems() if "without '# fact:" in p] == []
    marked = [m for m in catalogs.extract() if m.id and claims(m.id)]
    assert marked, "the wage-rights page names the two-year limit"
    for message in marked:
        assert catalogs.fact_of(message) or any(
            c.startswith(catalogs.EXAMPLE_TAG) for c in message.auto_comments), message.id


def test_a_broadcast_from_the_command_line_with_an_unverified_number_is_refused(tmp_path):
    from tests.test_cli import run_cli
    (tmp_path / "en.txt").write_text("Call 1288 for trafficking", encoding="utf-8")
    result = run_cli(tmp_path, "broadcast", "--en", str(tmp_path / "en.txt"), "--yes")
    assert result.returncode == 2
    assert "1288" in result.stderr and "not in the verified directory" in result.stderr
