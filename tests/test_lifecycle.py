"""The case lifecycle as a table: every status x action, allowed or refused, with its effects
(domain/lifecycle.py); who may be written to (domain/contact.py); the follow-up policy
(domain/followups.py); and storage/desk.py applying each move with exactly those effects.

The expected tables here are written out by hand, apart from the code's own, so a change
of a rule shows up as a difference in one cell.
"""
from __future__ import annotations

import ast
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain import followups as policy
from domain.contact import Refusal, can_message_returnee, why_not_message
from domain.lifecycle import MOVES, Action, NotAllowed, allowed, close_outcome, step
from domain.states import FollowupKind, Notice, Outcome, Status
from storage import cases, desk, users
from storage.cases import NewCase
from storage.clock import utcnow
from storage.db import Database

STATUSES = ("new", "claimed", "waiting", "referred", "closed")
R = None  # refused

# action -> the status it leads to from (new, claimed, waiting, referred, closed)
GRID: dict[str, tuple[str | None, ...]] = {
    "claim":            ("claimed", "claimed", "claimed", "referred", R),
    "unassign":         ("new", "new", "new", "referred", R),
    "escalate":         ("new", "claimed", "waiting", "referred", R),
    "wait":             ("waiting", "waiting", "waiting", "waiting", R),
    "refer":            ("referred", "referred", "referred", "referred", R),
    "close":            ("closed", "closed", "closed", "closed", R),
    "reopen":           (R, R, R, R, "new"),  # claimed when someone has the case
    "returnee_reopens": (R, R, R, R, "new"),
    "followup":         ("new", "claimed", "waiting", "referred", R),
    "answer":           ("new", "claimed", "waiting", "referred", "closed"),
}
ALL = {"no_reply", "after_referral", "after_close", "staff"}
# action -> (notice, follow-up kinds cancelled, kind scheduled, reason stored on the cancelled)
EFFECTS: dict[str, tuple[str | None, set[str], str | None, str]] = {
    "claim":            ("claimed", {"no_reply"}, None, "claimed"),  # the notice: from new only
    "unassign":         (None, set(), None, ""),
    "escalate":         (None, set(), None, ""),
    "wait":             ("waiting", {"no_reply"}, None, "waiting"),
    "refer":            ("referred", {"no_reply"}, "after_referral", "referred"),
    "close":            ("closed", ALL, "after_close", "closed"),  # checked outcomes only
    "reopen":           ("reopened", {"after_close"}, None, "reopened"),
    "returnee_reopens": (None, {"after_close"}, None, "reopened"),  # answered in their chat
    "followup":         (None, set(), "staff", ""),
    "answer":           (None, {"no_reply"}, None, "answered"),
}
CELLS = [(status, action) for action in GRID for status in STATUSES]


def test_the_rules_import_neither_telegram_nor_sql_nor_storage():
    imported = set()
    for path in (Path(__file__).resolve().parent.parent / "domain").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
    # The standard library, the Khmer normaliser, and domain itself: no telegram, no SQL,
    # nothing of bot/, flows/ or storage/.
    allowed = set(sys.stdlib_module_names) | {"__future__", "khmerspell", "domain"}
    assert imported and imported <= allowed, imported - allowed


def test_the_names_are_the_ones_the_database_stores():
    assert [s.value for s in Status] == list(STATUSES)
    assert [o.value for o in Outcome] == [
        "resolved", "referred", "no_response", "duplicate", "withdrawn"]
    assert {k.value for k in FollowupKind} == ALL
    assert {n.value for n in Notice} == {"claimed", "waiting", "referred", "closed", "reopened"}
    assert {a.value for a in Action} == set(GRID)
    assert tuple(o.value for o in Outcome) == desk.OUTCOMES
    assert STATUSES[:4] == desk.OPEN_STATUSES and cases.STATUSES == STATUSES


@pytest.mark.parametrize("status, action", CELLS)
def test_every_status_and_action(status, action):
    to = GRID[action][STATUSES.index(status)]
    outcome = Outcome.RESOLVED if action == "close" else None
    if to is None:
        with pytest.raises(NotAllowed):
            step(status, Action(action), outcome=outcome)
        assert Action(action) not in allowed(status)
        return
    moved = step(status, Action(action), outcome=outcome)
    notice, cancels, schedules, why = EFFECTS[action]
    if action == "claim" and status != "new":
        notice = None  # only the first claim is news to the returnee
    assert moved.to == to
    assert moved.effects.notice == notice
    assert set(moved.effects.cancels) == cancels
    assert moved.effects.schedules == schedules
    assert moved.effects.why == why
    assert Action(action) in allowed(status)


def test_the_table_has_no_cell_the_grid_does_not_name():
    named = {(status, action) for status, action in CELLS
             if GRID[action][STATUSES.index(status)] is not None}
    assert {(s.value, a.value) for s, a in MOVES} == named


@pytest.mark.parametrize("action", ["reopen", "returnee_reopens"])
def test_reopening_gives_the_case_back_to_whoever_has_it(action):
    assert step("closed", Action(action), assigned=True).to == "claimed"
    assert step("closed", Action(action), assigned=False).to == "new"
    # Assignment changes no other move.
    assert step("new", Action.WAIT, assigned=True).to == "waiting"


