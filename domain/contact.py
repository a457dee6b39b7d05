"""May the hotline write to a case's returnee? The one answer every sender asks for.

Staff's own words (a reply, a canned reply, a staff follow-up) need an open case whose
reporter still wants contact and whose details were not erased. A notice of a status change
and the bot's automatic checks may also go about a closed case ("your report is closed",
"is the problem solved?"). What the person chose for themselves (Stop reminders, /delete,
blocking the bot) is the follow-up policy's part (domain/followups.py).
"""
from __future__ import annotations

from enum import StrEnum
from typing import Final, Protocol

from domain.states import Status

NO_CONTACT: Final = "none"  # cases.contact when the reporter asked not to be contacted


class CaseFacts(Protocol):
    """What the rules read of a case (storage.cases.Case has it)."""

    @property
    def status(self) -> str: ...

    @property
    def contact(self) -> str: ...

    @property
    def erased_at(self) -> str | None: ...


class Refusal(StrEnum):
    """Why nothing may be written to the returnee, most telling first."""

    ERASED = "erased"  # personal details erased: nobody can be reached through the case
    CLOSED = "closed"  # staff's words wait until the case is reopened
    NO_CONTACT = "no_contact"  # the returnee asked not to be contacted


def why_not_message(case: CaseFacts, *, notice: bool = False) -> Refusal | None:
    """Why the returnee may not be written to about this case, or None when they may.
    notice: a status change or an automatic check, which may go about a closed case."""
    if case.erased_at is not None:
        return Refusal.ERASED
    if case.status == Status.CLOSED and not notice:
        return Refusal.CLOSED
    if case.contact == NO_CONTACT:
        return Refusal.NO_CONTACT
    return None


def can_message_returnee(case: CaseFacts, *, notice: bool = False) -> bool:
    """True when the returnee may be written to about this case (see why_not_message)."""
    return why_not_message(case, notice=notice) is None
