"""Everything a person converses with, one module per flow.

FLOWS is the list the application assembles. A new flow adds its module here;
its menu entries and commands appear automatically.

start.FLOW comes last: its /menu, /cancel and Main menu handlers would
otherwise answer before a conversation's fallbacks (exit_handlers) could
see them, and the conversation would stay in its state.

exit_handlers() are handed to every flow's handlers(): conversations list them in their
fallbacks, start registers them outside conversations. Handing them in (rather than each
conversation importing start) keeps the flows free of import cycles.
"""
from __future__ import annotations

from telegram.ext import BaseHandler

from flows.admin import broadcast
from flows.desk import followups as desk_followups
from flows.desk import handlers as staff_desk
from flows.forms import intake
from flows.registry import Flow
from flows.returnee import (
    alerts,
    benefits,
    case_replies,
    consent,
    documents,
    followups,
    help_now,
    my_data,
    recruiters,
    safe_migration,
    start,
    wage_rights,
)

FLOWS: list[Flow] = [
    staff_desk.FLOW,  # staff group and "sd:" buttons only
    desk_followups.FLOW,  # /followup, /followups, /followup_cancel in the staff group
    followups.FLOW,  # "fu:" buttons before any conversation's fallback can take them
    broadcast.FLOW,  # admins' composer (a conversation)
    intake.FLOW,
    recruiters.FLOW,
    help_now.FLOW,
    safe_migration.FLOW,
    benefits.FLOW,
    documents.FLOW,
    wage_rights.FLOW,
    alerts.FLOW,
    my_data.FLOW,  # /mydata and /delete (their handlers are exit handlers)
    case_replies.FLOW,  # after every conversation: only what none of them took
    start.FLOW,
]


def exit_handlers() -> list[BaseHandler]:
    """Handlers that leave any conversation: /mydata and /delete, /start, /menu, /help,
    /language, /cancel, the Main menu button and the greeting's language buttons."""
    return [*my_data.exit_handlers(), *start.exit_handlers(), *consent.exit_handlers()]
