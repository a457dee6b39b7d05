"""`python -m bot recruiters import | export | unlisted`, run as an admin would."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from storage import recruiters as registry_store
from storage.clock import to_text, utcnow
from storage.db import Database
from tests.recruiter_data import HEADER, SAMPLE_FILE, TEST_LIST
from tests.test_cli import run_cli


def export(tmp_path) -> str:
    result = run_cli(tmp_path, "recruiters", "export")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_import_then_export_round_trips_exactly(tmp_path):
    source = tmp_path / "list.csv"
    source.write_bytes(b"\xef\xbb\xbf" + TEST_LIST.encode())  # with a BOM, as Excel writes it
    result = run_cli(tmp_path, "recruiters", "import", str(source))
    assert result.returncode == 0, result.stderr
    assert "imported 5 agencies" in result.stdout
    assert export(tmp_path) == TEST_LIST
    out = tmp_path / "out.csv"
    assert run_cli(tmp_path, "recruiters", "export", "--output", str(out)).returncode == 0
    assert out.read_text(encoding="utf-8") == TEST_LIST
    # and the exported file imports to the same registry again
    assert run_cli(tmp_path, "recruiters", "import", str(out)).returncode == 0
    assert export(tmp_path) == TEST_LIST


def test_the_sample_file_imports_as_sample_and_exports_byte_for_byte(tmp_path):
    result = run_cli(tmp_path, "recruiters", "import", str(SAMPLE_FILE))
    assert result.returncode == 0, result.stderr
    assert "SAMPLE (fictional)" in result.stdout and "never shown as the official list" in result.stdout
    assert export(tmp_path).encode() == SAMPLE_FILE.read_bytes()


def test_a_malformed_file_reports_every_bad_line_and_imports_nothing(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(TEST_LIST, encoding="utf-8")
    assert run_cli(tmp_path, "recruiters", "import", str(good)).returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + (
        "X-1,Fine Agency,,,active,,Thailand,,src,2026-01-01\n"
        ",,,,active,,,,src,2026-01-01\n"
        "X-3,Wrong Day,,,active,31/12/2030,,,src,2026-01-01\n"
        "X-4,Odd,,,licensed,,,,src,2026-01-01\n"
        "X-1,Copy,,,active,,,,src,2026-01-01\n"
        "X-6,Short\n"
    ), encoding="utf-8")
    result = run_cli(tmp_path, "recruiters", "import", str(bad))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert [line.split(": ")[1] for line in lines[:-1]] == [
        "line 3", "line 4", "line 5", "line 6", "line 7"]
    assert "no name" in lines[0] and "bad date in valid_until" in lines[1]
    assert "unknown status 'licensed'" in lines[2] and "duplicate licence number 'X-1'" in lines[3]
    assert "2 columns, expected 10" in lines[4]
    assert lines[-1] == "5 problem(s); nothing imported"
    assert export(tmp_path) == TEST_LIST  # the registry is untouched


def test_dry_run_checks_and_imports_nothing(tmp_path):
    source = tmp_path / "list.csv"
    source.write_text(TEST_LIST, encoding="utf-8")
    result = run_cli(tmp_path, "recruiters", "import", str(source), "--dry-run")
    assert result.returncode == 0 and "5 agencies, no problems; nothing imported" in result.stdout
    assert export(tmp_path) == HEADER


async def test_an_import_by_another_process_reaches_the_running_bot(bot, tmp_path):
    source = tmp_path / "list.csv"
    source.write_text(TEST_LIST, encoding="utf-8")
    person = bot.person(language_code="en")
    await person.send("/start")
    await person.press("English")
    await person.press("🔎 Check a recruiter")
    replies = await person.send("Bright Harvest Manpower")
    assert "has not been loaded" in replies[-1].text
    result = await asyncio.to_thread(run_cli, tmp_path, "recruiters", "import", str(source))
    assert result.returncode == 0, result.stderr
    await person.press("🔎 Check another")
    replies = await person.send("Bright Harvest Manpower")
    assert replies[-1].text.startswith("✅ Bright Harvest Manpower Co., Ltd")


async def test_unlisted_prints_the_most_asked_names_with_counts(tmp_path):
    async with await Database.open(tmp_path / "hotline.sqlite3") as db:
        for query, times in (("shadow crossing", 3), ("night bird jobs", 1)):
            for _ in range(times):
                await registry_store.log_search(db, query, query.replace(" ", ""), "unlisted")
        await registry_store.log_search(db, "shadowcrossing", "shadowcrossing", "unlisted")
        await registry_store.log_search(db, "bright harvest", "brightharvest", "listed")
        old = to_text(utcnow() - timedelta(days=45))
        await db.execute_write(
            "INSERT INTO recruiter_searches (query, query_key, result_kind, searched_at)"
            " VALUES ('long ago agency', 'longagoagency', 'unlisted', ?)", (old,))
    result = await asyncio.to_thread(run_cli, tmp_path, "recruiters", "unlisted", "--since", "30d")
    assert result.returncode == 0, result.stderr
    rows = [line.split(None, 1) for line in result.stdout.splitlines()[1:]]
    assert rows == [["4", "shadow crossing"], ["1", "night bird jobs"]]
    result = await asyncio.to_thread(run_cli, tmp_path, "recruiters", "unlisted", "--since", "100d")
    assert "long ago agency" in result.stdout
    result = await asyncio.to_thread(run_cli, tmp_path, "recruiters", "unlisted", "--since", "month")
    assert result.returncode == 2 and "30d" in result.stderr
