"""How each kind of outbox row about a case is sent (bot/jobs/sender.py runs them).

Texts that depend on the case (the card, a notice to the returnee, a relay's header) are
written when the row is sent, in the reader's language, so they show the case as it is
then. Rows for the staff group find the case's thread when they are sent, and make it
(a forum topic) if it does not exist or staff deleted it.

kinds:
- card: the case card (first row of an announcement; its message id is the thread's card)
- file: one evidence file, each its own row (a file Telegram refuses fails alone)
- staff_text: a text in the thread (or in the group when no case): alerts, warnings
- copy_in: a returnee's message copied into the thread, under a header
- to_returnee: a staff message or a text to the returnee; ✓ on the staff message once sent
- notice: a status change told to the returnee
- card_edit: the card shows the case as it is now ("message is not modified" is success)
- purge: copies removed from the staff group (/delete, retention): deleted in batches,
  or overwritten when they are too old to delete
"""
from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardMarkup, Message, MessageId
from telegram.error import BadRequest

from bot.context import HotlineContext
from bot.i18n import _, use_language
from bot.jobs import sender, weekly_report
from bot.jobs.outcomes import Verdict
from bot.jobs.sender import Kind
from flows import ui
from flows.desk import card as desk_card
from flows.desk import relay as desk_relay
from flows.desk import thread as desk_thread
from storage import desk, outbox
from storage.desk import DeskCase, Thread
from storage.outbox import Item, Row

log = logging.getLogger(__name__)


# -- finding the thread -------------------------------------------------------------------------
def _staff_chat(context: HotlineContext) -> int:
    """The staff group's id. Rows for it are queued only while STAFF_CHAT_ID is set; one
    still queued after it was unset is tried again later, as when Telegram is down."""
    chat_id = context.staff_chat_id
    if chat_id is None:
        raise LookupError("no staff group: STAFF_CHAT_ID is not set")
    return chat_id


def _case_id(row: Row) -> int:
    """The case of a row that is about one (every kind here but staff_text and purge)."""
    if row.case_id is None:
        raise LookupError(f"outbox {row.id}: a {row.kind} row without a case")
    return row.case_id


async def _thread(context: HotlineContext, case_id: int) -> tuple[DeskCase, Thread]:
    dc = await desk.get(context.db, case_id)
    if dc is None:
        raise LookupError(f"case {case_id} is gone")
    chat_id = _staff_chat(context)
    thread = await desk.thread(context.db, case_id)
    if thread is not None and thread.chat_id != chat_id:  # the group moved: a new thread
        await desk.forget_thread(context.db, case_id)
        thread = None
    if thread is None:
        thread = await desk_thread.open_thread(context, dc, chat_id)
    return dc, thread


async def _forget_thread(context: HotlineContext, row: Row) -> None:
    if row.case_id is not None:
        await desk.forget_thread(context.db, row.case_id)
        log.info("case %s: its topic is gone; a new one is made", row.case_id)


# -- the kinds ----------------------------------------------------------------------------------
async def _send_card(context: HotlineContext, row: Row) -> tuple[int, int | None]:
    dc, thread = await _thread(context, _case_id(row))
    text, markup = await desk_thread.card(context, dc)
    intro = row.payload.get("intro")
    if intro:  # a reminder: the card again under it
        text = f"{intro}\n\n{text}"
    elif dc.case.urgent and context.settings.on_duty_usernames:
        text += "\n\n" + desk_card.mention(context.settings.on_duty_usernames)
    message = await desk_thread.post(context, thread, text, markup)
    return message.chat_id, message.message_id


async def _card_sent(context: HotlineContext, row: Row, chat_id: int, message_id: int | None
                     ) -> None:
    if message_id is not None and not row.payload.get("again"):
        await desk.set_card(context.db, _case_id(row), message_id)


async def _send_file(context: HotlineContext, row: Row) -> tuple[int, int | None]:
    dc, thread = await _thread(context, _case_id(row))
    with use_language(context.settings.staff_language):
        caption = _("Proof sent with {ref}").format(ref=dc.reference)
    message = await desk_thread.send_file(context, thread, row.payload["kind"],
                                          row.payload["file_id"], caption)
    return message.chat_id, message.message_id


