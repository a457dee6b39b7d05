"""Documents: national ID, family book, residence book, passport.

Who issues each, what to bring and where to ask come from data/services.csv
(topic "documents"), so staff add or correct a document without a code change.
Fees change and are never given (domain-facts §10.3).
Buttons: Document() lists the documents, Document("<key>") shows one.
"""
from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.content.services import Service
from bot.context import HotlineContext
from bot.i18n import N_, _
from flows import ui
from flows.callbacks import Document
from flows.registry import Flow, MenuEntry

ENTRY = MenuEntry("documents", N_("🪪 Documents: ID card, family book, passport"), order=400)


async def on_documents(update: Update, context: HotlineContext) -> None:
    """Lists the documents the person can ask about."""
    rows = [[ui.button(doc.name, Document(doc.key).pack())]
            for doc in context.content.topic("documents")]
    rows.append(ui.nav_row())
    await ui.send(update, context, _("🪪 Documents\n\nWhich document do you need?"), ui.keyboard(rows))


async def on_document_chosen(update: Update, context: HotlineContext) -> None:
    """Says who issues the document, where to ask and what to bring ("doc" alone: the list)."""
    button = Document.parse(ui.query_data(update))
    doc = context.content.get(button.key) if button is not None and button.key else None
    if doc is None or doc.topic != "documents":
        await on_documents(update, context)
        return
    await show_service(update, context, doc, ui.keyboard([back_row()]))


def back_row() -> list[InlineKeyboardButton]:
    """Back to the list of documents, and Main menu."""
    return ui.nav_row(back=Document().pack())


async def show_service(update: Update, context: HotlineContext, doc: Service,
                       markup: InlineKeyboardMarkup) -> None:
    """A document of data/services.csv: who issues it, where to ask, what to bring."""
    lines = [f"🪪 {doc.name}", "",
             _("Who issues it: {who}").format(who=doc.runs),
             _("Where to ask: {where}").format(where=doc.where)]
    if doc.bring:
        lines.append(_("What to bring: {bring}").format(bring=doc.bring))
    if doc.note:
        lines += ["", doc.note]
    lines += ["", _("Fees change, so we do not give one here. Ask the office, pay only the "
                    "official fee and ask for a receipt.")]
    await ui.send(update, context, "\n".join(lines), markup)


def handlers(exits: Sequence[BaseHandler]) -> list[BaseHandler]:
    return [
        CallbackQueryHandler(on_documents, pattern=ENTRY.pattern),
        CallbackQueryHandler(on_document_chosen, pattern=Document.pattern),
    ]


FLOW = Flow(name="documents", handlers=handlers, menu=(ENTRY,))
