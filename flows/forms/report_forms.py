"""The report forms the bot has, by the kind stored on their cases."""
from __future__ import annotations

from collections.abc import Mapping

from flows.forms import draft as drafts
from flows.forms.form import Form, summary_lines
from flows.forms.grievance import GRIEVANCE
from flows.forms.wage_claim import WAGE_CLAIM

FORMS: dict[str, Form] = {form.kind: form for form in (WAGE_CLAIM, GRIEVANCE)}


def case_summary(stored: Mapping[str, object]) -> list[str]:
    """The summary of a stored case (given as flows/returnee/case_texts.as_draft makes it),
    read as the form's own summary."""
    draft = drafts.of_case(stored)
    return [] if draft is None else summary_lines(FORMS[draft.kind], draft)