async def _send_staff_text(context: HotlineContext, row: Row) -> tuple[int, int | None]:
    text = row.payload["text"]
    if row.case_id is None:
        message = await context.bot.send_message(_staff_chat(context), text)
    else:
        _dc, thread = await _thread(context, row.case_id)
        message = await desk_thread.post(context, thread, text)
    return message.chat_id, message.message_id


async def _send_copy_in(context: HotlineContext, row: Row) -> tuple[int, int | None]:
    dc, thread = await _thread(context, _case_id(row))
    p = row.payload
    with use_language(context.settings.staff_language):
        if dc.case.anonymous:
            header = _("↩️ {ref} · from {alias}:").format(ref=dc.reference,
                                                          alias=desk_card.alias(dc.case))
        else:
            header = _("↩️ {ref} · from the returnee:").format(ref=dc.reference)
    message: Message | MessageId  # a post, or a copy (only its id comes back)
    if p.get("text"):
        message = await desk_thread.post(context, thread,
                                         f"{header}\n\n{p['text']}"[: ui.MESSAGE_LIMIT])
    elif p.get("round"):  # round videos take no caption: the header goes first
        await desk_thread.post(context, thread, header)
        message = await desk_thread.copy_in(context, thread, p["chat"], p["message"], None)
    else:
        caption = f"{header}\n\n{p['caption']}" if p.get("caption") else header
        message = await desk_thread.copy_in(context, thread, p["chat"], p["message"],
                                            caption[:1024])
    return thread.chat_id, message.message_id


async def _copy_in_sent(context: HotlineContext, row: Row, chat_id: int, message_id: int | None
                        ) -> None:
    """✓ on the returnee's own message: it reached the staff."""
    await desk_relay.mark_delivered(context, row.payload["mark"], row.payload["message"])


async def _copy_in_failed(context: HotlineContext, row: Row, verdict: Verdict) -> None:
    dc = await desk.get(context.db, row.case_id) if row.case_id is not None else None
    if dc is None:
        return
    with use_language(dc.case.reporter_language):
        text = _("⚠️ Your message could not reach hotline staff. It is kept with your report "
                 "{ref}; they will see it there.").format(ref=dc.reference)
    await outbox.queue(context.db, Item("to_returnee", {"text": text, "answer": False,
                                                        "from_bot": True},
                                        chat_id=dc.case.reporter_id, case_id=dc.id,
                                        lane=outbox.RELAYS))
    sender.wake(context)


async def _send_to_returnee(context: HotlineContext, row: Row) -> tuple[int, int | None]:
    dc = await desk.get(context.db, row.case_id) if row.case_id is not None else None
    p = row.payload
    language = dc.case.reporter_language if dc is not None else None
    with use_language(language or context.settings.staff_language):
        markup = _returnee_markup(dc, p.get("answer", True))
    return row.chat_id, await _deliver_to_returnee(context, row.chat_id, p, markup)


async def _deliver_to_returnee(context: HotlineContext, chat_id: int, p: dict[str, Any],
                               markup: InlineKeyboardMarkup) -> int:
    """Send the text, or the copy under its header; the id of the last message sent."""
    header: str = p["text"]  # always set (flows/desk/relay.py to_returnee)
    copy: dict[str, Any] | None = p.get("copy")
    bot = context.bot
    if copy is None:
        return (await bot.send_message(chat_id, header, reply_markup=markup)).message_id
    if copy.get("text"):
        text = f"{header}\n\n{copy['text']}"
        if len(text) <= ui.MESSAGE_LIMIT:
            return (await bot.send_message(chat_id, text, reply_markup=markup)).message_id
        await bot.send_message(chat_id, header)
        return (await bot.send_message(chat_id, copy["text"], reply_markup=markup)).message_id
    if copy.get("round"):  # round videos take no caption: the header goes first
        await bot.send_message(chat_id, header)
        copied = await bot.copy_message(chat_id, copy["chat"], copy["message"], reply_markup=markup)
    else:
        caption = f"{header}\n\n{copy['caption']}" if copy.get("caption") else header
        copied = await bot.copy_message(chat_id, copy["chat"], copy["message"],
                                        caption=caption[:1024], reply_markup=markup)
    return copied.message_id


