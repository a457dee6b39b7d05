"""A confirmed draft as a case row, and what the person is told once it is stored."""
from __future__ import annotations

import json

from babel import dates
from telegram import InlineKeyboardMarkup, User

from bot.context import HotlineContext
from bot.i18n import N_, _, current_language
from domain.working_hours import next_opening
from flows import ui
from flows.callbacks import Menu
from flows.forms import screening
from flows.forms.draft import Draft
from storage.cases import Case, NewCase
from storage.clock import utcnow

MY_CASES_LABEL = N_("📂 My cases")


def to_new_case(draft: Draft, reporter_id: int, language: str, gender: str | None) -> NewCase:
    """The confirmed draft as a row of the cases table."""
    a = draft.answers
    is_wage = draft.kind == "W"
    found = screening.assess(draft)
    return NewCase(
        kind=draft.kind, draft_id=draft.id, reporter_id=reporter_id,
        reporter_language=language, reporter_gender=gender,
        category="wages" if is_wage else required(a.category, "category"),
        reported_by=a.reported_by or "self", group_size=a.group_size,
        urgent=found.urgent, urgent_reasons=",".join(found.reasons()) if found.urgent else None,
        screener=json.dumps(a.screener) if a.screener else None,
        country="TH" if is_wage else a.country, province=a.province,
        place=a.place, employer=a.employer, workplace=a.workplace,
        sector=a.sector, first_month=a.first_month, last_month=a.last_month,
        owed=",".join(a.owed) if a.owed else None,
        amount=a.amount, currency=a.currency,
        recruiter_involved=a.recruiter_involved, recruiter_name=a.recruiter_name,
        description=a.description, description_voice=a.description_voice,
        anonymous=bool(a.anonymous), contact=required(a.contact, "contact"),
        phone=None if a.anonymous else a.phone,  # a phone number names a person
        share_name=bool(a.share_name) and not a.anonymous,
    )


def required(value: str | None, name: str) -> str:
    """An answer Confirm checked is there (Form.missing): without it, no case."""
    if value is None:
        raise ValueError(f"a confirmed draft without its {name}")
    return value


def display_name(user: User) -> str:
    """'Sokha Chan (@sokha)': how staff see the reporter of a named report."""
    return f"{user.full_name} (@{user.username})" if user.username else user.full_name


def received_text(context: HotlineContext, case: Case) -> str:
    contact = {
        "chat": _("If they have questions or news, they will write to you in this chat."),
        "phone": _("If they have questions or news, they may call you on the number you gave."),
        "none": _("You asked not to be contacted, so look in My cases for news."),
    }[case.contact]
    lines = [
        _("✅ Received. Your reference is {ref}.").format(ref=case.reference), "",
        _("Hotline staff will look at your report. {contact}").format(contact=contact),
        what_next(context),
        _("You can see it and add to it any time under My cases (/mycases)."),
    ]
    if case.urgent:
        lines += ["", screening.emergency_text(context)]
    return "\n".join(lines)


def what_next(context: HotlineContext) -> str:
    """Who answers and roughly when: the staff's working hours (WORKING_HOURS, Monday-Friday)."""
    settings = context.settings
    start_at, end_at = (t.strftime("%H:%M") for t in settings.working_hours)
    hours = _("A case worker answers. They work Monday to Friday, {start}-{end}.").format(
        start=start_at, end=end_at)
    opening = next_opening(utcnow(), settings.working_hours, settings.timezone)
    if opening is None:
        return hours + " " + _("They are at work now, so they should see your report today.")
    day = dates.format_date(opening.date(), "EEEE d MMMM", locale=current_language())
    return hours + " " + _("They will see your report when they are back: {day}, from {time}."
                           ).format(day=day, time=start_at)


def after_markup() -> InlineKeyboardMarkup:
    """My cases (the menu's entry, "menu:mycases", which lists them) and the main menu."""
    return ui.keyboard([[ui.button(_(MY_CASES_LABEL), Menu("mycases").pack())], ui.nav_row()])
