"""A returnee's plain message while one of their cases waits for them goes to its thread.

Registered after every other flow and before start's catch-all: a message a
conversation (a form, adding to a case) takes never comes here. A message
with no case waiting gets the usual "not understood" answer.
"""
from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot import sender
from bot.context import HotlineContext
from bot.i18n import _
from flows import desk_relay, start, ui
from flows.intake_steps import EVIDENCE_FILTER, evidence_of
from flows.registry import Flow
from storage import cases, desk
from storage.cases import Evidence

MESSAGE_LIMIT = 3000


async def on_message_outside_flows(update: Update, context: HotlineContext) -> None:
    """Stores and relays the answer to the case waiting for it; otherwise 'not understood'."""
    person = update.effective_user.id
    dc = await desk.waiting_case_of(context.db, person)
    if dc is None:
        await start.on_not_understood(update, context)
        return
    message = update.effective_message
    relay = await desk_relay.relay_of(context, dc.id, message)
    if message.text:
        await cases.add_reporter_message(context.db, dc.id, person, message.text[:MESSAGE_LIMIT],
                                         relay)
    else:
        kind, file_id, unique = evidence_of(update)
        item = Evidence(kind, file_id, unique)
        await cases.add_reporter_evidence(context.db, dc.id, person, item, relay)
    sender.wake(context)
    markup = ui.keyboard([[ui.button(_("📂 My cases"), "mc:list")], ui.nav_row()])
    await ui.send(update, context, desk_relay.queued_text(dc.reference), markup)


def handlers() -> list[BaseHandler]:
    content = (filters.TEXT & ~filters.COMMAND) | EVIDENCE_FILTER
    new = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE  # not edits: sent once
    return [MessageHandler(new & content, on_message_outside_flows)]


FLOW = Flow(name="case_replies", handlers=handlers)
