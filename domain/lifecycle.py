"""The case lifecycle as data: which action each status allows, where it leads, what follows.

MOVES is the one table: (from status, action) -> Move(to status, effects). A pair that is
not in it is refused (NotAllowed), e.g. claiming a closed case. Effects say which notice
the returnee gets (when they may be written to: domain/contact.py), which scheduled
follow-ups lose their point (cancelled, with `why` as the reason stored on them) and which
follow-up the move calls for (scheduled when its delay is set; automatic ones once per
case: domain/followups.py). storage/desk.py applies a move and its effects in one
transaction; the desk's buttons and commands map onto the actions.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from domain.states import CHECKED_OUTCOMES, FollowupKind, Notice, Outcome, Status


class NotAllowed(Exception):
    """The action does not fit the case's state (e.g. claiming a closed case)."""


class Action(StrEnum):
    CLAIM = "claim"  # a staff member takes the case
    UNASSIGN = "unassign"  # gives it back: anyone can claim it
    ESCALATE = "escalate"  # raised to a level; its people are asked to take it
    WAIT = "wait"  # staff wait for the returnee's answer
    REFER = "refer"  # passed to a partner organisation with a referral arrangement
    CLOSE = "close"  # with an outcome
    REOPEN = "reopen"  # by staff
    RETURNEE_REOPENS = "returnee_reopens"  # "not solved" to the after-close check
    FOLLOW_UP = "followup"  # staff schedule a follow-up in their own words
    ANSWER = "answer"  # a staff reply reached the returnee


@dataclass(frozen=True)
class Effects:
    """What follows a move, besides its status."""

    notice: Notice | None = None  # what the returnee is told
    cancels: frozenset[FollowupKind] = frozenset()  # scheduled follow-ups cancelled
    schedules: FollowupKind | None = None  # the follow-up it calls for
    why: str = ""  # the reason stored on the follow-ups it cancels


@dataclass(frozen=True)
class Move:
    to: Status
    effects: Effects
    to_if_assigned: Status | None = None  # where it goes instead when someone has the case


NO_REPLY, AFTER_REFERRAL, AFTER_CLOSE, STAFF = (
    FollowupKind.NO_REPLY, FollowupKind.AFTER_REFERRAL, FollowupKind.AFTER_CLOSE,
    FollowupKind.STAFF)
NEW, CLAIMED, WAITING, REFERRED, CLOSED = (
    Status.NEW, Status.CLAIMED, Status.WAITING, Status.REFERRED, Status.CLOSED)

NOTHING: Final = Effects()
# Someone has the case: "still in the queue" is no longer true. Only the first claim is news.
TAKEN_FIRST: Final = Effects(notice=Notice.CLAIMED, cancels=frozenset({NO_REPLY}), why="claimed")
TAKEN: Final = Effects(cancels=frozenset({NO_REPLY}), why="claimed")
WAITS: Final = Effects(notice=Notice.WAITING, cancels=frozenset({NO_REPLY}), why="waiting")
PASSED_ON: Final = Effects(notice=Notice.REFERRED, cancels=frozenset({NO_REPLY}),
                           schedules=AFTER_REFERRAL, why="referred")
# Closing ends every check still to go; the after-close check only for CHECKED_OUTCOMES.
CLOSES: Final = Effects(notice=Notice.CLOSED, cancels=frozenset(FollowupKind),
                        schedules=AFTER_CLOSE, why="closed")
REOPENS: Final = Effects(notice=Notice.REOPENED, cancels=frozenset({AFTER_CLOSE}), why="reopened")
# The returnee who reopened it by their answer is told so in that chat, not by a notice.
REOPENS_QUIETLY: Final = Effects(cancels=frozenset({AFTER_CLOSE}), why="reopened")
STAFF_WORDS: Final = Effects(schedules=STAFF)
ANSWERED: Final = Effects(cancels=frozenset({NO_REPLY}), why="answered")
# Not a move: a case is reported (storage/cases.py), and the reassurance is scheduled.
REPORTED: Final = Effects(schedules=NO_REPLY)

