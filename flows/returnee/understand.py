"""Typed words outside any form: what the person means (bot/content/intents.py), answered.

Reached from flows/returnee/case_replies.py once a message is not a reply to a case;
the recruiter check takes its own words first (flows/returnee/recruiters.py). Each typed
message is logged without who typed it: its intent, or, when nothing matched,
its normalised text with digits masked (`python -m bot intents unmatched`).
Buttons Intent("<intent>") ("it:<intent>") answer an intent from the suggestions.
"""
from __future__ import annotations

import re

from telegram import InlineKeyboardButton, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, filters

from bot.content.intents import load_intents, normalise
from bot.context import HotlineContext
from bot.i18n import N_, _
from flows import ui
from flows.callbacks import (
    AddToCase,
    BenefitsStart,
    Document,
    HelpNow,
    Intent,
    Menu,
    SafeMigrationPage,
)
from flows.returnee import benefits, documents, help_now, safe_migration
from storage import cases, intent_log

MATCHER = load_intents()  # at import: a malformed data/intents.csv stops start-up
LOGGED_CHARS = 100

# The button that answers each intent (suggestions, "also" rows).
BUTTONS: dict[str, tuple[str, str]] = {
    "emergency": (N_("🆘 I need help now"), HelpNow().pack()),
    "wages": (N_("💸 Unpaid wages"), Intent("wages").pack()),
    "recruiter": (N_("🔎 Check a recruiter"), Menu("recruiters").pack()),
    "passport": (N_("🛂 Passport"), Document("passport").pack()),
    "id_card": (N_("🪪 National ID card"), Document("national_id").pack()),
    "idpoor": (N_("🏷 IDPoor (Equity Card)"), Intent("idpoor").pack()),
    "documents": (N_("🗂 Documents"), Document().pack()),
    "jobs": (N_("👷 A job or training"), Intent("jobs").pack()),
    "loans": (N_("💳 Loans and debt"), Intent("loans").pack()),
    "benefits": (N_("🤝 Benefits and services"), Menu("benefits").pack()),
    "safe_migration": (N_("🧳 Safe migration"), SafeMigrationPage().pack()),
    "person": (N_("💬 Write to hotline staff"), Intent("person").pack()),
}
Rows = list[list[InlineKeyboardButton]]
# Programmes of data/services.csv that answer an intent on their own.
SERVICES = {"idpoor": "equity_card", "jobs": "job_registration", "loans": "loan_restructuring"}


class IntentFilter(filters.MessageFilter):
    """Text that means this intent (for a conversation's entry point)."""

    def __init__(self, intent: str) -> None:
        super().__init__(name=f"IntentFilter({intent})")
        self.intent = intent

    def filter(self, message: Message) -> bool:
        match = MATCHER.match(message.text) if message.text else None
        return match is not None and match.intent == self.intent


def intent_button(intent: str) -> InlineKeyboardButton:
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
                 also: Rows | None = None) -> None:
    """The answer to one intent, as its menu entry would give it."""
    also = also or []
    if intent == "emergency":
        await help_now.answer_typed(update, context, also)
    elif intent == "wages":
        await answer_wages(update, context, also)
    elif intent in ("passport", "id_card"):
        doc = context.content.get({"passport": "passport", "id_card": "national_id"}[intent])
        if doc is None:  # not in data/services.csv any more: the list of documents
            await documents.on_documents(update, context)
            return
        await documents.show_service(update, context, doc,
                                     ui.keyboard([*also, documents.back_row()]))
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


async def answer_wages(update: Update, context: HotlineContext, also: Rows) -> None:
    text = _("💸 Unpaid wages: that money is still yours, even after you came home. You can "
             "send a wage claim to hotline staff now (a few short questions), or first read "
             "about your rights.")
    rows = [[ui.button(_("💸 Report unpaid wages"), Menu("wage").pack())],
            [ui.button(_("💰 Unpaid wages: your rights"), Menu("wages").pack())], *also,
            ui.nav_row()]
    await ui.send(update, context, text, ui.keyboard(rows))


async def answer_service(update: Update, context: HotlineContext, key: str, also: Rows) -> None:
    service = context.content.get(key)
    if service is None:  # not in data/services.csv any more: the benefits check instead
        await benefits.on_benefits(update, context)
        return
    rows = [[ui.button(_("🤝 Check what else may help you"), BenefitsStart().pack())], *also,
            ui.nav_row()]
    await ui.send(update, context, benefits.service_block(None, service), ui.keyboard(rows))


async def answer_person(update: Update, context: HotlineContext) -> None:
    """Talk to a person: add to an open case, or start a report that staff answer."""
    own = [c for c in await cases.list_own(context.db, ui.person_id(update))
           if c.status != "closed"][:3]
    rows = [[ui.button(_("✍️ Write about {ref}").format(ref=c.reference),
                       AddToCase(c.id).pack())] for c in own]
    rows += [[ui.button(_("📣 Report a problem"), Menu("report").pack())],
             [ui.button(_("💸 I was not paid"), Menu("wage").pack())], ui.nav_row()]
    if own:
        text = _("Hotline staff read everything you send about your reports and answer in this "
                 "chat. Write about one of your reports, or start a new one.")
    else:
        text = _("Hotline staff answer reports in this chat. Start a report and tell them what "
                 "happened: a few short questions, and you can stay anonymous.")
    await ui.send(update, context, text, ui.keyboard(rows))


async def on_intent_pressed(update: Update, context: HotlineContext) -> None:
    """A suggestion button ("it:<intent>")."""
    button = Intent.parse(ui.query_data(update))
    if button is None or button.intent not in BUTTONS:
        await not_understood(update, context)
        return
    await answer(update, context, button.intent)


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(on_intent_pressed, pattern=Intent.pattern)]
