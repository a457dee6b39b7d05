"""What a follow-up looks like to the returnee, in their language (the follow-up sender
renders it: bot/jobs/followups.py; no handlers here)."""
from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.content import referrals
from bot.context import HotlineContext
from bot.i18n import _
from flows import ui
from flows.callbacks import AddToCase, FollowupAnswer, MyCases, StopReminders
from storage.desk import DeskCase
from storage.followups import Followup


def followup_message(context: HotlineContext, dc: DeskCase,
                     row: Followup) -> tuple[str, InlineKeyboardMarkup]:
    ref = dc.reference
    stop_row = [ui.button(_("🔕 Stop reminders"), StopReminders().pack())]
    if row.kind == "no_reply":
        text = _("📋 Your report {ref} is in the queue. Hotline staff have not answered yet, "
                 "but they will write to you here. You do not need to send it again.").format(
            ref=ref)
        rows = [[ui.button(_("📂 My cases"), MyCases().pack())]]
    elif row.kind == "after_referral":
        partner = referrals.partner(context.directory, dc.referred_to)
        text = _("📋 About your report {ref}: we passed it to {organisation}. Did they "
                 "contact you?").format(ref=ref, organisation=partner.name if partner else "-")
        rows = [[ui.button(_("✅ Yes"), _answer(row, "yes")),
                 ui.button(_("❌ No"), _answer(row, "no"))],
                [ui.button(_("🆘 I need help"), _answer(row, "help"))]]
    elif row.kind == "after_close":
        text = _("📋 About your report {ref}: is the problem solved?").format(ref=ref)
        rows = [[ui.button(_("✅ Yes"), _answer(row, "yes")),
                 ui.button(_("❌ No"), _answer(row, "no"))],
                [ui.button(_("🆘 I need help again"), _answer(row, "help"))]]
    else:  # staff's own words, under the same header as every staff message
        header = _("💬 Hotline staff, about your report {ref}:").format(ref=ref)
        text = f"{header}\n\n{row.text}"
        rows = [[ui.button(_("✍️ Answer"), AddToCase(dc.id).pack()),
                 ui.button(_("📂 My cases"), MyCases().pack())]]
    return text[: ui.MESSAGE_LIMIT], ui.keyboard([*rows, stop_row])


def _answer(row: Followup, answer: str) -> str:
    return FollowupAnswer(row.id, answer).pack()