MOVES: Final[Mapping[tuple[Status, Action], Move]] = {
    # from      action                   to        effects
    (NEW, Action.CLAIM): Move(CLAIMED, TAKEN_FIRST),
    (CLAIMED, Action.CLAIM): Move(CLAIMED, TAKEN),
    (WAITING, Action.CLAIM): Move(CLAIMED, TAKEN),
    (REFERRED, Action.CLAIM): Move(REFERRED, TAKEN),

    (NEW, Action.UNASSIGN): Move(NEW, NOTHING),
    (CLAIMED, Action.UNASSIGN): Move(NEW, NOTHING),
    (WAITING, Action.UNASSIGN): Move(NEW, NOTHING),
    (REFERRED, Action.UNASSIGN): Move(REFERRED, NOTHING),

    (NEW, Action.ESCALATE): Move(NEW, NOTHING),
    (CLAIMED, Action.ESCALATE): Move(CLAIMED, NOTHING),
    (WAITING, Action.ESCALATE): Move(WAITING, NOTHING),
    (REFERRED, Action.ESCALATE): Move(REFERRED, NOTHING),

    (NEW, Action.WAIT): Move(WAITING, WAITS),
    (CLAIMED, Action.WAIT): Move(WAITING, WAITS),
    (WAITING, Action.WAIT): Move(WAITING, WAITS),
    (REFERRED, Action.WAIT): Move(WAITING, WAITS),

    (NEW, Action.REFER): Move(REFERRED, PASSED_ON),
    (CLAIMED, Action.REFER): Move(REFERRED, PASSED_ON),
    (WAITING, Action.REFER): Move(REFERRED, PASSED_ON),
    (REFERRED, Action.REFER): Move(REFERRED, PASSED_ON),

    (NEW, Action.CLOSE): Move(CLOSED, CLOSES),
    (CLAIMED, Action.CLOSE): Move(CLOSED, CLOSES),
    (WAITING, Action.CLOSE): Move(CLOSED, CLOSES),
    (REFERRED, Action.CLOSE): Move(CLOSED, CLOSES),

    (CLOSED, Action.REOPEN): Move(NEW, REOPENS, to_if_assigned=CLAIMED),
    (CLOSED, Action.RETURNEE_REOPENS): Move(NEW, REOPENS_QUIETLY, to_if_assigned=CLAIMED),

    (NEW, Action.FOLLOW_UP): Move(NEW, STAFF_WORDS),
    (CLAIMED, Action.FOLLOW_UP): Move(CLAIMED, STAFF_WORDS),
    (WAITING, Action.FOLLOW_UP): Move(WAITING, STAFF_WORDS),
    (REFERRED, Action.FOLLOW_UP): Move(REFERRED, STAFF_WORDS),

    # A reply queued before the case was closed may reach the returnee after it.
    (NEW, Action.ANSWER): Move(NEW, ANSWERED),
    (CLAIMED, Action.ANSWER): Move(CLAIMED, ANSWERED),
    (WAITING, Action.ANSWER): Move(WAITING, ANSWERED),
    (REFERRED, Action.ANSWER): Move(REFERRED, ANSWERED),
    (CLOSED, Action.ANSWER): Move(CLOSED, ANSWERED),
}


@dataclass(frozen=True)
class Step:
    """A move as it applies to one case."""

    to: Status
    effects: Effects


def step(status: str, action: Action, *, assigned: bool = False,
         outcome: Outcome | None = None) -> Step:
    """Where `action` takes a case in `status`, and what follows; NotAllowed if it may not.
    `assigned`: someone has the case. `outcome`: what a close is closed with."""
    found = MOVES.get((Status(status), action))
    if found is None:
        raise NotAllowed(f"{action} on a {status} case")
    to = found.to_if_assigned if assigned and found.to_if_assigned else found.to
    effects = found.effects
    if action == Action.CLOSE:
        if outcome is None:
            raise ValueError("closing needs an outcome")
        if outcome not in CHECKED_OUTCOMES:
            effects = replace(effects, schedules=None)
    return Step(to, effects)


def allowed(status: str) -> frozenset[Action]:
    """The actions a case in this status offers (for buttons and help)."""
    return frozenset(action for (source, action) in MOVES if source == status)


def close_outcome(outcome: str, *, recovered: bool) -> Outcome:
    """The outcome a case is closed with; money recovered only goes with 'resolved'."""
    try:
        found = Outcome(outcome)
    except ValueError:
        raise ValueError(f"unknown outcome {outcome!r}") from None
    if recovered and found is not Outcome.RESOLVED:
        raise ValueError("an amount recovered needs the outcome 'resolved'")
    return found