async def _to_returnee_sent(context: HotlineContext, row: Row, chat_id: int,
                            message_id: int | None) -> None:
    if row.case_id is not None and not row.payload.get("from_bot"):
        await desk.reply_delivered(context.db, row.case_id)  # a staff reply: counted now
    mark = row.payload.get("mark")
    if mark:
        await desk_relay.mark_delivered(context, mark["chat"], mark["message"])


async def _to_returnee_failed(context: HotlineContext, row: Row, verdict: Verdict) -> None:
    if row.case_id is None:
        return
    dc = await desk.get(context.db, row.case_id)
    if dc is None:
        return
    text = desk_relay.not_delivered_text(context, verdict.kind == "unreachable")
    await outbox.queue(context.db, desk_relay.staff_text(text, dc.id))
    sender.wake(context)


async def _send_notice(context: HotlineContext, row: Row) -> tuple[int, int | None]:
    case_id = _case_id(row)
    dc = await desk.get(context.db, case_id)
    if dc is None:
        raise LookupError(f"case {case_id} is gone")
    change = row.payload["change"]
    with use_language(dc.case.reporter_language):
        text = desk_relay.change_text(context, dc, change)
        markup = _returnee_markup(dc, change == "waiting")
    message = await context.bot.send_message(row.chat_id, text, reply_markup=markup)
    return message.chat_id, message.message_id


async def _send_card_edit(context: HotlineContext, row: Row) -> tuple[int, int | None]:
    if row.case_id is None:
        return row.chat_id, None
    dc = await desk.get(context.db, row.case_id)
    thread = await desk.thread(context.db, row.case_id)
    if dc is None or thread is None or thread.card_message_id is None:
        return row.chat_id, None  # no card yet: the card, when it is posted, is up to date
    text, markup = await desk_thread.card(context, dc)
    await context.bot.edit_message_text(text, thread.chat_id, thread.card_message_id,
                                        reply_markup=markup)
    return thread.chat_id, thread.card_message_id


DELETE_BATCH = 100  # Telegram's deleteMessages takes 1 to 100 ids


async def _send_purge(context: HotlineContext, row: Row) -> tuple[int, int | None]:
    """Delete what may still be deleted, overwrite the older copies the bot posted. Done
    again from the start after a retry: deleting twice and an edit that changes nothing
    are both harmless."""
    chat, ids = row.payload["chat"], row.payload["delete"]
    for start in range(0, len(ids), DELETE_BATCH):  # skips what is gone or too old
        await context.bot.delete_messages(chat, ids[start:start + DELETE_BATCH])
    with use_language(context.settings.staff_language):
        notice = _("🗑 Erased: the personal details in this message were removed.")
    for message_id, part in row.payload["edit"]:
        try:
            if part == "caption":
                await context.bot.edit_message_caption(chat, message_id, caption=notice)
            else:
                await context.bot.edit_message_text(notice, chat, message_id)
        except BadRequest as exc:  # gone already, not modified: nothing left to erase
            log.info("outbox %s: a copy was not edited: %s", row.id, type(exc).__name__)
    return chat, None


def _returnee_markup(dc: DeskCase | None, with_answer: bool) -> InlineKeyboardMarkup:
    if dc is not None and with_answer:
        return desk_relay.answer_markup(dc.id)
    return ui.keyboard([[ui.button(_("📂 My cases"), "mc:list")]])


KINDS = {
    "card": Kind(_send_card, sent=_card_sent, thread_gone=_forget_thread),
    "file": Kind(_send_file, thread_gone=_forget_thread),
    "staff_text": Kind(_send_staff_text, thread_gone=_forget_thread),
    "copy_in": Kind(_send_copy_in, sent=_copy_in_sent, failed=_copy_in_failed,
                    thread_gone=_forget_thread),
    "to_returnee": Kind(_send_to_returnee, sent=_to_returnee_sent, failed=_to_returnee_failed),
    "notice": Kind(_send_notice, failed=_to_returnee_failed),
    "card_edit": Kind(_send_card_edit),
    "weekly_chart": Kind(weekly_report.send_chart),
    "purge": Kind(_send_purge),
}
