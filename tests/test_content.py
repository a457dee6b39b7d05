"""data/services.csv: loaded, cross-checked with the directory, and refused when malformed."""
import pytest

from bot.content.directory import load_directory
from bot.content.services import CONDITIONS, ContentError, load_content
from bot.i18n import use_language
from bot.resources import data_file
from flows.returnee import benefits

SERVICES_PATH = data_file("services.csv")

DIRECTORY = load_directory()


def test_shipped_content_loads_with_sources_and_both_languages():
    content = load_content(DIRECTORY)
    assert {s.key for s in content.topic("documents")} == {
        "national_id", "family_book", "residence_book", "passport"}
    assert {s.when for s in content.topic("benefits")} == set(CONDITIONS)
    for service in content.services:
        assert service.source and service.checked
    assert content["job_registration"].contact.number == "1297"
    assert content["nssf_health"].contact.number == "1286"
    assert content["equity_card"].website.address == "idpoor.gov.kh"
    with use_language("km"):
        assert content["passport"].name == "លិខិតឆ្លងដែន"
    with use_language("en"):
        assert content["passport"].name == "Passport"


def test_every_condition_has_a_meaning_in_the_benefits_check():
    assert set(benefits.APPLIES) == set(CONDITIONS)


def write_with(tmp_path, line_number, old, new):
    rows = SERVICES_PATH.read_text(encoding="utf-8").splitlines()
    assert old in rows[line_number - 1], old
    rows[line_number - 1] = rows[line_number - 1].replace(old, new, 1)
    path = tmp_path / "services.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, message", [
    (",wants_job,", ",wants_a_pony,", "when must be one of"),
    (",benefits,", ",gossip,", "topic must be one of"),
    (",mlvt,", ",mlvt_office,", "contact 'mlvt_office' is not a key of data/directory.csv"),
    ("Call the MLVT hotline.", "Call 1288.", "where_en shows 1288"),
    ("Call the MLVT hotline.", "See www.jobs-now.com.", "where_en shows www.jobs-now.com"),
    (",2026-02", ",Feb 2026", "checked must be"),
    ("Job registration,", ",", "name_en is empty"),
])
def test_a_malformed_row_stops_start_up_naming_the_line(tmp_path, old, new, message):
    path = write_with(tmp_path, 2, old, new)
    with pytest.raises(ContentError) as error:
        load_content(DIRECTORY, path)
    assert "services.csv:2:" in str(error.value)
    assert message in str(error.value)


def test_a_missing_khmer_note_is_refused(tmp_path):
    rows = SERVICES_PATH.read_text(encoding="utf-8").splitlines()
    line = next(i for i, row in enumerate(rows, 1) if row.startswith("loan_restructuring,"))
    note_km = "ករណីនីមួយៗត្រូវបានពិនិត្យដាច់ដោយឡែក។ ការស្នើសុំនេះមិនធ្វើឱ្យខូចប្រវត្តិឥណទានរបស់អ្នកទេ។"
    path = write_with(tmp_path, line, note_km, "")
    with pytest.raises(ContentError, match=f"services.csv:{line}: note_en and note_km"):
        load_content(DIRECTORY, path)


def test_the_command_line_refuses_to_start_with_a_broken_content_file(tmp_path, monkeypatch):
    from bot import cli
    from bot.content import services as content
    broken = write_with(tmp_path, 2, ",wants_job,", ",nonsense,")
    monkeypatch.setattr(content.load_content, "__defaults__", (broken,))
    assert cli.main(["catalogs", "check"]) == 2
