"""Follow-ups without the bot: settings, quiet hours, dates, and the transactions that
schedule and cancel them with the case's state."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.jobs.followup_time import morning_of, quiet_until
from bot.settings import SettingsError, load_settings, parse_duration
from storage import cases, desk, followups, users
from storage.cases import NewCase
from storage.clock import from_text, utcnow
from storage.db import Database

TZ = ZoneInfo("Asia/Phnom_Penh")  # UTC+7
QUIET = (time(21), time(7))


def test_follow_up_settings_and_their_defaults():
    settings = load_settings({
        "FOLLOWUP_NO_REPLY_AFTER": "30s", "FOLLOWUP_AFTER_REFERRAL": "2h",
        "FOLLOWUP_AFTER_CLOSE": "1w", "QUIET_HOURS": "22:30-06:00",
    }, env_file=None)
    assert settings.followup_no_reply_after == timedelta(seconds=30)
    assert settings.followup_after_referral == timedelta(hours=2)
    assert settings.followup_after_close == timedelta(weeks=1)
    assert settings.quiet_hours == (time(22, 30), time(6))
    assert load_settings({"QUIET_HOURS": "off"}, env_file=None).quiet_hours is None
    defaults = load_settings({}, env_file=None)
    assert defaults.followup_no_reply_after == timedelta(days=1)
    assert defaults.followup_after_referral == timedelta(days=7)
    assert defaults.followup_after_close == timedelta(days=14)
    assert defaults.quiet_hours == QUIET
    assert defaults.followup_clock_shift == timedelta(0)


@pytest.mark.parametrize("name, value", [
    ("FOLLOWUP_NO_REPLY_AFTER", "tomorrow"),
    ("FOLLOWUP_AFTER_REFERRAL", "0d"),
    ("FOLLOWUP_AFTER_CLOSE", "14"),
    ("QUIET_HOURS", "9pm-7am"),
    ("QUIET_HOURS", "07:00-07:00"),
    ("FOLLOWUP_CLOCK_SHIFT", "soon"),
])
def test_a_wrong_follow_up_setting_names_the_variable(name, value):
    with pytest.raises(SettingsError) as error:
        load_settings({name: value}, env_file=None)
    assert str(error.value).startswith(f"{name}:") and "\n" not in str(error.value)


@pytest.mark.parametrize("text, expected", [
    ("30s", timedelta(seconds=30)), ("90m", timedelta(minutes=90)), ("2h", timedelta(hours=2)),
    ("1h30m", timedelta(minutes=90)), ("3d", timedelta(days=3)), ("1w", timedelta(days=7)),
    ("1d 12h", timedelta(hours=36)), ("2H", timedelta(hours=2)),
    ("", None), ("3", None), ("d3", None), ("3 days", None), ("-1d", None),
])
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


def local(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2030, 6, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize("moment, ends", [
    (local(20, 59), None),
    (local(21, 0), local(7, 0, day=11)),
    (local(23, 30), local(7, 0, day=11)),
    (local(3, 0), local(7, 0)),
    (local(6, 59), local(7, 0)),
    (local(7, 0), None),
    (local(12, 0), None),
])
def test_quiet_hours_past_midnight(moment, ends):
    found = quiet_until(moment.astimezone(UTC), QUIET, TZ)
    assert found == (ends.astimezone(UTC) if ends else None)


def test_quiet_hours_within_a_day_and_off():
    assert quiet_until(local(13, 0), (time(12), time(14)), TZ) == local(14, 0)
    assert quiet_until(local(15, 0), (time(12), time(14)), TZ) is None
    assert quiet_until(local(23, 0), None, TZ) is None


def test_a_date_is_its_morning_in_the_hotline_time_zone():
    assert morning_of(date(2030, 6, 10), TZ) == datetime(2030, 6, 10, 2, 0, tzinfo=UTC)


# -- storage: scheduled and cancelled with the state change ---------------------------------
@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "followups.sqlite3")
    yield database
    await database.close()


async def new_case(db, reporter=5, contact="chat", reassure=timedelta(days=1)) -> cases.Case:
    await users.get_or_create(db, reporter, "km")
    new = NewCase(kind="G", draft_id=uuid.uuid4().hex, reporter_id=reporter,
                  reporter_language="km", category="documents", contact=contact)
    case, _ = await cases.create(db, new, reassure_after=reassure)
    return case


async def states(db, case_id) -> dict[str, str]:
    rows = await db.fetchall("SELECT kind, state FROM followups WHERE case_id = ?", (case_id,))
    return {row["kind"]: row["state"] for row in rows}


async def test_a_new_case_gets_its_reassurance_once(db):
    case = await new_case(db)
    [row] = await followups.of_case(db, case.id)
    assert (row.kind, row.person_id, row.state) == ("no_reply", 5, "scheduled")
    assert row.due - from_text(case.created_at) == timedelta(days=1)
    _again, created = await cases.create(db, NewCase(
        kind="G", draft_id=case.draft_id, reporter_id=5, reporter_language="km",
        category="documents", contact="chat"), reassure_after=timedelta(days=1))
    assert not created and len(await followups.of_case(db, case.id)) == 1


async def test_no_follow_ups_for_a_reporter_who_wants_no_contact(db):
    case = await new_case(db, contact="none")
    assert await followups.of_case(db, case.id) == []
    await desk.close(db, case.id, 1, "resolved", check_after=timedelta(days=14))
    assert await states(db, case.id) == {}


async def test_claiming_cancels_the_reassurance(db):
    case = await new_case(db)
    await desk.claim(db, case.id, 1, takes_escalation=False)
    assert await states(db, case.id) == {"no_reply": "cancelled"}


async def test_the_first_delivered_reply_cancels_the_reassurance(db):
    case = await new_case(db)
    await desk.record_reply(db, case.id, 1, "hello", "text", delivered=False)
    assert await states(db, case.id) == {"no_reply": "scheduled"}
    await desk.record_reply(db, case.id, 1, "hello", "text", delivered=True)
    assert await states(db, case.id) == {"no_reply": "cancelled"}


async def test_referring_schedules_the_referral_check(db):
    case = await new_case(db)
    await desk.refer(db, case.id, 1, "lscw", check_after=timedelta(days=7))
    assert await states(db, case.id) == {"no_reply": "cancelled", "after_referral": "scheduled"}


async def test_closing_cancels_all_pending_and_reopening_cancels_the_after_close_check(db):
    case = await new_case(db)
    await desk.refer(db, case.id, 1, "lscw", check_after=timedelta(days=7))
    staff_id = await desk.schedule_followup(db, case.id, 1, utcnow() + timedelta(days=2), "Hi")
    await desk.close(db, case.id, 1, "resolved", check_after=timedelta(days=14))
    assert await states(db, case.id) == {"no_reply": "cancelled", "after_referral": "cancelled",
                                         "staff": "cancelled", "after_close": "scheduled"}
    await desk.reopen(db, case.id, 1)
    assert await states(db, case.id) == {"no_reply": "cancelled", "after_referral": "cancelled",
                                         "staff": "cancelled", "after_close": "cancelled"}
    # The after-close check goes out on the first close only (CasePro's rule).
    await desk.close(db, case.id, 1, "resolved", check_after=timedelta(days=14))
    rows = await db.fetchall("SELECT state FROM followups WHERE kind = 'after_close'")
    assert [row["state"] for row in rows] == ["cancelled"]
    assert any(e["action"] == "followup" and e["detail"].startswith(f"id={staff_id} due=")
               for e in await desk.audit_entries(db, case.id))


async def test_a_duplicate_or_withdrawn_report_gets_no_after_close_check(db):
    for outcome in ("duplicate", "withdrawn"):
        case = await new_case(db)
        await desk.close(db, case.id, 1, outcome, check_after=timedelta(days=14))
        assert await states(db, case.id) == {"no_reply": "cancelled"}


async def test_a_failed_state_change_schedules_nothing(db):
    case = await new_case(db)
    await desk.close(db, case.id, 1, "resolved", check_after=timedelta(days=14))
    with pytest.raises(desk.NotAllowed):
        await desk.refer(db, case.id, 1, "lscw", check_after=timedelta(days=7))
    assert "after_referral" not in await states(db, case.id)
    with pytest.raises(desk.NotAllowed):
        await desk.schedule_followup(db, case.id, 1, utcnow() + timedelta(days=1), "Hi")


async def test_quiet_hours_move_due_rows_to_the_morning_spread_apart(db):
    for reporter in (11, 12, 13):
        await new_case(db, reporter=reporter, reassure=timedelta(seconds=1))
    night = utcnow() + timedelta(minutes=1)
    morning = night + timedelta(hours=8)
    assert await followups.defer_due(db, night, morning, timedelta(seconds=5)) == 3
    later = await new_case(db, reporter=14, reassure=timedelta(seconds=1))
    assert await followups.defer_due(db, night, morning, timedelta(seconds=5)) == 1
    rows = await db.fetchall("SELECT next_attempt FROM followups ORDER BY id")
    assert [from_text(r["next_attempt"]) - morning for r in rows] == [
        timedelta(seconds=s) for s in (0, 5, 10, 15)]
    [moved] = await followups.of_case(db, later.id)
    assert from_text(moved.due_at) < night  # when it was meant to go is kept


async def test_stop_reminders_cancels_what_is_scheduled_and_blocks_the_rest(db):
    case = await new_case(db, reporter=21)
    assert await followups.set_reminders(db, 21, False) == 1
    assert not await followups.reminders_on(db, 21)
    assert await states(db, case.id) == {"no_reply": "cancelled"}
    other = await new_case(db, reporter=21)
    [row] = await followups.of_case(db, other.id)
    assert await followups.why_not_send(db, row) == "reminders off"
    await followups.set_reminders(db, 21, True)
    assert await followups.why_not_send(db, row) is None
    await db.execute_write("UPDATE users SET deleted_at = '2030-01-01T00:00:00Z'"
                           " WHERE telegram_id = 21")
    assert await followups.why_not_send(db, row) == "data deleted"


async def test_an_answer_counts_once_and_only_from_its_person(db):
    case = await new_case(db, reporter=31)
    [row] = await followups.of_case(db, case.id)
    assert not await followups.record_answer(db, row.id, 31, "yes")  # not sent yet
    assert await followups.mark_sent(db, row.id, 99, utcnow())
    assert not await followups.mark_sent(db, row.id, 100, utcnow())  # never twice
    assert not await followups.record_answer(db, row.id, 32, "yes")  # someone else
    assert await followups.record_answer(db, row.id, 31, "no")
    assert not await followups.record_answer(db, row.id, 31, "yes")
    assert (await followups.get(db, row.id)).answer == "no"


async def test_quiet_hours_ignore_follow_ups_scheduled_days_ahead(db):
    await new_case(db, reporter=21, reassure=timedelta(seconds=1))  # due now, at night
    await new_case(db, reporter=22, reassure=timedelta(days=14))    # due in two weeks
    night = utcnow() + timedelta(minutes=1)
    morning = night + timedelta(hours=8)
    assert await followups.defer_due(db, night, morning, timedelta(seconds=5)) == 1
    [moved] = await db.fetchall("SELECT next_attempt FROM followups WHERE person_id = 21")
    assert from_text(moved["next_attempt"]) == morning
