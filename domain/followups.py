"""The follow-up policy: when a follow-up is made, when it is due, and what stops it.

The moves that schedule and cancel follow-ups are in domain/lifecycle.py (Effects); here
is what holds for every follow-up: the bot's automatic checks go once per case and only
`after` their delay (none when the delay setting is off); none is made for a returnee who
may not be written to (domain/contact.py); and right before one is sent, it is checked
again against the person and the case: a person who deleted their data, blocked the bot
or pressed Stop reminders gets nothing, nor a check that the case has moved past.
storage/followups.py only stores the rows and asks here.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Protocol

from domain.contact import CaseFacts, Refusal, why_not_message
from domain.states import AUTOMATIC, FollowupKind, Status


class FollowupCase(CaseFacts, Protocol):
    """What the policy reads of a case."""

    @property
    def first_response_at(self) -> str | None: ...


@dataclass(frozen=True)
class Person:
    """What the person a follow-up goes to has chosen, or Telegram told."""

    deleted: bool = False  # /delete
    unreachable: bool = False  # blocked the bot (or the account is gone)
    reminders_off: bool = False  # Stop reminders


# Each automatic check is about one status; once the case has left it, the check is moot.
MEANT_FOR: Final = {
    FollowupKind.NO_REPLY: (Status.NEW, "answered"),
    FollowupKind.AFTER_REFERRAL: (Status.REFERRED, "no longer referred"),
    FollowupKind.AFTER_CLOSE: (Status.CLOSED, "no longer closed"),
}
# The reason stored on a follow-up cancelled because the returnee may not be written to.
REFUSED: Final = {
    Refusal.ERASED: "personal details erased",
    Refusal.CLOSED: "case closed",
    Refusal.NO_CONTACT: "no contact wanted",
}


def due_at(now: datetime, after: timedelta | None) -> datetime | None:
    """When an automatic follow-up goes: `after` the change that calls for it (None: the
    setting is off, so none)."""
    return None if after is None else now + after


def may_schedule(kind: FollowupKind, case: CaseFacts,
                 earlier: Collection[FollowupKind] = ()) -> bool:
    """Whether a follow-up of this kind may be made for the case; `earlier`: the kinds the
    case has had already (in any state)."""
    if kind in AUTOMATIC and kind in earlier:
        return False
    return why_not_message(case, notice=kind in AUTOMATIC) is None


def why_not_send(kind: FollowupKind, case: FollowupCase, person: Person) -> str | None:
    """Why a due follow-up must not go (it is cancelled with this reason), or None."""
    if person.deleted:
        return "data deleted"
    if person.unreachable:
        return "unreachable"
    if person.reminders_off:
        return "reminders off"
    refusal = why_not_message(case, notice=kind in AUTOMATIC)
    if refusal is not None:
        return REFUSED[refusal]
    # Belt and braces: the moves cancel these in their own transaction already.
    if kind in MEANT_FOR:
        status, reason = MEANT_FOR[kind]
        if case.status != status:
            return reason
    if kind == FollowupKind.NO_REPLY and case.first_response_at:
        return "answered"
    return None
