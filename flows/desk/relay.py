"""Messages between a case's thread and the returnee, through the bot.

Both ways go through the outbox (flows/desk/outbox.py sends them). Staff -> returnee:
text with a short header naming the case; files copied by file id (copyMessage) with
the header as caption. Staff see 👌 on their message once it was delivered, or a warning
in the thread when it failed for good. Returnee -> staff: the same the other way, into
the case's thread; the returnee sees 👌 on their message once it is there.
What people write is never logged.
"""
from __future__ import annotations

import logging
from decimal import Decimal

from telegram import InlineKeyboardMarkup, Message, ReplyParameters
from telegram.error import TelegramError

from bot.content import referrals
from bot.context import HotlineContext
from bot.i18n import _, format_money, use_language
from flows import ui
from flows.desk import thread as desk_thread
from storage import outbox
from storage.desk import DeskCase
from storage.outbox import Item

log = logging.getLogger(__name__)

DELIVERED_REACTION = "👌"


def answer_markup(case_id: int) -> InlineKeyboardMarkup:
    """Under every staff message: answer through My cases ("mc:add:<id>")."""
    return ui.keyboard([[ui.button(_("✍️ Answer"), f"mc:add:{case_id}"),
                         ui.button(_("📂 My cases"), "mc:list")]])


def kind_of(message: Message) -> str:
    if message.text:
        return "text"
    for kind in ("photo", "document", "voice", "video", "audio", "video_note"):
        if getattr(message, kind):
            return kind
    return "other"


# -- outbox rows (flows/desk/outbox.py sends them) ---------------------------------------------
def staff_text(text: str, case_id: int | None = None) -> Item:
    return Item("staff_text", {"text": text}, case_id=case_id)


def to_returnee(dc: DeskCase, text: str, *, copy_of: Message | None = None,
                with_answer: bool = True, mark: Message | None = None) -> Item:
    """A text (or a copy of a staff message, with `text` as its header) for the returnee;
    `mark`: the staff message that gets ✓ once it is delivered."""
    payload: dict = {"text": text, "answer": with_answer}
    if copy_of is not None:
        payload["copy"] = {"chat": copy_of.chat_id, "message": copy_of.message_id,
                           "caption": copy_of.caption, "round": bool(copy_of.video_note),
                           "text": copy_of.text}
    if mark is not None:
        payload["mark"] = {"chat": mark.chat_id, "message": mark.message_id}
    return Item("to_returnee", payload, chat_id=dc.case.reporter_id, case_id=dc.id,
                lane=outbox.RELAYS)


def copy_in(case_id: int, message: Message, mark_for: int) -> Item:
    """The returnee's message into the thread; `mark_for`: their chat, for the ✓."""
    return Item("copy_in", {"chat": message.chat_id, "message": message.message_id,
                            "text": message.text, "caption": message.caption,
                            "round": bool(message.video_note), "mark": mark_for},
                case_id=case_id, lane=outbox.RELAYS)


# -- staff -> returnee ------------------------------------------------------------------------
def header_for_returnee(dc: DeskCase) -> str:
    with use_language(dc.case.reporter_language):
        return _("💬 Hotline staff, about your report {ref}:").format(ref=dc.reference)


async def mark_delivered(context: HotlineContext, chat_id: int, message_id: int) -> None:
    """👌 on the message that was delivered; a short reply where reactions are not allowed."""
    try:
        await context.bot.set_message_reaction(chat_id, message_id, DELIVERED_REACTION)
    except TelegramError:
        try:
            await context.bot.send_message(chat_id, "✓", reply_parameters=ReplyParameters(
                message_id, allow_sending_without_reply=True))
        except TelegramError as exc:
            log.info("delivery mark not shown: %s", type(exc).__name__)


def not_delivered_text(context: HotlineContext, blocked: bool) -> str:
    """The warning staff see in the thread when a message to the returnee failed for good."""
    with use_language(context.settings.staff_language):
        if blocked:
            return _("⚠️ Not delivered: the returnee has blocked the bot or deleted their "
                     "account. They cannot get messages from us now.")
        return _("⚠️ Not delivered: Telegram refused it, also when tried again. The message "
                 "is kept with the case.")


# -- returnee -> staff --------------------------------------------------------------------------
def queued_text(reference: str) -> str:
    """What the returnee is told at once: the truth, before it reached staff."""
    return _("⏳ Saved with your report {ref}. It will reach hotline staff shortly: you will "
             "see 👌 on your message when it has.").format(ref=reference)


async def relay_of(context: HotlineContext, case_id: int, message: Message
                   ) -> outbox.Item | None:
    """The outbox row that takes a returnee's message into the case's thread (None when
    there is no staff group), for the transaction that stores the message. A case never
    announced is queued for the staff group first, so its card comes before the message."""
    if not context.settings.staff_enabled:
        return None
    await desk_thread.announce(context, case_id)
    return copy_in(case_id, message, message.chat_id)


# -- telling the returnee about a change --------------------------------------------------------
def change_text(context: HotlineContext, dc: DeskCase, change: str) -> str:
    """What the returnee is told, in the current language (their case's)."""
    ref = dc.reference
    if change == "claimed":
        return _("A hotline staff member is now working on your report {ref}.").format(ref=ref)
    if change == "waiting":
        return _("Hotline staff are waiting for your answer about {ref}. "
                 "Write it here in this chat, or press Answer.").format(ref=ref)
    if change == "referred":
        partner = referrals.partner(context.directory, dc.referred_to)
        # What was done, never what the organisation will achieve.
        if dc.case.share_name:
            text = _("We passed your report {ref} to {organisation} with your permission. "
                     "They may contact you.")
        else:
            text = _("We passed your report {ref} to {organisation}, without your name.")
        text = text.format(ref=ref, organisation=partner.name if partner else "-")
        if partner is not None and partner.number:
            text += "\n" + _("☎️ Phone: {number}").format(number=partner.number)
        if partner is not None and partner.address:
            text += "\n" + _("🌐 Website: {address}").format(address=partner.address)
        return text
    if change == "reopened":
        return _("Your report {ref} was opened again. Hotline staff are working on it.").format(
            ref=ref)
    outcome = dc.case.outcome
    if outcome == "resolved" and dc.recovered_amount and dc.recovered_currency:
        why = _("{amount} was recovered for you.").format(
            amount=format_money(Decimal(dc.recovered_amount), dc.recovered_currency))
    else:
        why = {
            "resolved": _("The problem was solved."),
            "referred": _("It was passed to a partner organisation."),
            "no_response": _("We could not reach you."),
            "duplicate": _("It is the same as another report."),
            "withdrawn": _("You withdrew it."),
        }.get(outcome or "", "")
    return "\n".join([
        _("Your report {ref} is closed. {why}").format(ref=ref, why=why),
        _("If you still need help, write to us here or send a new report."),
    ])