@pytest.mark.parametrize("outcome, checked", [
    ("resolved", True), ("referred", True), ("no_response", True),
    ("duplicate", False), ("withdrawn", False)])
def test_only_some_outcomes_get_the_after_close_check(outcome, checked):
    moved = step("claimed", Action.CLOSE, outcome=Outcome(outcome))
    assert moved.effects.schedules == ("after_close" if checked else None)
    assert moved.effects.notice == "closed" and set(moved.effects.cancels) == ALL


def test_closing_needs_a_known_outcome_and_money_only_when_resolved():
    assert close_outcome("resolved", recovered=True) is Outcome.RESOLVED
    assert close_outcome("duplicate", recovered=False) is Outcome.DUPLICATE
    for outcome, recovered in (("solved", False), ("duplicate", True), ("", False)):
        with pytest.raises(ValueError):
            close_outcome(outcome, recovered=recovered)
    with pytest.raises(ValueError):
        step("new", Action.CLOSE)  # no outcome


# -- who may be written to ------------------------------------------------------------------
@dataclass(frozen=True)
class Facts:
    status: str = "new"
    contact: str = "chat"
    erased_at: str | None = None
    first_response_at: str | None = None


ERASED = "2026-01-01T00:00:00Z"


@pytest.mark.parametrize("facts, words, notice", [
    # staff's words (reply, canned, staff follow-up) / a notice or automatic check
    (Facts("new"), None, None),
    (Facts("claimed", "phone"), None, None),
    (Facts("waiting"), None, None),
    (Facts("referred"), None, None),
    (Facts("closed"), Refusal.CLOSED, None),
    (Facts("new", "none"), Refusal.NO_CONTACT, Refusal.NO_CONTACT),
    (Facts("closed", "none"), Refusal.CLOSED, Refusal.NO_CONTACT),
    (Facts("closed", "none", ERASED), Refusal.ERASED, Refusal.ERASED),
    (Facts("new", "chat", ERASED), Refusal.ERASED, Refusal.ERASED),
])
def test_who_may_be_written_to(facts, words, notice):
    assert why_not_message(facts) == words
    assert why_not_message(facts, notice=True) == notice
    assert can_message_returnee(facts) is (words is None)
    assert can_message_returnee(facts, notice=True) is (notice is None)


# -- the follow-up policy --------------------------------------------------------------------
@pytest.mark.parametrize("kind, facts, earlier, made", [
    ("no_reply", Facts("new"), set(), True),
    ("no_reply", Facts("new"), {"no_reply"}, False),  # automatic ones once per case
    ("after_close", Facts("closed"), {"no_reply"}, True),
    ("after_close", Facts("closed"), {"after_close"}, False),
    ("after_referral", Facts("referred", "none"), set(), False),
    ("staff", Facts("claimed"), {"staff"}, True),  # staff's own: as many as they like
    ("staff", Facts("closed"), set(), False),
    ("staff", Facts("new", "none"), set(), False),
    ("after_close", Facts("closed", "none", ERASED), set(), False),
])
def test_when_a_follow_up_is_made(kind, facts, earlier, made):
    assert policy.may_schedule(FollowupKind(kind), facts, earlier) is made


def test_an_automatic_follow_up_is_due_after_its_delay_or_never():
    now = datetime(2026, 5, 1, tzinfo=UTC)
    assert policy.due_at(now, timedelta(days=7)) == now + timedelta(days=7)
    assert policy.due_at(now, None) is None


GONE = policy.Person(deleted=True)
BLOCKED = policy.Person(unreachable=True)
STOPPED = policy.Person(reminders_off=True)
ANYONE = policy.Person()


@pytest.mark.parametrize("kind, facts, person, reason", [
    ("no_reply", Facts("new"), ANYONE, None),
    ("no_reply", Facts("new", first_response_at=ERASED), ANYONE, "answered"),
    ("no_reply", Facts("claimed"), ANYONE, "answered"),
    ("after_referral", Facts("referred"), ANYONE, None),
    ("after_referral", Facts("claimed"), ANYONE, "no longer referred"),
    ("after_close", Facts("closed"), ANYONE, None),
    ("after_close", Facts("new"), ANYONE, "no longer closed"),
    ("staff", Facts("waiting"), ANYONE, None),
    ("staff", Facts("closed"), ANYONE, "case closed"),
    ("staff", Facts("new", "none"), ANYONE, "no contact wanted"),
    ("after_close", Facts("closed", "none", ERASED), ANYONE, "personal details erased"),
    ("no_reply", Facts("new"), GONE, "data deleted"),
    ("no_reply", Facts("new"), BLOCKED, "unreachable"),
    ("after_close", Facts("closed"), STOPPED, "reminders off"),
    ("staff", Facts("claimed"), STOPPED, "reminders off"),
    ("staff", Facts("claimed", "none"), GONE, "data deleted"),  # the person's choice first
])
def test_what_stops_a_due_follow_up(kind, facts, person, reason):
    assert policy.why_not_send(FollowupKind(kind), facts, person) == reason


