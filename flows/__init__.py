"""Everything a person converses with, one module per flow.

FLOWS is the list the application assembles. A new flow adds its module here;
its menu entries and commands appear automatically.
"""
from __future__ import annotations

from flows import (
    benefits,
    documents,
    help_now,
    intake,
    recruiters,
    safe_migration,
    start,
    wage_rights,
)
from flows.registry import Flow

FLOWS: list[Flow] = [
    start.FLOW,
    intake.FLOW,
    help_now.FLOW,
    safe_migration.FLOW,
    benefits.FLOW,
    documents.FLOW,
    wage_rights.FLOW,
    recruiters.FLOW,
]
