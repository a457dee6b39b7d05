"""Everything a person converses with, one module per flow.

FLOWS is the list the application assembles. A new flow adds its module here;
its menu entries and commands appear automatically.
"""
from __future__ import annotations

from flows import alerts, broadcast, start
from flows.registry import Flow

FLOWS: list[Flow] = [
    broadcast.FLOW,  # before start: its conversation's fallbacks must see /cancel first
    start.FLOW,
    alerts.FLOW,
]
