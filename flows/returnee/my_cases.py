"""My cases: a person's own reports with their status, and adding to one.

Every callback that carries a case id is checked against the person pressing
it (storage.cases.get_own): someone else's id and an id that does not exist get
the same refusal, which reveals nothing.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.context import HotlineContext
from bot.i18n import N_, _, format_date
from bot.jobs import sender
from flows import ui
from flows.callbacks import AddingDone, AddToCase, FormResume, Menu, MyCases, OpenCase
from flows.desk import relay as desk_relay
from flows.forms import form, report_forms
from flows.forms.intake_steps import EVIDENCE_FILTER, NEW, TEXT, evidence_of
from flows.registry import exact_pattern
from flows.returnee import case_texts
from storage import cases, outbox
from storage.cases import Case, Evidence
from storage.clock import from_text
from storage.db import Database

ADD_TO_CASE = "mc_add"  # the conversation state; user_data["mc_case"]: the case added to
MESSAGE_LIMIT = 3000
MENU_ENTRY = "mycases"  # the main menu's "My cases" (declared by flows/forms/intake.py)
# Stores one thing the person added (with its relay row); False if the case is not theirs.
Write = Callable[[Database, int, int, "outbox.Item | None"], Awaitable[bool]]

STATUS_LABELS = {
    "new": N_("Received: waiting for hotline staff"),
    "claimed": N_("A staff member is working on it"),
    "waiting": N_("Staff are waiting for your answer"),
    "referred": N_("Passed to a partner organisation"),
    "closed": N_("Closed"),
}


# -- the list -----------------------------------------------------------------------
async def on_my_cases(update: Update, context: HotlineContext) -> int:
    """Lists the person's own reports with their status."""
    context.person_state.pop("mc_case", None)
    own = await cases.list_own(context.db, ui.person_id(update))
    rows = []
    if form.current(context) is not None:
        rows.append([ui.button(_("📝 Continue your unfinished report"), FormResume().pack())])
    if not own:
        text = _("You have not sent a report yet.")
        rows += [[ui.button(_(entry.label), entry.callback_data)]
                 for entry in context.menu_entries if entry.key in ("wage", "report")]
    else:
        lines = [_("Your reports (newest first). Press one to see it or add to it:"), ""]
        for case in own:
            lines.append(f"{case.reference} · {case_texts.title(case)}: {_(STATUS_LABELS[case.status])}")
        text = "\n".join(lines)
        rows += [[ui.button(f"📂 {case.reference}", OpenCase(case.id).pack())] for case in own]
    await ui.send(update, context, text, ui.keyboard([*rows, ui.nav_row()]))
    return form.END


async def _own_case(update: Update, context: HotlineContext,
                    button: OpenCase | AddToCase | None) -> Case | None:
    """The case if it is this person's; otherwise a refusal that reveals nothing."""
    case = None if button is None else \
        await cases.get_own(context.db, button.case_id, ui.person_id(update))
    if case is None:
        await _refuse(update, context)
    return case


async def _refuse(update: Update, context: HotlineContext) -> None:
    await ui.send(update, context, _("I cannot find that report among yours."),
                  ui.keyboard([[ui.button(_("📂 My cases"), MyCases().pack())], ui.nav_row()]))


# -- one case ------------------------------------------------------------------------
async def on_case_opened(update: Update, context: HotlineContext) -> int:
    """Shows one of the person's own cases: status, summary, what was added."""
    context.person_state.pop("mc_case", None)
    case = await _own_case(update, context, OpenCase.parse(ui.query_data(update)))
    if case is not None:
        await show_case(update, context, case)
    return form.END


async def show_case(update: Update, context: HotlineContext, case: Case) -> None:
    evidence = await cases.evidence(context.db, case.id)
    added = [m for m in await cases.messages(context.db, case.id) if m[0] == "reporter"]
    sent = format_date(from_text(case.created_at), tz=context.settings.timezone)
    lines = [
        f"{case.reference} · {case_texts.title(case)}",
        _("Status: {status}").format(status=_(STATUS_LABELS[case.status])),
        _("Sent: {date}").format(date=sent),
        "", *report_forms.case_summary(case_texts.as_draft(case, len(evidence))),
    ]
    if added:
        lines += ["", _("Messages you added: {count}").format(count=len(added))]
    rows = [[ui.button(_("✍️ Add a message or proof"), AddToCase(case.id).pack())],
            ui.nav_row(back=MyCases().pack())]
    await ui.send(update, context, "\n".join(lines)[: ui.MESSAGE_LIMIT], ui.keyboard(rows))


