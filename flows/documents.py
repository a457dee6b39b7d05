"""Documents: national ID, family book, residence book, passport.

Who issues each, what to bring and where to ask come from data/services.csv
(topic "documents"), so staff add or correct a document without a code change.
Fees change and are never given (domain-facts §10.3).
Callback data: "doc" lists the documents, "doc:<key>" shows one.
"""
from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import HotlineContext
from bot.i18n import N_, _
from flows import ui
from flows.registry import Flow, MenuEntry

ENTRY = MenuEntry("documents", N_("🪪 Documents: ID card, family book, passport"), order=400)


async def on_documents(update: Update, context: HotlineContext) -> None:
    """Lists the documents the person can ask about."""
    rows = [[ui.button(doc.name, f"doc:{doc.key}")] for doc in context.content.topic("documents")]
    rows.append(ui.nav_row())
    await ui.send(update, context, _("🪪 Documents\n\nWhich document do you need?"), ui.keyboard(rows))


async def on_document_chosen(update: Update, context: HotlineContext) -> None:
    """Says who issues the document, where to ask and what to bring."""
    key = update.callback_query.data.partition(":")[2]
    doc = context.content.get(key)
    if doc is None or doc.topic != "documents":
        await on_documents(update, context)
        return
    await show_service(update, context, doc, ui.keyboard([ui.nav_row(back="doc")]))


async def show_service(update: Update, context: HotlineContext, doc, markup) -> None:
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


def handlers() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(on_documents, pattern=ENTRY.pattern),
        CallbackQueryHandler(on_documents, pattern="^doc$"),
        CallbackQueryHandler(on_document_chosen, pattern="^doc:"),
    ]


FLOW = Flow(name="documents", handlers=handlers, menu=(ENTRY,))
