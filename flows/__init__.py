"""Everything a person converses with, one module per flow.

FLOWS is the list the application assembles. A new flow adds its module here;
its menu entries and commands appear automatically.

start comes last: handlers in one group are tried in order, and a conversation
must see /menu, /cancel or the Main menu button before start's own handlers do,
so that its fallbacks (start.exit_handlers()) can leave the conversation.
"""
from __future__ import annotations

from flows import intake, start
from flows.registry import Flow

FLOWS: list[Flow] = [
    intake.FLOW,
    start.FLOW,
]
