"""The words staff read for the keys cases are stored with, in the current language:
category, status, outcome, Thai province and gender. Used by /stats, the case lists,
`python -m bot stats`, the export's label columns and the chart; the keys stay in the
database and in the export's key columns.
"""
from __future__ import annotations

from bot.content import provinces_kh
from bot.content.provinces import load_provinces
from bot.i18n import N_, _
from flows.desk import card as desk_card
from flows.forms import form, grievance, intake_steps

STATUS_LABELS = {  # shorter than the card's, for lists and figures
    "new": N_("New"),
    "claimed": N_("Claimed"),
    "waiting": N_("Waiting for the returnee"),
    "referred": N_("Referred"),
    "closed": N_("Closed"),
}
GENDER_LABELS = {
    "woman": N_("Woman"),
    "man": N_("Man"),
    "other": N_("Other"),
    "unsaid": N_("Preferred not to say"),
}
CATEGORIES = tuple(choice.value for choice in grievance.CATEGORY_CHOICES)
GENDERS = tuple(choice.value for choice in intake_steps.GENDER_CHOICES)


def not_given() -> str:
    return _("Not given")


def category(key: str | None) -> str:
    if not key:
        return not_given()
    return form.label_of(grievance.CATEGORY_CHOICES, key) or key


def status(key: str | None) -> str:
    return _(STATUS_LABELS[key]) if key in STATUS_LABELS else (key or not_given())


def outcome(key: str | None) -> str:
    if not key:
        return not_given()
    return _(desk_card.OUTCOME_NAMES[key]) if key in desk_card.OUTCOME_NAMES else key


def gender(key: str | None) -> str:
    return _(GENDER_LABELS[key]) if key in GENDER_LABELS else (key or not_given())


def home_province(key: str | None) -> str:
    """A Cambodian province (where a reporter lives now) in the current language."""
    found = provinces_kh.provinces().get(key)
    return found.name if found is not None else (key or not_given())


def home_province_and_gender(key: str | None) -> str:
    """'Battambang/Woman' from the key 'battambang/woman'."""
    home, _sep, who = (key or "").partition("/")
    return f"{home_province(None if home == '-' else home)}/{gender(None if who == '-' else who)}"


def province(key: str | None) -> str:
    """A Thai province's name in the current language."""
    found = load_provinces().get(key)
    if found is not None:
        return found.name
    return key or not_given()


BY_KIND = {"category": category, "status": status, "outcome": outcome,
           "reporter_gender": gender, "province": province}
