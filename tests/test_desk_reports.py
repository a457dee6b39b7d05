"""Reports and the desk's storage: stats and export from the command line, working hours,
the desk settings, and the audit log written with every change."""
from __future__ import annotations

import asyncio
import csv
import io
import os
import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.settings import SettingsError, load_settings
from domain.working_hours import working_time_between
from storage import cases, desk, users
from storage.cases import NewCase
from storage.db import Database
from tests.test_cli import run_cli

TZ = ZoneInfo("Asia/Phnom_Penh")
HOURS = (time(8), time(17))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)  # 2026-11-16 is a Monday


@pytest.mark.parametrize("start, end, expected", [
    (at(16, 9), at(16, 11), timedelta(hours=2)),
    (at(16, 7), at(16, 9), timedelta(hours=1)),           # before opening does not count
    (at(16, 16), at(17, 9), timedelta(hours=2)),          # overnight
    (at(20, 16), at(23, 9), timedelta(hours=2)),          # Friday to Monday: no weekend
    (at(21, 10), at(22, 15), timedelta(0)),               # all weekend
    (at(16, 9), at(16, 9), timedelta(0)),
    (at(16, 12), at(16, 9), timedelta(0)),                # end before start
    (at(16, 8), at(20, 17), timedelta(hours=45)),         # a whole week
])
def test_working_time_between(start, end, expected):
    assert working_time_between(start, end, HOURS, TZ) == expected


def test_desk_settings():
    settings = load_settings({
        "ON_DUTY_USERNAMES": "@ana, bo_1", "ESCALATION_LEVELS": "supervisor=@ana,@bo;legal=@chan",
        "UNCLAIMED_AFTER": "1h30m", "WORKING_HOURS": "07:30-16:00", "STAFF_LANGUAGE": "en",
    }, env_file=None)
    assert settings.on_duty_usernames == ("ana", "bo_1")
    assert settings.escalation_levels == (("supervisor", ("ana", "bo")), ("legal", ("chan",)))
    assert settings.unclaimed_after == timedelta(minutes=90)
    assert settings.working_hours == (time(7, 30), time(16))
    assert settings.staff_language == "en"
    defaults = load_settings({}, env_file=None)
    assert defaults.unclaimed_after == timedelta(hours=2) and defaults.staff_language == "km"
    assert defaults.working_hours == HOURS and defaults.escalation_levels == ()


@pytest.mark.parametrize("name, value", [
    ("ON_DUTY_USERNAMES", "@ana, not a name"),
    ("ESCALATION_LEVELS", "supervisor"),
    ("ESCALATION_LEVELS", "Supervisor=@ana"),
    ("ESCALATION_LEVELS", "legal=@a;legal=@b"),
    ("ESCALATION_LEVELS", "legal="),
    ("UNCLAIMED_AFTER", "two hours"),
    ("UNCLAIMED_AFTER", "0m"),
    ("WORKING_HOURS", "17:00-08:00"),
    ("WORKING_HOURS", "8-17"),
    ("WORKING_HOURS", "08:00-25:00"),
    ("STAFF_LANGUAGE", "th"),
])
def test_a_wrong_desk_setting_names_the_variable(name, value):
    with pytest.raises(SettingsError) as error:
        load_settings({name: value}, env_file=None)
    assert str(error.value).startswith(f"{name}:") and "\n" not in str(error.value)


async def _case(db, reporter: int, **fields) -> cases.Case:
    await users.get_or_create(db, reporter, "km")
    new = NewCase(kind=fields.pop("kind", "W"), draft_id=uuid.uuid4().hex, reporter_id=reporter,
                  reporter_language="km", category=fields.pop("category", "wages"),
                  contact="chat", **fields)
    case, _ = await cases.create(db, new)
    return case


async def test_state_changes_and_their_audit_entries(tmp_path):
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        case = await _case(db, 1, employer="Golden Seafood")
        await desk.claim(db, case.id, 77, takes_escalation=False)
        await desk.set_waiting(db, case.id, 77)
        await desk.unassign(db, case.id, 77)
        assert (await desk.get(db, case.id)).case.status == "new"
        await desk.refer(db, case.id, 78, "lscw")
        closed = await desk.close(db, case.id, 78, "resolved", (Decimal(5000), "THB"))
        assert (closed.case.status, closed.recovered_amount, closed.case.closed_at is not None) == (
            "closed", "5000", True)
        with pytest.raises(desk.NotAllowed):
            await desk.claim(db, case.id, 77, takes_escalation=False)
        with pytest.raises(ValueError):
            await desk.close(db, case.id, 78, "duplicate", (Decimal(1), "THB"))
        reopened = await desk.reopen(db, case.id, 78)
        assert (reopened.case.status, reopened.case.outcome, reopened.case.closed_at) == (
            "new", None, None)
        entries = await desk.audit_entries(db, case.id)
        assert [(e["staff_id"], e["action"], e["detail"]) for e in entries] == [
            (77, "claim", None), (77, "status", "waiting"), (77, "unassign", None),
            (78, "refer", "to=lscw"), (78, "close", "outcome=resolved recovered=5000 THB"),
            (78, "reopen", None)]
        assert all(e["at"].endswith("Z") for e in entries)
        assert (await desk.by_reference(db, "w-1")).id == case.id
        assert await desk.by_reference(db, "X-1") is None


