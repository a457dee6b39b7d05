"""The hotline staff desk in the staff group: buttons on case cards, commands in threads,
and anything staff write in a case's thread, which reaches the returnee.

The desk's parts, each in its own module:
- flows/desk/access.py: who is staff (and admin), and where staff act;
- flows/desk/actions.py: what staff do to a case (claim, refer, close, escalate ...);
- flows/desk/buttons.py: the card buttons ("sd:...", flows/callbacks.py CaseButton);
- flows/desk/commands.py: the commands, typed or in a caption;
- flows/desk/reports.py: /stats, /recruiters_unlisted, /facts, /export;
- flows/desk/lists.py: /search, /cases, /mine;
- flows/desk/messages.py: what staff write (a reply for the returnee, or an awaited answer);
- flows/desk/awaiting.py: the reason or amount the bot asked a staff member for;
- flows/desk/card.py, desk_thread.py, desk_relay.py, desk_outbox.py: the card, the
  case's thread, and the messages between thread and returnee.
"""
from __future__ import annotations

from collections.abc import Sequence

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.context import HotlineContext
from bot.jobs import sender
from flows.desk import access as desk_access
from flows.desk import buttons as desk_buttons
from flows.desk import commands as desk_commands
from flows.desk import lists as desk_lists
from flows.desk import messages as desk_messages
from flows.desk.commands import GROUPS
from flows.registry import Flow

STAFF_CONTENT = (filters.TEXT | filters.PHOTO | filters.Document.ALL | filters.VOICE
                 | filters.VIDEO | filters.AUDIO | filters.VIDEO_NOTE)


async def on_group_moved(update: Update, context: HotlineContext) -> None:
    """The staff group became a supergroup: Telegram says so in the old group."""
    message = update.effective_message
    if message is not None and message.migrate_to_chat_id \
            and desk_access.in_staff_chat(update, context):
        await sender.staff_group_moved(context, message.migrate_to_chat_id)


def handlers(exits: Sequence[BaseHandler]) -> list[BaseHandler]:
    return [
        *desk_buttons.handlers(),
        *desk_lists.handlers(),
        *(CommandHandler(name, callback, filters=GROUPS)
          for name, callback in desk_commands.group_commands().items()),
        MessageHandler(GROUPS & filters.StatusUpdate.MIGRATE, on_group_moved),
        MessageHandler(GROUPS & filters.CaptionRegex(r"^\s*/"), desk_commands.on_caption_command),
        MessageHandler(GROUPS & STAFF_CONTENT & ~filters.COMMAND, desk_messages.on_staff_message),
    ]


FLOW = Flow(name="staff_desk", handlers=handlers)
