"""How a stored case reads, to its returnee and on the staff card: its title and its
answers in the shape of a draft (for the same summary as the form's). No handlers here."""
from __future__ import annotations

import json
from typing import Any

from bot.i18n import _
from flows.forms import form, grievance
from storage.cases import Case


def title(case: Case) -> str:
    if case.kind == "W":
        return _("Unpaid wages")
    return form.label_of(grievance.CATEGORY_CHOICES, case.category) or _("Problem")


def as_draft(case: Case, evidence_count: int) -> dict[str, Any]:
    """The stored case in the shape of a draft, so the summary reads the same."""
    fields = {name: getattr(case, name) for name in (
        "reported_by", "group_size", "category", "country", "province", "place", "employer",
        "workplace", "sector", "first_month", "last_month", "amount", "currency",
        "recruiter_involved", "recruiter_name", "description", "description_voice",
        "anonymous", "contact", "phone", "share_name")}
    fields["owed"] = case.owed.split(",") if case.owed else []
    fields["screener"] = json.loads(case.screener) if case.screener else {}
    fields["gender"] = case.reporter_gender
    fields["home_province"] = case.home_province
    return {"kind": case.kind, "f": fields, "evidence": [None] * evidence_count,
            "editing": False, "ask_gender": case.reporter_gender is not None,
            "ask_home": case.home_province is not None}
