"""My cases: a person's own reports with their status, and adding to one.

Every callback that carries a case id is checked against the person pressing
it (storage.cases.get_own): someone else's id and an id that does not exist get
the same refusal, which reveals nothing.
"""
from __future__ import annotations

import json

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot import sender
from bot.context import HotlineContext
from bot.i18n import N_, _, format_date
from flows import desk_relay, form, grievance, ui
from flows.intake_steps import EVIDENCE_FILTER, NEW, TEXT, evidence_of
from storage import cases
from storage.cases import Case, Evidence
from storage.clock import from_text

ADD_TO_CASE = "mc_add"
OPEN_CASE = "mc_case"  # user_data: the case id being added to
MESSAGE_LIMIT = 3000

STATUS_LABELS = {
    "new": N_("Received: waiting for hotline staff"),
    "claimed": N_("A staff member is working on it"),
    "waiting": N_("Staff are waiting for your answer"),
    "referred": N_("Passed to a partner organisation"),
    "closed": N_("Closed"),
}


def title(case: Case) -> str:
    if case.kind == "W":
        return _("Unpaid wages")
    return form.label_of(grievance.CATEGORY_CHOICES, case.category) or _("Problem")


def as_draft(case: Case, evidence_count: int) -> dict:
    """The stored case in the shape of a draft, so the summary reads the same."""
    fields = {name: getattr(case, name) for name in (
        "reported_by", "group_size", "category", "country", "province", "place", "employer",
        "workplace", "sector", "first_month", "last_month", "amount", "currency",
        "recruiter_involved", "recruiter_name", "description", "description_voice",
        "anonymous", "contact", "phone", "share_name")}
    fields["owed"] = case.owed.split(",") if case.owed else []
    fields["screener"] = json.loads(case.screener) if case.screener else {}
    fields["gender"] = case.reporter_gender
    fields["home_province"] = case.home_province
    return {"kind": case.kind, "f": fields, "evidence": [None] * evidence_count,
            "editing": False, "ask_gender": case.reporter_gender is not None,
            "ask_home": case.home_province is not None}


# -- the list -----------------------------------------------------------------------
async def on_my_cases(update: Update, context: HotlineContext) -> int:
    """Lists the person's own reports with their status."""
    context.user_data.pop(OPEN_CASE, None)
    own = await cases.list_own(context.db, update.effective_user.id)
    rows = []
    if form.current(context) is not None:
        rows.append([ui.button(_("📝 Continue your unfinished report"), "rp:resume")])
    if not own:
        text = _("You have not sent a report yet.")
        rows += [[ui.button(_(entry.label), entry.callback_data)]
                 for entry in context.menu_entries if entry.key in ("wage", "report")]
    else:
        lines = [_("Your reports (newest first). Press one to see it or add to it:"), ""]
        for case in own:
            lines.append(f"{case.reference} · {title(case)}: {_(STATUS_LABELS[case.status])}")
        text = "\n".join(lines)
        rows += [[ui.button(f"📂 {case.reference}", f"mc:open:{case.id}")] for case in own]
    await ui.send(update, context, text, ui.keyboard([*rows, ui.nav_row()]))
    return form.END


async def _own_case(update: Update, context: HotlineContext, case_id: int) -> Case | None:
    """The case if it is this person's; otherwise a refusal that reveals nothing."""
    case = await cases.get_own(context.db, case_id, update.effective_user.id)
    if case is None:
        await ui.send(update, context, _("I cannot find that report among yours."),
                      ui.keyboard([[ui.button(_("📂 My cases"), "mc:list")], ui.nav_row()]))
    return case


def _case_id(update: Update) -> int:
    return int(update.callback_query.data.rsplit(":", 1)[1])


# -- one case ------------------------------------------------------------------------
async def on_case_opened(update: Update, context: HotlineContext) -> int:
    """Shows one of the person's own cases: status, summary, what was added."""
    context.user_data.pop(OPEN_CASE, None)
    case = await _own_case(update, context, _case_id(update))
    if case is not None:
        await show_case(update, context, case)
    return form.END


async def show_case(update: Update, context: HotlineContext, case: Case) -> None:
    evidence = await cases.evidence(context.db, case.id)
    added = [m for m in await cases.messages(context.db, case.id) if m[0] == "reporter"]
    sent = format_date(from_text(case.created_at), tz=context.settings.timezone)
    lines = [
        f"{case.reference} · {title(case)}",
        _("Status: {status}").format(status=_(STATUS_LABELS[case.status])),
        _("Sent: {date}").format(date=sent),
        "", *form.summary_lines(as_draft(case, len(evidence))),
    ]
    if added:
        lines += ["", _("Messages you added: {count}").format(count=len(added))]
    rows = [[ui.button(_("✍️ Add a message or proof"), f"mc:add:{case.id}")],
            ui.nav_row(back="mc:list")]
    await ui.send(update, context, "\n".join(lines)[: ui.MESSAGE_LIMIT], ui.keyboard(rows))


# -- adding to a case -------------------------------------------------------------------
def _done_markup():
    return ui.keyboard([[ui.button(_("✅ Done"), "mc:done")]])


async def on_add_pressed(update: Update, context: HotlineContext) -> int | str:
    """Asks for a message or files to add to the person's own case."""
    case = await _own_case(update, context, _case_id(update))
    if case is None:
        return form.END
    context.user_data[OPEN_CASE] = case.id
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
    kind, file_id, unique = evidence_of(update)
    item = Evidence(kind, file_id, unique)
    return await _store(update, context, lambda db, case_id, who, relay:
                        cases.add_reporter_evidence(db, case_id, who, item, relay))


async def _store(update: Update, context: HotlineContext, write) -> int | str:
    case_id = context.user_data.get(OPEN_CASE)
    person = update.effective_user.id
    own = isinstance(case_id, int) and await cases.get_own(context.db, case_id, person)
    relay = None
    if own:
        relay = await desk_relay.relay_of(context, case_id, update.effective_message)
    if not own or not await write(context.db, case_id, person, relay):
        context.user_data.pop(OPEN_CASE, None)
        await ui.send(update, context, _("I cannot find that report among yours."),
                      ui.keyboard([[ui.button(_("📂 My cases"), "mc:list")], ui.nav_row()]))
        return form.END
    case = await cases.get_own(context.db, case_id, person)
    sender.wake(context)  # the outbox takes it into the case's thread
    await ui.send(update, context, _("Added to {ref}. Send more, or press Done.").format(
        ref=case.reference), _done_markup())
    return ADD_TO_CASE


async def on_adding_done(update: Update, context: HotlineContext) -> int:
    """Back to the case."""
    case_id = context.user_data.pop(OPEN_CASE, None)
    case = await cases.get_own(context.db, case_id, update.effective_user.id) \
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


def entry_points() -> list:
    return [
        CallbackQueryHandler(on_my_cases, pattern="^(menu:mycases|mc:list)$"),
        CallbackQueryHandler(on_case_opened, pattern=r"^mc:open:\d{1,12}$"),
        CallbackQueryHandler(on_add_pressed, pattern=r"^mc:add:\d{1,12}$"),
    ]


def states() -> dict:
    return {ADD_TO_CASE: [
        MessageHandler(TEXT, on_message_added),
        MessageHandler(EVIDENCE_FILTER, on_file_added),
        CallbackQueryHandler(on_adding_done, pattern="^mc:done$"),
        MessageHandler(NEW & ~filters.COMMAND, on_other_content),
    ]}
