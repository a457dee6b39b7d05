"""Typed words outside any form: what the person means (bot/intents.py), answered.

Reached from flows/case_replies.py once a message is not a reply to a case;
the recruiter check takes its own words first (flows/recruiters.py). Each typed
message is logged without who typed it: its intent, or, when nothing matched,
its normalised text with digits masked (`python -m bot intents unmatched`).
Buttons "it:<intent>" answer an intent from the suggestions.
"""
from __future__ import annotations

import re

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, filters

from bot.context import HotlineContext
from bot.i18n import N_, _
from bot.intents import load_intents, normalise
from flows import benefits, documents, help_now, safe_migration, ui
from storage import cases, intent_log

MATCHER = load_intents()  # at import: a malformed data/intents.csv stops start-up
LOGGED_CHARS = 100

# The button that answers each intent (suggestions, "also" rows); callback data is ASCII.
BUTTONS: dict[str, tuple[str, str]] = {
    "emergency": (N_("🆘 I need help now"), "now"),
    "wages": (N_("💸 Unpaid wages"), "it:wages"),
    "recruiter": (N_("🔎 Check a recruiter"), "menu:recruiters"),
    "passport": (N_("🛂 Passport"), "doc:passport"),
    "id_card": (N_("🪪 National ID card"), "doc:national_id"),
    "idpoor": (N_("🏷 IDPoor (Equity Card)"), "it:idpoor"),
    "documents": (N_("🗂 Documents"), "doc"),
    "jobs": (N_("👷 A job or training"), "it:jobs"),
    "loans": (N_("💳 Loans and debt"), "it:loans"),
    "benefits": (N_("🤝 Benefits and services"), "menu:benefits"),
    "safe_migration": (N_("🧳 Safe migration"), "sm"),
    "person": (N_("💬 Write to hotline staff"), "it:person"),
}
# Programmes of data/services.csv that answer an intent on their own.
SERVICES = {"idpoor": "equity_card", "jobs": "job_registration", "loans": "loan_restructuring"}


class IntentFilter(filters.MessageFilter):
    """Text that means this intent (for a conversation's entry point)."""

    def __init__(self, intent: str) -> None:
        super().__init__(name=f"IntentFilter({intent})")
        self.intent = intent

    def filter(self, message) -> bool:
        match = MATCHER.match(message.text) if message.text else None
        return match is not None and match.intent == self.intent


def intent_button(intent: str):
    label, data = BUTTONS[intent]
    return ui.button(_(label), data)


def masked(text: str) -> str:
    """What is logged of an unmatched message: normalised, digits masked (phone numbers)."""
    return re.sub(r"\d", "#", normalise(text))[:LOGGED_CHARS]


# -- typed text ------------------------------------------------------------------------
async def answer_text(update: Update, context: HotlineContext, text: str) -> None:
    """Answers what the text means, or says it was not understood with likely topics."""
    match = MATCHER.match(text)
    await intent_log.record(context.db, match.intent if match else None, masked(text))
    if match is None:
        await not_understood(update, context, MATCHER.suggestions(text))
        return
    also = [[intent_button(match.second)]] if match.second in BUTTONS else []
    await answer(update, context, match.intent, also)


async def not_understood(update: Update, context: HotlineContext,
                         suggestions: list[str] | None = None) -> None:
    """"I did not understand", the likely topics and "Write to hotline staff": never only
    the menu."""
    topics = [i for i in (suggestions or MATCHER.suggestions("")) if i in BUTTONS and i != "person"]
    rows = [[intent_button(intent)] for intent in topics[:3]]
    rows += [[intent_button("person")], ui.nav_row()]
    await ui.send(update, context, _("Sorry, I did not understand that. Did you mean one of these? "
                                     "You can also write to hotline staff."), ui.keyboard(rows))


async def answer(update: Update, context: HotlineContext, intent: str,
                 also: list | None = None) -> None:
    """The answer to one intent, as its menu entry would give it."""
    also = also or []
    if intent == "emergency":
        await help_now.answer_typed(update, context, also)
    elif intent == "wages":
        await answer_wages(update, context, also)
    elif intent in ("passport", "id_card"):
        doc = context.content.get({"passport": "passport", "id_card": "national_id"}[intent])
        await documents.show_service(update, context, doc,
                                     ui.keyboard([*also, ui.nav_row(back="doc")]))
    elif intent == "documents":
        await documents.on_documents(update, context)
    elif intent in SERVICES:
        await answer_service(update, context, SERVICES[intent], also)
    elif intent == "benefits":
        await benefits.on_benefits(update, context)
    elif intent == "safe_migration":
        await safe_migration.TOPIC.on_topic_chosen(update, context)
    elif intent == "person":
        await answer_person(update, context)
    elif intent == "recruiter":
        await ui.send(update, context, _("To check a recruitment agency, press the button and "
                                         "type its name."),
                      ui.keyboard([[intent_button("recruiter")], *also, ui.nav_row()]))
    elif intent == "greeting":
        await ui.send_main_menu(update, context, _("Hello! What would you like to do? "
                                                   "Choose below, or write your question."))
    else:  # thanks
        await ui.send_main_menu(update, context, _("You are welcome. Is there anything else? "
                                                   "Choose below, or write your question."))


async def answer_wages(update: Update, context: HotlineContext, also: list) -> None:
    text = _("💸 Unpaid wages: that money is still yours, even after you came home. You can "
             "send a wage claim to hotline staff now (a few short questions), or first read "
             "about your rights.")
    rows = [[ui.button(_("💸 Report unpaid wages"), "menu:wage")],
            [ui.button(_("💰 Unpaid wages: your rights"), "menu:wages")], *also, ui.nav_row()]
    await ui.send(update, context, text, ui.keyboard(rows))


async def answer_service(update: Update, context: HotlineContext, key: str, also: list) -> None:
    service = context.content.get(key)
    rows = [[ui.button(_("🤝 Check what else may help you"), "ben:start")], *also, ui.nav_row()]
    await ui.send(update, context, benefits.service_block(None, service), ui.keyboard(rows))


async def answer_person(update: Update, context: HotlineContext) -> None:
    """Talk to a person: add to an open case, or start a report that staff answer."""
    own = [c for c in await cases.list_own(context.db, update.effective_user.id)
           if c.status != "closed"][:3]
    rows = [[ui.button(_("✍️ Write about {ref}").format(ref=c.reference), f"mc:add:{c.id}")]
            for c in own]
    rows += [[ui.button(_("📣 Report a problem"), "menu:report")],
             [ui.button(_("💸 I was not paid"), "menu:wage")], ui.nav_row()]
    if own:
        text = _("Hotline staff read everything you send about your reports and answer in this "
                 "chat. Write about one of your reports, or start a new one.")
    else:
        text = _("Hotline staff answer reports in this chat. Start a report and tell them what "
                 "happened: a few short questions, and you can stay anonymous.")
    await ui.send(update, context, text, ui.keyboard(rows))


async def on_intent_pressed(update: Update, context: HotlineContext) -> None:
    """A suggestion button ("it:<intent>")."""
    intent = update.callback_query.data.partition(":")[2]
    if intent not in BUTTONS:
        await not_understood(update, context)
        return
    await answer(update, context, intent)


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(on_intent_pressed, pattern="^it:[a-z_]+$")]
