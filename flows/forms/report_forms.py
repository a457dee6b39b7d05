"""The report forms the bot has, by the kind stored on their cases."""
from __future__ import annotations

from flows.forms.form import Form
from flows.forms.grievance import GRIEVANCE
from flows.forms.wage_claim import WAGE_CLAIM

FORMS: dict[str, Form] = {form.kind: form for form in (WAGE_CLAIM, GRIEVANCE)}