async def test_one_thread_per_case(tmp_path):
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        case = await _case(db, 1)
        assert await desk.create_thread(db, case.id, -100, 5)
        assert not await desk.create_thread(db, case.id, -100, 6)
        assert (await desk.thread(db, case.id)).thread_id == 5
        await desk.set_card(db, case.id, 11)
        assert await desk.case_for_message(db, -100, 11) == case.id
        assert await desk.case_for_topic(db, -100, 5) == case.id


def _seed_database(path) -> None:
    """Three cases: one closed with money after 2 days, one answered after 1 hour, one new."""
    async def seed():
        async with await Database.open(path) as db:
            one = await _case(db, 1, province="chonburi", reporter_gender="woman",
                              employer="Golden Seafood", phone="012 345 678",
                              description="They kept my passport")
            two = await _case(db, 2, kind="G", category="documents", reporter_gender="man")
            await _case(db, 3, province="rayong")
            await desk.close(db, one.id, 9, "resolved", (Decimal(12000), "THB"))
            await desk.record_reply(db, two.id, 9, "hello", "text", delivered=True)
            await db.execute_write(
                "UPDATE cases SET created_at = '2026-03-01T02:00:00Z',"
                " closed_at = '2026-03-03T02:00:00Z' WHERE id = ?", (one.id,))
            await db.execute_write(
                "UPDATE cases SET created_at = '2026-03-02T02:00:00Z',"
                " first_response_at = '2026-03-02T03:00:00Z' WHERE id = ?", (two.id,))
            await db.execute_write(
                "UPDATE cases SET created_at = '2026-05-01T02:00:00Z' WHERE id = 3")
    asyncio.run(seed())


def test_stats_command_for_a_date_range(tmp_path):
    _seed_database(tmp_path / "hotline.sqlite3")
    result = run_cli(tmp_path, "stats", "--from", "2026-03-01", "--to", "2026-03-31",
                     "--language", "en")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Cases received 2026-03-01 – 2026-03-31: 2" in out
    assert "By category: Unpaid wages 1, Passport or documents kept 1" in out
    assert "By status: Closed 1, New 1" in out
    assert "By province: Chonburi 1, Not given 1" in out
    assert "By reporter's gender: Woman 1, Man 1" in out
    assert "Time to first response: median 1 h 0 min, 9 in 10 within 1 h 0 min (1 cases)" in out
    assert "Time to closing: median 2 d 0 h, 9 in 10 within 2 d 0 h (1 cases)" in out
    assert "Recovered: THB12,000.00" in out
    everything = run_cli(tmp_path, "stats", "--language", "en").stdout
    assert "Cases received … – …: 3" in everything
    # STAFF_LANGUAGE (Khmer by default) when no --language is given.
    khmer = run_cli(tmp_path, "stats", "--from", "2026-03-01", "--to", "2026-03-31").stdout
    assert "ប្រាក់ឈ្នួលមិនទាន់បានបើក 1" in khmer and "Unpaid wages" not in khmer
    assert "ឈូនបុរី 1" in khmer


def test_export_leaves_out_free_text_unless_asked(tmp_path):
    _seed_database(tmp_path / "hotline.sqlite3")
    result = run_cli(tmp_path, "export", "cases", "--from", "2026-03-01", "--to", "2026-03-31")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["reference"] for r in rows] == ["W-0001", "G-0001"]
    assert rows[0]["recovered_amount"] == "12000" and rows[0]["outcome"] == "resolved"
    for secret in ("Golden Seafood", "012 345 678", "passport"):
        assert secret not in result.stdout
    assert "employer" not in rows[0]

    output = tmp_path / "full.csv"
    result = run_cli(tmp_path, "export", "cases", "--with-details", "--output", str(output))
    assert result.returncode == 0, result.stderr
    assert "3 case(s) exported" in result.stderr
    assert oct(os.stat(output).st_mode & 0o777) == "0o600"
    full = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"))))
    assert full[0]["employer"] == "Golden Seafood" and full[0]["phone"] == "012 345 678"

    async def exports():
        async with await Database.open(tmp_path / "hotline.sqlite3") as db:
            return [e["detail"] for e in await desk.audit_entries(db) if e["action"] == "export"]
    assert asyncio.run(exports()) == ["from=2026-03-01 to=2026-03-31 rows=2",
                                      "from=- to=- rows=3 with-details"]


def test_export_with_a_bad_date_says_so(tmp_path):
    result = run_cli(tmp_path, "export", "cases", "--from", "March")
    assert result.returncode != 0 and "--from" in result.stderr
