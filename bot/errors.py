"""The last line of defence: a handler raised. Log it (no personal data) and answer kindly."""
from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.context import HotlineContext
from bot.i18n import _
from flows import ui

log = logging.getLogger(__name__)


async def on_error(update: object, context: HotlineContext) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    # The exception and its traceback only: never the update, which holds what people wrote.
    log.error("update %s failed: %s", update_id, type(error).__name__, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != ChatType.PRIVATE:
        return
    try:
        await ui.send_main_menu(
            update, context, _("Sorry, something went wrong on our side. Please try again.")
        )
    except TelegramError as exc:
        log.warning("could not tell update %s about the error: %s", update_id, type(exc).__name__)
