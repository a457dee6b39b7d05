"""A returnee's plain message outside any form: to the case it answers, or understood.

Registered after every other flow and before start's catch-all: a message a
conversation (a form, adding to a case) takes never comes here. In order:
- a reply: with one open case that waits for them or that staff wrote to in the
  last REPLY_DAYS, the message (text, photo, voice, file) goes to its thread, as
  the ✍️ Answer button would send it; with several, a one-tap choice of case;
- typed text: what it means (flows/returnee/understand.py);
- a voice note, photo or file: "Send this to hotline staff as a new report?"
  (a grievance with the voice note as its description, the file as its proof)
  or add it to an open case. Nothing sent is wasted.
The message waiting for a choice is kept in user_data as the Bot API's JSON.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.content.intents import EMERGENCY
from bot.context import HotlineContext
from bot.i18n import _
from bot.jobs import sender
from flows import ui
from flows.callbacks import FileAsReport, MyCases, ReplyToCase, ReplyToNone
from flows.desk import relay as desk_relay
from flows.forms.intake_steps import EVIDENCE_FILTER, evidence_of
from flows.registry import Flow
from flows.returnee import case_texts, help_now, understand
from storage import cases, desk
from storage.cases import Evidence
from storage.clock import to_text, utcnow
from storage.desk import DeskCase

MESSAGE_LIMIT = 3000
REPLY_DAYS = 7          # staff wrote to the case this recently: a plain message answers it
# user_data["pending_message"]: the message waiting for "which case?" or "new report?"
# (FileAsReport takes it as a new report: flows/forms/intake.py)
MAX_CHOICES = 5


async def on_message_outside_flows(update: Update, context: HotlineContext) -> None:
    """A reply goes to its case; text is understood; a file is offered as a report."""
    if await route_reply(update, context):
        return
    message = ui.message_of(update)
    if message.text:
        await understand.answer_text(update, context, message.text)
    else:
        await offer_file(update, context, message)


# -- replies to staff -------------------------------------------------------------------
async def route_reply(update: Update, context: HotlineContext) -> bool:
    """True if the message went to a case (or the person is asked which one)."""
    since = to_text(utcnow() - timedelta(days=REPLY_DAYS))
    targets = await desk.cases_awaiting_reply(context.db, ui.person_id(update), since,
                                              limit=MAX_CHOICES)
    if not targets:
        return False
    message = ui.message_of(update)
    if len(targets) == 1:
        await relay(update, context, targets[0], message)
    else:
        context.person_state["pending_message"] = message.to_dict()
        rows = [[ui.button(f"📂 {dc.reference} · {case_texts.title(dc.case)}",
                           ReplyToCase(dc.id).pack())] for dc in targets]
        rows.append([ui.button(_("✖️ None of these: something else"), ReplyToNone().pack())])
        await ui.send(update, context, _("Which of your reports is this about? Press it, and I "
                                         "will send your message to hotline staff."),
                      ui.keyboard(rows))
    if message.text and (match := understand.MATCHER.match(message.text)) is not None \
            and match.intent == EMERGENCY:
        await help_now.answer_typed(update, context)  # safety first, even in a reply
    return True


async def relay(update: Update, context: HotlineContext, dc: DeskCase, message: Message) -> None:
    """Store the message on the case, put it in the thread, say so (👌 follows
    once it is there, as on the Answer path)."""
    person = ui.person_id(update)
    # Stored with its relay row in one transaction: saved is queued for staff.
    row = await desk_relay.relay_of(context, dc.id, message)
    evidence = _evidence(message)
    if message.text or evidence is None:
        text = message.text or message.caption or ""
        await cases.add_reporter_message(context.db, dc.id, person, text[:MESSAGE_LIMIT], row)
    else:
        await cases.add_reporter_evidence(context.db, dc.id, person, evidence, row)
        if message.caption:  # the relay copies the file with its caption
            await cases.add_reporter_message(context.db, dc.id, person,
                                             message.caption[:MESSAGE_LIMIT])
    sender.wake(context)
    markup = ui.keyboard([[ui.button(_("📂 My cases"), MyCases().pack())], ui.nav_row()])
    await ui.send(update, context, desk_relay.queued_text(dc.reference), markup)


def _evidence(message: Message) -> Evidence | None:
    found = evidence_of(Update(0, message=message))
    if found is None:
        return None
    kind, file_id, unique = found
    return Evidence(kind, file_id, unique)


def pending(context: HotlineContext) -> Message | None:
    data = context.person_state.get("pending_message")
    if not isinstance(data, dict):
        return None
    try:
        return Message.de_json(data, context.bot)
    except (KeyError, TypeError, ValueError):
        return None


async def on_case_chosen(update: Update, context: HotlineContext) -> None:
    """"Which report?" answered (also "Add to W-0001" under a voice note or photo)."""
    message = pending(context)
    button = ReplyToCase.parse(ui.query_data(update))
    case = None if button is None else \
        await cases.get_own(context.db, button.case_id, ui.person_id(update))
    dc = await desk.get(context.db, case.id) if case is not None else None
    if message is None or case is None or dc is None or case.status == "closed":
        await ui.send(update, context, _("That message is no longer waiting. Please send it "
                                         "again."), ui.keyboard([ui.nav_row()]))
        return
    context.person_state.pop("pending_message", None)
    await relay(update, context, dc, message)


async def on_none_chosen(update: Update, context: HotlineContext) -> None:
    """Not about any of the reports: understood as a message of its own."""
    message = pending(context)
    context.person_state.pop("pending_message", None)
    if message is None:
        await understand.not_understood(update, context)
    elif message.text:
        await understand.answer_text(update, context, message.text)
    else:
        await offer_file(update, context, message)


# -- voice notes, photos and files at the menu ----------------------------------------------
async def offer_file(update: Update, context: HotlineContext, message: Message) -> None:
    """"Send this to hotline staff as a new report?", or add it to an open case."""
    context.person_state["pending_message"] = message.to_dict()
    own = [c for c in await cases.list_own(context.db, ui.person_id(update))
           if c.status != "closed"][:3]
    if message.voice:
        text = _("Send this voice message to hotline staff as a new report? It will be the "
                 "description of your problem; I will ask a few short questions first.")
    else:
        text = _("Send this to hotline staff as a new report? It will be the proof of your "
                 "problem; I will ask a few short questions first.")
    rows = [[ui.button(_("📣 Yes, send it as a new report"), FileAsReport().pack())]]
    rows += [[ui.button(_("➕ Add it to {ref}").format(ref=c.reference),
                        ReplyToCase(c.id).pack())] for c in own]
    rows.append(ui.nav_row())
    await ui.send(update, context, text, ui.keyboard(rows))


def pending_report(context: HotlineContext) -> tuple[dict[str, Any], list[list[str]]] | None:
    """The waiting voice note or file as the fields and proof of a new grievance."""
    message = pending(context)
    found = evidence_of(Update(0, message=message)) if message is not None else None
    if message is None or found is None:
        return None
    fields: dict[str, Any] = {}
    evidence: list[list[str]] = []
    if message.voice:
        fields["description_voice"] = message.voice.file_id
    else:
        evidence.append(found)
        if message.caption:
            fields["description"] = message.caption[:MESSAGE_LIMIT]
    return fields, evidence


def handlers(exits: Sequence[BaseHandler]) -> list[BaseHandler]:
    content = (filters.TEXT & ~filters.COMMAND) | EVIDENCE_FILTER
    new = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE  # not edits: sent once
    return [
        MessageHandler(new & content, on_message_outside_flows),
        CallbackQueryHandler(on_case_chosen, pattern=ReplyToCase.pattern),
        CallbackQueryHandler(on_none_chosen, pattern=ReplyToNone.pattern),
        *understand.handlers(),
    ]


FLOW = Flow(name="case_replies", handlers=handlers)
