"""What the follow-up sender tells the case's thread (bot/jobs/followups.py; no handlers)."""
from __future__ import annotations

from bot.context import HotlineContext
from bot.i18n import _, use_language
from flows.desk import card as desk_card
from flows.desk import thread as desk_thread
from storage.desk import DeskCase
from storage.followups import Followup


async def tell_thread(context: HotlineContext, dc: DeskCase, text: str,
                      call_on_duty: bool = False) -> None:
    """A line in the case's thread; nothing when there is no staff group or no thread yet."""
    settings = context.settings
    if not settings.staff_enabled:
        return
    if call_on_duty and settings.on_duty_usernames:
        text += "\n" + desk_card.mention(settings.on_duty_usernames)
    await desk_thread.queue_text(context, text, dc.id)


async def tell_staff_delivery(context: HotlineContext, dc: DeskCase, row: Followup,
                              outcome: str, error: str | None = None) -> None:
    """outcome 'sent' (staff's own follow-ups only), 'blocked' or 'failed'."""
    with use_language(context.settings.staff_language):
        if outcome == "sent":
            text = _("✓ Follow-up #{id} for {ref} was delivered.")
        elif outcome == "blocked":
            text = _("⚠️ Follow-up #{id} for {ref} was not delivered: the returnee has blocked "
                     "the bot or deleted their account. Nothing more will be sent to them.")
        else:
            text = _("⚠️ Follow-up #{id} for {ref} could not be sent ({error}).")
        text = text.format(id=row.id, ref=dc.reference, error=error or "-")
    await tell_thread(context, dc, text)
