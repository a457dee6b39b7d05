"""The question the bot asked a staff member, answered by their next message in the group.

Two answers are typed rather than pressed: the reason for an escalation and the amount
recovered when a case closes with money. The question is kept in user_data["sd_awaiting"]
(bot/state.py StaffAwaiting) for AWAIT_SECONDS; a command instead of the answer drops it.
flows/desk/messages.py takes the answer.
"""
from __future__ import annotations

import time

from bot.context import HotlineContext
from bot.state import StaffAwaiting

AWAIT_SECONDS = 600  # how long the bot takes a staff member's next message as the answer


def ask_reason(context: HotlineContext, case_id: int, level: str) -> None:
    """The next message is the reason for escalating the case to `level`."""
    context.person_state["sd_awaiting"] = StaffAwaiting(
        case=case_id, what="reason", level=level, at=time.time())


def ask_amount(context: HotlineContext, case_id: int) -> None:
    """The next message is the amount recovered for the case."""
    context.person_state["sd_awaiting"] = StaffAwaiting(
        case=case_id, what="amount", at=time.time())


def ask_again(context: HotlineContext, question: StaffAwaiting) -> None:
    """The same question, for another AWAIT_SECONDS (the answer could not be used)."""
    context.person_state["sd_awaiting"] = {**question, "at": time.time()}


def awaited(context: HotlineContext) -> StaffAwaiting | None:
    """The question this staff member still has to answer, if asked recently enough.
    What persistence gives back is checked: a malformed or old value is dropped."""
    question = context.person_state.get("sd_awaiting")
    if not isinstance(question, dict) or not isinstance(question.get("case"), int) \
            or question.get("what") not in ("reason", "amount"):
        forget(context)
        return None
    at = question.get("at")
    if not isinstance(at, (int, float)) or time.time() - at > AWAIT_SECONDS:
        forget(context)
        return None
    return question


def forget(context: HotlineContext) -> None:
    """No question is waiting any more (answered, or a command came instead)."""
    context.person_state.pop("sd_awaiting", None)
