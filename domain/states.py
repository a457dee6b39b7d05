"""The names a case's life is written in: statuses, outcomes, follow-up kinds and notices.

Every value is the string the database stores (cases.status, cases.outcome, followups.kind,
the outbox's notice payload), so rows written before these enums existed read the same.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Final


class Status(StrEnum):
    NEW = "new"  # nobody has it yet
    CLAIMED = "claimed"  # a staff member works on it
    WAITING = "waiting"  # staff wait for the returnee's answer
    REFERRED = "referred"  # passed to a partner organisation
    CLOSED = "closed"  # with an outcome


OPEN_STATUSES: Final = (Status.NEW, Status.CLAIMED, Status.WAITING, Status.REFERRED)


class Outcome(StrEnum):
    RESOLVED = "resolved"
    REFERRED = "referred"
    NO_RESPONSE = "no_response"
    DUPLICATE = "duplicate"
    WITHDRAWN = "withdrawn"


# Closed with these, the returnee is later asked whether the problem is solved; a duplicate
# or a withdrawn report is not followed up.
CHECKED_OUTCOMES: Final = frozenset({Outcome.RESOLVED, Outcome.REFERRED, Outcome.NO_RESPONSE})


class FollowupKind(StrEnum):
    NO_REPLY = "no_reply"  # "your report is in the queue", while nobody has answered
    AFTER_REFERRAL = "after_referral"  # "did the organisation contact you?"
    AFTER_CLOSE = "after_close"  # "is the problem solved?"
    STAFF = "staff"  # staff's own words, at the time they chose


# The bot's own checks: each goes at most once per case (CasePro's rule).
AUTOMATIC: Final = frozenset({FollowupKind.NO_REPLY, FollowupKind.AFTER_REFERRAL,
                              FollowupKind.AFTER_CLOSE})


class Notice(StrEnum):
    """A status change the returnee is told about (flows/desk/relay.py writes the text)."""

    CLAIMED = "claimed"
    WAITING = "waiting"
    REFERRED = "referred"
    CLOSED = "closed"
    REOPENED = "reopened"
