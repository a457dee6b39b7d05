"""Messages between a case's thread and the returnee, through the bot.

Staff -> returnee: text is sent with a short header naming the case; files are
copied by file id (copyMessage) with the header as caption. Staff see 👌 on
their message when it was delivered, or a warning in the thread when not.
Returnee -> staff: the same the other way, into the case's thread.
What people write is never logged.
"""
from __future__ import annotations

import logging
from decimal import Decimal

from telegram import Message
from telegram.error import Forbidden, TelegramError

from bot import referrals
from bot.context import HotlineContext
from bot.i18n import _, format_money, use_language
from flows import desk_card, desk_thread, ui
from storage import desk
from storage.desk import DeskCase

log = logging.getLogger(__name__)

DELIVERED_REACTION = "👌"


def answer_markup(case_id: int):
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


# -- staff -> returnee ------------------------------------------------------------------------
async def to_returnee(context: HotlineContext, dc: DeskCase, message: Message) -> bool:
    """Relay a staff message; mark it delivered, or warn in the thread. True if delivered."""
    case = dc.case
    with use_language(case.reporter_language):
        header = _("💬 Hotline staff, about your report {ref}:").format(ref=dc.reference)
        markup = answer_markup(dc.id)
    try:
        if message.text:
            text = f"{header}\n\n{message.text}"
            if len(text) > ui.MESSAGE_LIMIT:
                await context.bot.send_message(case.reporter_id, header)
                await context.bot.send_message(case.reporter_id, message.text, reply_markup=markup)
            else:
                await context.bot.send_message(case.reporter_id, text, reply_markup=markup)
        elif message.video_note:  # round videos take no caption: the header goes first
            await context.bot.send_message(case.reporter_id, header)
            await context.bot.copy_message(case.reporter_id, message.chat_id, message.message_id,
                                           reply_markup=markup)
        else:
            caption = f"{header}\n\n{message.caption}" if message.caption else header
            await context.bot.copy_message(case.reporter_id, message.chat_id, message.message_id,
                                           caption=caption[:1024], reply_markup=markup)
    except TelegramError as exc:
        await warn_not_delivered(context, dc, exc, message)
        return False
    await mark_delivered(context, message)
    return True


async def send_to_returnee(context: HotlineContext, dc: DeskCase, text: str,
                           with_answer: bool = True) -> TelegramError | None:
    """A text from the bot to the returnee; the error when it failed."""
    with use_language(dc.case.reporter_language):
        markup = answer_markup(dc.id) if with_answer else ui.keyboard(
            [[ui.button(_("📂 My cases"), "mc:list")]])
    try:
        await context.bot.send_message(dc.case.reporter_id, text, reply_markup=markup)
    except TelegramError as exc:
        return exc
    return None


async def mark_delivered(context: HotlineContext, message: Message) -> None:
    """👌 on the staff message; a short reply where reactions are not allowed."""
    try:
        await context.bot.set_message_reaction(message.chat_id, message.message_id,
                                               DELIVERED_REACTION)
    except TelegramError:
        try:
            await message.reply_text("✓", do_quote=True)
        except TelegramError as exc:
            log.info("delivery mark not shown: %s", type(exc).__name__)


async def warn_not_delivered(context: HotlineContext, dc: DeskCase, exc: TelegramError,
                             message: Message | None = None) -> None:
    """A clear warning in the thread (a reply to the staff message when there is one)."""
    with use_language(context.settings.staff_language):
        if isinstance(exc, Forbidden):
            text = _("⚠️ Not delivered: the returnee has blocked the bot or deleted their "
                     "account. They cannot get messages from us now.")
        else:
            text = _("⚠️ Not delivered: Telegram refused it ({error}). Try again later.").format(
                error=type(exc).__name__)
    log.warning("message to the reporter of case %s failed: %s", dc.id, type(exc).__name__)
    try:
        if message is not None:
            await message.reply_text(text, do_quote=True)
        else:
            thread = await desk.thread(context.db, dc.id)
            if thread is not None:
                await desk_thread.post(context, thread, text)
    except TelegramError as error:
        log.warning("warning for case %s not posted: %s", dc.id, type(error).__name__)


# -- returnee -> staff --------------------------------------------------------------------------
async def to_staff(context: HotlineContext, case_id: int, message: Message) -> bool:
    """Put what the returnee sent about their case into its thread; False if it could not."""
    if not context.settings.staff_enabled:
        return False
    try:
        thread = await desk_thread.ensure_thread(context, case_id)
        dc = await desk.get(context.db, case_id)
        if thread is None or dc is None:
            return False
        with use_language(context.settings.staff_language):
            if dc.case.anonymous:
                header = _("↩️ {ref} · from {alias}:").format(
                    ref=dc.reference, alias=desk_card.alias(dc.case))
            else:
                header = _("↩️ {ref} · from the returnee:").format(ref=dc.reference)
        if message.text:
            text = f"{header}\n\n{message.text}"[: ui.MESSAGE_LIMIT]
            await desk_thread.post(context, thread, text)
        elif message.video_note:  # round videos take no caption
            await desk_thread.post(context, thread, header)
            await desk_thread.copy_in(context, thread, message.chat_id, message.message_id, None)
        else:
            caption = f"{header}\n\n{message.caption}" if message.caption else header
            await desk_thread.copy_in(context, thread, message.chat_id, message.message_id,
                                      caption[:1024])
    except TelegramError as exc:
        log.warning("message on case %s not relayed to staff: %s", case_id, type(exc).__name__)
        return False
    return True


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


async def tell_returnee(context: HotlineContext, dc: DeskCase, change: str) -> None:
    """Tell the returnee of a status change in their language; warn staff when it fails."""
    if dc.case.contact == "none":
        return  # they asked not to be contacted; My cases shows the status
    with use_language(dc.case.reporter_language):
        text = change_text(context, dc, change)
    error = await send_to_returnee(context, dc, text, with_answer=change == "waiting")
    if error is not None:
        await warn_not_delivered(context, dc, error)