# -- storage applies each move with exactly its effects ---------------------------------------
STAFF = 7
DO = {
    "claim": lambda db, i: desk.claim(db, i, STAFF, takes_escalation=False),
    "unassign": lambda db, i: desk.unassign(db, i, STAFF),
    "escalate": lambda db, i: desk.escalate(db, i, STAFF, "legal", "passport kept"),
    "wait": lambda db, i: desk.set_waiting(db, i, STAFF),
    "refer": lambda db, i: desk.refer(db, i, STAFF, "lscw", check_after=timedelta(days=7)),
    "close": lambda db, i: desk.close(db, i, STAFF, "resolved", check_after=timedelta(days=14)),
    "reopen": lambda db, i: desk.reopen(db, i, STAFF),
    "returnee_reopens": lambda db, i: desk.reopen_by_returnee(db, i),
    "followup": lambda db, i: desk.schedule_followup(db, i, STAFF, utcnow() + timedelta(days=1),
                                                     "Did the employer pay?"),
    "answer": lambda db, i: desk.reply_delivered(db, i),
}
REACH = {"new": [], "claimed": ["claim"], "waiting": ["wait"], "referred": ["refer"],
         "closed": ["close"]}


async def _case_in(db: Database, status: str, contact: str = "chat") -> int:
    await users.get_or_create(db, 5, "km")
    case, _ = await cases.create(db, NewCase(
        kind="W", draft_id=uuid.uuid4().hex, reporter_id=5, reporter_language="km",
        category="wages", contact=contact), reassure_after=timedelta(days=1))
    for action in REACH[status]:
        await DO[action](db, case.id)
    return case.id


async def _state(db: Database, case_id: int) -> tuple:
    case = await db.fetchone("SELECT * FROM cases WHERE id = ?", (case_id,))
    follow = await db.fetchall("SELECT id, kind, state, last_error FROM followups"
                               " WHERE case_id = ? ORDER BY id", (case_id,))
    notices = await db.fetchall("SELECT payload FROM outbox WHERE kind = 'notice'"
                                " AND case_id = ? ORDER BY id", (case_id,))
    audit = await db.fetchval("SELECT COUNT(*) FROM audit_log WHERE case_id = ?", (case_id,))
    return (tuple(case), [tuple(r) for r in follow], [r["payload"] for r in notices], audit)


@pytest.mark.parametrize("status, action", CELLS)
async def test_storage_applies_every_move_in_one_go(status, action):
    async with await Database.open(":memory:") as db:
        case_id = await _case_in(db, status)
        before = await _state(db, case_id)
        to = GRID[action][STATUSES.index(status)]
        if to is None:
            with pytest.raises(NotAllowed):
                await DO[action](db, case_id)
            assert await _state(db, case_id) == before  # nothing written
            return
        await DO[action](db, case_id)
        after = await _state(db, case_id)
        assert (await desk.get(db, case_id)).case.status == to
        notice, cancels, schedules, why = EFFECTS[action]
        if action == "claim" and status != "new":
            notice = None
        new_notices = after[2][len(before[2]):]
        assert new_notices == ([f'{{"change": "{notice}"}}'] if notice else [])
        was = {row[0]: row for row in before[1]}
        now = {row[0]: row for row in after[1]}
        for row_id, (_id, kind, state, _error) in was.items():
            if state == "scheduled" and kind in cancels:
                assert now[row_id][2:] == ("cancelled", why)
            else:
                assert now[row_id] == was[row_id]
        made = [now[i][1] for i in now if i not in was]
        earlier = {row[1] for row in before[1]}
        once = schedules in (None, "staff") or schedules not in earlier
        assert made == ([schedules] if schedules and once else [])
        assert after[3] == before[3] + (action != "answer")  # one audit entry per staff act


async def test_a_returnee_who_wants_no_contact_gets_no_notice_nor_follow_up():
    async with await Database.open(":memory:") as db:
        case_id = await _case_in(db, "new", contact="none")
        for action in ("claim", "wait", "refer", "close", "reopen"):
            await DO[action](db, case_id)
        assert await desk.schedule_followup(db, case_id, STAFF, utcnow() + timedelta(days=1),
                                            "Hello") is None
        _case, follow, notices, _audit = await _state(db, case_id)
        assert (follow, notices) == ([], [])


async def test_a_reopened_case_goes_back_to_whoever_has_it():
    async with await Database.open(":memory:") as db:
        case_id = await _case_in(db, "claimed")
        await DO["close"](db, case_id)
        assert (await desk.reopen(db, case_id, STAFF)).case.status == "claimed"
        await desk.unassign(db, case_id, STAFF)
        await DO["close"](db, case_id)
        reopened = await desk.reopen_by_returnee(db, case_id)
        assert (reopened.case.status, reopened.case.outcome) == ("new", None)
        entries = await desk.audit_entries(db, case_id)
        assert (entries[-1]["staff_id"], entries[-1]["action"]) == (None, "reopen")
