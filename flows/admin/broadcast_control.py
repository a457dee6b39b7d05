"""Admins follow and control safety-alert broadcasts: /broadcasts lists the latest with
their figures, and the buttons under a running one pause, resume or cancel it.

Only ids in ADMIN_USER_IDS, in a private chat; anyone else gets the answer for an unknown
command or a stale button, so nothing about broadcasts is revealed.
"""
from __future__ import annotations

from telegram import InlineKeyboardButton, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import HotlineContext
from bot.i18n import _, format_datetime
from bot.jobs import sender
from flows import ui
from flows.admin.broadcast_texts import (
    STATUS_NAMES,
    audience_name,
    control_markup,
    figures_text,
)
from flows.callbacks import BroadcastControl
from flows.returnee import understand
from storage import broadcasts
from storage.clock import from_text

LISTED = 10  # broadcasts shown by /broadcasts
PRIVATE = filters.ChatType.PRIVATE


def is_admin(update: Update, context: HotlineContext) -> bool:
    return update.effective_user is not None and \
        update.effective_user.id in context.settings.admin_user_ids


async def on_broadcasts_listed(update: Update, context: HotlineContext) -> None:
    """Lists the latest broadcasts with their figures, and buttons for running ones."""
    if not is_admin(update, context):
        await understand.not_understood(update, context)
        return
    listed = await broadcasts.recent(context.db, LISTED)
    if not listed:
        await ui.send(update, context, _("No broadcasts yet. Start one with /broadcast."),
                      ui.keyboard([ui.nav_row()]))
        return
    lines: list[str] = []
    rows: list[list[InlineKeyboardButton]] = []
    for broadcast in listed:
        figures = await broadcasts.figures(context.db, broadcast.id)
        lines.append(_("#{id} · {when} · {audience} · {status}").format(
            id=broadcast.id,
            when=format_datetime(from_text(broadcast.created_at), context.settings.timezone),
            audience=audience_name(broadcast), status=_(STATUS_NAMES[broadcast.status])))
        lines.append(figures_text(figures))
        markup = control_markup(broadcast)
        if markup is not None:
            rows += [[ui.button(f"#{broadcast.id} {button.text}", str(button.callback_data))
                      for button in markup.inline_keyboard[0]]]
    await ui.send(update, context, "\n".join(lines), ui.keyboard([*rows, ui.nav_row()]))


async def on_broadcast_controlled(update: Update, context: HotlineContext) -> None:
    """Pause, resume, cancel (asks first) or really cancel a broadcast."""
    pressed = BroadcastControl.parse(ui.query_of(update).data)
    if not is_admin(update, context) or pressed is None:
        await ui.send_stale(update, context)
        return
    broadcast_id = pressed.broadcast_id
    if await broadcasts.get(context.db, broadcast_id) is None:
        await ui.send_stale(update, context)
        return
    if pressed.action == "cancel":
        figures = await broadcasts.figures(context.db, broadcast_id)
        await ui.send(update, context, _(
            "Stop broadcast #{id} for good? {count} people have not got it yet and will not "
            "get it.").format(id=broadcast_id, count=figures.queued),
            ui.keyboard([[ui.button(_("⏹ Yes, stop it"),
                                    BroadcastControl("stop", broadcast_id).pack())],
                         ui.nav_row()]))
        return
    status = {"pause": "paused", "resume": "sending", "stop": "cancelled"}[pressed.action]
    changed = await broadcasts.change_status(context.db, broadcast_id, status)
    if changed and status != "sending":
        sender.broadcast_stopped(context)
    if changed:
        text = {"paused": _("Broadcast #{id} is paused."),
                "sending": _("Broadcast #{id} is sending again."),
                "cancelled": _("Broadcast #{id} is stopped. Nothing more will be sent.")}[status]
    else:
        text = _("Broadcast #{id} cannot be changed now: it is already {status}.")
    broadcast = await broadcasts.get(context.db, broadcast_id)
    status_now = broadcast.status if broadcast is not None else status
    await ui.send(update, context, text.format(id=broadcast_id,
                                               status=_(STATUS_NAMES[status_now])),
                  ui.keyboard([ui.nav_row()]))
    await broadcasts.queue_progress_edit(context.db, broadcast_id)
    sender.wake(context)  # the progress message, and the alerts again if it resumed


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("broadcasts", on_broadcasts_listed, filters=PRIVATE),
        CallbackQueryHandler(on_broadcast_controlled, pattern=BroadcastControl.pattern),
    ]