# -- adding to a case -------------------------------------------------------------------
def _done_markup() -> InlineKeyboardMarkup:
    return ui.keyboard([[ui.button(_("✅ Done"), AddingDone().pack())]])


async def on_add_pressed(update: Update, context: HotlineContext) -> int | str:
    """Asks for a message or files to add to the person's own case."""
    case = await _own_case(update, context, AddToCase.parse(ui.query_data(update)))
    if case is None:
        return form.END
    context.person_state["mc_case"] = case.id
    await ui.send(update, context, _(
        "Type a message, or send photos, documents or voice notes. Hotline staff will see "
        "them with {ref}. Press Done when you have finished.").format(ref=case.reference),
        _done_markup())
    return ADD_TO_CASE


async def on_message_added(update: Update, context: HotlineContext) -> int | str:
    """Stores the typed message on the case before saying it was added."""
    text = await form.typed_text(update, context, MESSAGE_LIMIT)
    return await _store(update, context, lambda db, case_id, who, relay:
                        cases.add_reporter_message(db, case_id, who, text, relay))


async def on_file_added(update: Update, context: HotlineContext) -> int | str:
    """Stores the file (its Telegram id) on the case before saying it was added."""
    found = evidence_of(update)
    if found is None:  # the filter lets only files through; nothing to add otherwise
        return await on_other_content(update, context)
    kind, file_id, unique = found
    item = Evidence(kind, file_id, unique)
    return await _store(update, context, lambda db, case_id, who, relay:
                        cases.add_reporter_evidence(db, case_id, who, item, relay))


async def _store(update: Update, context: HotlineContext, write: Write) -> int | str:
    case_id = context.person_state.get("mc_case")
    person = ui.person_id(update)
    own = await cases.get_own(context.db, case_id, person) if isinstance(case_id, int) else None
    relay = None
    if own is not None:
        relay = await desk_relay.relay_of(context, own.id, ui.message_of(update))
    if own is None or not await write(context.db, own.id, person, relay):
        context.person_state.pop("mc_case", None)
        await _refuse(update, context)
        return form.END
    case = await cases.get_own(context.db, own.id, person) or own
    sender.wake(context)  # the outbox takes it into the case's thread
    await ui.send(update, context, _("Added to {ref}. Send more, or press Done.").format(
        ref=case.reference), _done_markup())
    return ADD_TO_CASE


async def on_adding_done(update: Update, context: HotlineContext) -> int:
    """Back to the case."""
    case_id = context.person_state.pop("mc_case", None)
    case = await cases.get_own(context.db, case_id, ui.person_id(update)) \
        if isinstance(case_id, int) else None
    if case is None:
        return await on_my_cases(update, context)
    await show_case(update, context, case)
    return form.END


async def on_other_content(update: Update, context: HotlineContext) -> str:
    """A sticker, location or contact while adding: say what can be added."""
    await ui.send(update, context, _("Please type a message, or send photos, documents or voice "
                                     "notes. Press Done when you have finished."), _done_markup())
    return ADD_TO_CASE


def entry_points() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(on_my_cases, pattern=exact_pattern(Menu(MENU_ENTRY))),
        CallbackQueryHandler(on_my_cases, pattern=MyCases.pattern),
        CallbackQueryHandler(on_case_opened, pattern=OpenCase.pattern),
        CallbackQueryHandler(on_add_pressed, pattern=AddToCase.pattern),
    ]


def states() -> dict[object, list[BaseHandler]]:
    return {ADD_TO_CASE: [
        MessageHandler(TEXT, on_message_added),
        MessageHandler(EVIDENCE_FILTER, on_file_added),
        CallbackQueryHandler(on_adding_done, pattern=AddingDone.pattern),
        MessageHandler(NEW & ~filters.COMMAND, on_other_content),
    ]}
