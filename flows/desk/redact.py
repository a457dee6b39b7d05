"""/redact: a staff member removes one message of a case (say a photo of an ID card sent by
mistake). Written as a reply to that message in the case's thread: the copy in the staff
group is deleted, the stored text becomes "[redacted]" (a stored file is forgotten), and
the audit log records who, when and which message, never what it said.
"""
from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import TelegramError

from bot.context import HotlineContext
from bot.i18n import _, set_language
from flows import ui
from flows.desk import access as desk_access
from flows.desk import relay as desk_relay
from storage import desk, privacy

log = logging.getLogger(__name__)


async def on_redact(update: Update, context: HotlineContext) -> None:
    """/redact as a reply to a message of a case: delete it here, redact the stored copy."""
    message = ui.message_of(update)
    if not desk_access.in_staff_chat(update, context):
        return  # another group: stay silent
    set_language(context.settings.staff_language)
    if not await desk_access.is_staff(update, context):
        await message.reply_text(_("Only hotline staff can do this."))
        return
    target = message.reply_to_message
    case_id = None if target is None else await desk.case_for_message(
        context.db, message.chat_id, target.message_id)
    if target is None or case_id is None:
        await message.reply_text(_("Write /redact as a reply to the message of the case "
                                   "that should be removed."))
        return
    thread = await desk.thread(context.db, case_id)
    if thread is not None and target.message_id == thread.card_message_id:
        await message.reply_text(_("The case card cannot be redacted. Redact the messages "
                                   "under it one by one."))
        return
    kind = desk_relay.kind_of(target)
    stored = await privacy.redact(context.db, case_id, ui.user_of(update).id,
                                  target.message_id, kind, text=shown_text(context, target),
                                  file_ids=file_ids(target))
    try:
        await context.bot.delete_message(message.chat_id, target.message_id)
        removed = True
    except TelegramError as exc:  # older than 48 hours, or no right to delete
        log.warning("redacted message of case %s not deleted: %s", case_id, type(exc).__name__)
        removed = False
    log.info("case %s: message %s redacted (%d stored item(s))", case_id, target.message_id,
             stored)
    if removed:
        text = _("🧹 Redacted: the message was removed here, and {count} stored item(s) of the "
                 "case were replaced by [redacted].")
    else:
        text = _("🧹 Redacted in the stored case ({count} item(s)), but Telegram did not let me "
                 "delete the message here. Please delete it by hand.")
    await message.reply_text(text.format(count=stored))


def shown_text(context: HotlineContext, target: Message) -> str | None:
    """What the message says, without the header the bot puts on relayed messages."""
    text = target.text or target.caption
    if not text:
        return None
    if target.from_user is not None and target.from_user.id == context.bot.id:
        _header, sep, body = text.partition("\n\n")
        return body if sep else None
    return text


def file_ids(target: Message) -> list[str]:
    """Both ids of the file shown (a copy keeps the file's unique id)."""
    media = target.photo[-1] if target.photo else (
        target.document or target.voice or target.video or target.audio or target.video_note)
    if media is None:
        return []
    return [media.file_unique_id, media.file_id]
