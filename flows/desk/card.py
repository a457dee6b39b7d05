"""What staff see of a case: the card, its buttons, and the choices behind them.

Everything here is written in STAFF_LANGUAGE (the callers set it). The buttons carry
flows/callbacks.py CaseButton ("sd:<action>:<case id>[:<choice>]"), never a label.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from telegram import InlineKeyboardMarkup

from bot.content.referrals import Partner
from bot.context import HotlineContext
from bot.i18n import LANGUAGE_NAMES, N_, _, format_datetime, format_money
from domain.contact import Refusal, why_not_message
from flows import ui
from flows.callbacks import CaseAction, CaseButton
from flows.forms import report_forms, screening
from flows.returnee import case_texts
from storage import cases, privacy
from storage.clock import from_text
from storage.desk import DeskCase

STATUS_NAMES = {
    "new": N_("New: nobody has it yet"),
    "claimed": N_("Claimed"),
    "waiting": N_("Waiting for the returnee"),
    "referred": N_("Referred"),
    "closed": N_("Closed"),
}
OUTCOME_NAMES = {
    "resolved": N_("Resolved"),
    "referred": N_("Referred"),
    "no_response": N_("No response"),
    "duplicate": N_("Duplicate"),
    "withdrawn": N_("Withdrawn"),
}
# Close buttons: 'money' is 'resolved' with an amount recovered, typed next.
CLOSE_CHOICES = [
    ("money", N_("💰 Resolved, money recovered")),
    ("resolved", N_("✅ Resolved, no money")),
    ("referred", N_("🤝 Referred")),
    ("no_response", N_("🔇 No response")),
    ("duplicate", N_("📑 Duplicate")),
    ("withdrawn", N_("↩️ Withdrawn")),
]


def data(action: CaseAction, case_id: int, choice: str = "") -> str:
    """A card button's callback data."""
    return CaseButton(action, case_id, choice).pack()


def category_name(case: cases.Case) -> str:
    return case_texts.title(case)


def topic_name(dc: DeskCase) -> str:
    """The forum topic's name: reference and category (Telegram allows 128 characters)."""
    urgent = "🚨 " if dc.case.urgent else ""
    return f"{urgent}{dc.reference} · {category_name(dc.case)}"[:128]


def mention(usernames: Iterable[str]) -> str:
    return " ".join(f"@{name}" for name in usernames)


def alias(case: cases.Case) -> str:
    """'Person 7F3A': how staff name the reporter of an anonymous report."""
    return _("Person {code}").format(code=privacy.alias_code(case.id, case.draft_id))


def reporter_line(case: cases.Case) -> str | None:
    """Who reported, as staff may see it: the alias when anonymous, never a phone number."""
    if case.erased_at:
        return _("👤 Personal details erased: only figures remain.")
    if case.anonymous:
        return _("👤 Anonymous: {alias}").format(alias=alias(case))
    if case.reporter_name:
        return _("👤 Reported by {name}").format(name=case.reporter_name)
    return None


def card_text(context: HotlineContext, dc: DeskCase, *, evidence_count: int,
              assigned_name: str | None, partner: Partner | None, not_sent: int = 0) -> str:
    case = dc.case
    settings = context.settings
    head = f"📁 {dc.reference} · {category_name(case)}"
    if case.urgent:
        head = _("🚨 URGENT") + " · " + head
    lines = [head]
    if case.urgent and case.urgent_reasons:
        lines.append(_("Why urgent: {reasons}").format(
            reasons=screening.reasons_text(case.urgent_reasons.split(","))))
    lines.append(_("Status: {status}").format(status=_(STATUS_NAMES[case.status])))
    if assigned_name:
        lines.append(_("Assigned to: {name}").format(name=assigned_name))
    if dc.escalation:
        level_people = mention(dict(settings.escalation_levels).get(dc.escalation, ()))
        if dc.escalation_open:
            lines.append(_("⬆️ Escalated to {level}: waiting for {people} to take it").format(
                level=dc.escalation, people=level_people or "-"))
        else:
            lines.append(_("⬆️ Escalated to {level}").format(level=dc.escalation))
    if partner is not None:
        lines.append(_("Referred to: {organisation}").format(organisation=partner.name))
    if case.status == "closed" and case.outcome:
        outcome = _(OUTCOME_NAMES[case.outcome])
        if dc.recovered_amount and dc.recovered_currency:
            outcome += " · " + _("recovered {amount}").format(
                amount=format_money(Decimal(dc.recovered_amount), dc.recovered_currency))
        lines.append(_("Outcome: {outcome}").format(outcome=outcome))
    lines.append(_("Returnee's language: {language}").format(
        language=LANGUAGE_NAMES.get(case.reporter_language, case.reporter_language)))
    lines.append(_("Received: {when}").format(
        when=format_datetime(from_text(case.created_at), settings.timezone)))
    who = reporter_line(case)
    if who:
        lines.append(who)
    lines += ["", *report_forms.case_summary(case_texts.as_draft(case, evidence_count))]
    if why_not_message(case, notice=True) is Refusal.NO_CONTACT:
        lines += ["", _("⚠️ The returnee asked not to be contacted: messages are not sent.")]
    if not_sent:  # the outbox gave up on them (bot/jobs/sender.py): staff should know
        lines += ["", _("⚠️ Messages about this case that Telegram refused for good: {count}. "
                        "Each one's warning is in the thread.").format(count=not_sent)]
    text = "\n".join(lines)
    return text if len(text) <= ui.MESSAGE_LIMIT else text[: ui.MESSAGE_LIMIT - 1] + "…"


def card_markup(dc: DeskCase) -> InlineKeyboardMarkup:
    case_id = dc.id
    if dc.case.status == "closed":
        return ui.keyboard([[ui.button(_("🔓 Reopen"), data("reopen", case_id))]])
    return ui.keyboard([
        [ui.button(_("✋ Claim"), data("claim", case_id)),
         ui.button(_("🙅 Unassign"), data("unassign", case_id))],
        [ui.button(_("⏳ Waiting"), data("wait", case_id)),
         ui.button(_("🤝 Refer"), data("refer", case_id)),
         ui.button(_("✅ Close"), data("close", case_id))],
        [ui.button(_("⬆️ Escalate"), data("esc", case_id)),
         ui.button(_("💬 Canned reply"), data("canned", case_id))],
    ])


def close_markup(case_id: int) -> InlineKeyboardMarkup:
    return ui.keyboard([[ui.button(_(label), data("out", case_id, key))]
                        for key, label in CLOSE_CHOICES])


def refer_markup(case_id: int, partners: list[Partner]) -> InlineKeyboardMarkup:
    return ui.keyboard([[ui.button(p.name, data("ref", case_id, p.key))] for p in partners])


def levels_markup(context: HotlineContext, case_id: int) -> InlineKeyboardMarkup:
    return ui.keyboard([[ui.button(f"⬆️ {level}", data("lvl", case_id, level))]
                        for level, _people in context.settings.escalation_levels])
