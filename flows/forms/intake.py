"""Reports become cases: starting the wage claim and grievance forms, and Confirm.

One persistent conversation ("report", flows/forms/form_conversation.py) holds both forms and
My cases, so a person is only ever in one of them. Its entry points also work mid-form
(allow_reentry), and leaving for the main menu keeps the draft: coming back offers to
continue it.

Confirm writes the case, its evidence and the reporter's language before the bot answers.
The Confirm button carries the draft id and cases.draft_id is UNIQUE, so a second press or
a redelivered update returns the same case.
"""
from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from typing import Final, Literal

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
)

from bot.context import HotlineContext
from bot.i18n import N_, _, current_language
from flows import ui
from flows.callbacks import FileAsReport, FormConfirm, FormNew, FormResume, ReportThis
from flows.desk import thread as desk_thread
from flows.forms import draft as drafts
from flows.forms import grievance, intake_steps
from flows.forms.draft import Draft, answers_from
from flows.forms.form import END, State, Turn
from flows.forms.form_conversation import PRIVATE, FormConversation, handlers_outside
from flows.forms.intake_case import after_markup, display_name, received_text, to_new_case
from flows.forms.report_forms import FORMS
from flows.forms.wage_claim import KIND as WAGE_CLAIM
from flows.registry import Command, Flow, MenuEntry
from flows.returnee import case_replies, my_cases, start
from storage import cases, reporters, users
from storage.cases import Evidence

log = logging.getLogger(__name__)

WAGE = MenuEntry("wage", N_("💸 I was not paid"), order=100)
REPORT = MenuEntry("report", N_("📣 Report a problem"), order=110)
MY_CASES = MenuEntry("mycases", N_("📂 My cases"), order=120)
FROM_FILE: Final = "V"  # a grievance that starts from a voice note or file sent at the menu
# What a new report starts as: a wage claim, a grievance, or a grievance about a recruiter,
# a debt, or from the voice note or file sent at the menu ("rp:new:<kind>").
NewKind = Literal["W", "G", "R", "D", "V"]
KIND_OF: dict[str, NewKind] = {WAGE.key: "W", REPORT.key: "G"}
FORM = FormConversation(FORMS)


# -- starting, continuing, leaving ----------------------------------------------------
def person_id(update: Update) -> int:
    user = update.effective_user
    if user is None:
        raise RuntimeError("a report update without a person")
    return user.id


def pressed(update: Update) -> str:
    query = update.callback_query
    return (query.data or "") if query is not None else ""


async def has_consent(update: Update, context: HotlineContext) -> bool:
    """No report before the privacy greeting: without consent, greet and let them come back."""
    user = await users.get(context.db, person_id(update))
    if user is not None and user.consent_at is not None:
        return True
    await start.on_start(update, context)
    return False


async def unfinished(update: Update, context: HotlineContext) -> Draft | None:
    """The draft still to be sent; one already sent (a lost reply) is dropped."""
    draft = FORM.current(context)
    if draft is None:
        return None
    if await cases.by_draft(context.db, draft.id, person_id(update)) is not None:
        drafts.drop(context)
        return None
    return draft


async def start_or_offer(update: Update, context: HotlineContext, kind: NewKind) -> State:
    if not await has_consent(update, context):
        return END
    if await unfinished(update, context) is not None:
        return await offer_to_continue(update, context, kind)
    return await start_form(update, context, kind)


async def on_form_chosen(update: Update, context: HotlineContext) -> State:
    """'I was not paid' or 'Report a problem' from the menu: a new form, or the unfinished one."""
    entry = next(e for e in (WAGE, REPORT) if e.callback_data == pressed(update))
    return await start_or_offer(update, context, KIND_OF[entry.key])


async def on_report_this_pressed(update: Update, context: HotlineContext) -> State:
    """'Report this recruiter' from the recruiter check, or 'Report this debt' from the
    benefits check: a grievance with the category (and the recruiter's name) filled in."""
    button = ReportThis.parse(pressed(update))
    return await start_or_offer(update, context, "D" if button and button.topic == "debt" else "R")


async def on_file_report_pressed(update: Update, context: HotlineContext) -> State:
    """'Send it as a new report' under a voice note or file sent at the menu."""
    if not await has_consent(update, context):
        return END
    if case_replies.pending_report(context) is None:
        await ui.send_main_menu(update, context, _("That message is no longer waiting. "
                                                   "Please send it again."))
        return END
    return await start_or_offer(update, context, FROM_FILE)


async def offer_to_continue(update: Update, context: HotlineContext, kind: NewKind) -> int:
    draft = FORM.current(context)
    what = _("wage claim") if draft and draft.kind == WAGE_CLAIM else _("problem report")
    text = _("You have an unfinished {what}. Do you want to continue it, or start a new "
             "report? Starting a new one deletes the unfinished one.").format(what=what)
    rows = [[ui.button(_("📝 Continue the unfinished report"), FormResume().pack())],
            [ui.button(_("🆕 Start a new report"), FormNew(kind).pack())],
            ui.nav_row()]
    await ui.send(update, context, text, ui.keyboard(rows))
    return END


async def on_new_chosen(update: Update, context: HotlineContext) -> State:
    """Deletes the unfinished draft and starts the form asked for."""
    button = FormNew.parse(pressed(update))
    if button is None or not await has_consent(update, context):
        return END
    drafts.drop(context)
    return await start_form(update, context, button.kind)


async def start_form(update: Update, context: HotlineContext, kind: NewKind) -> State:
    """A new draft; 'R' is a grievance about a recruiter, with its name if the check gave one;
    'D' a grievance about a debt to a broker or employer (the safety questions come next);
    'V' a grievance with the voice note or file sent at the menu (flows/returnee/case_replies.py)."""
    person = person_id(update)
    draft = Draft(kind=WAGE_CLAIM if kind == "W" else grievance.KIND,
                  ask_gender=await reporters.gender(context.db, person) is None,
                  ask_home=await reporters.home_province(context.db, person) is None)
    if kind == FROM_FILE:
        report = case_replies.pending_report(context)
        context.person_state.pop("pending_message", None)
        if report is None:
            await ui.send_main_menu(update, context, _("That message is no longer waiting. "
                                                       "Please send it again."))
            return END
        fields, evidence = report
        draft.answers = answers_from(fields)
        draft.evidence = [list(item) for item in evidence]
    with FORM.turn(update, context, draft).kept() as turn:
        return await begin(turn, kind)


async def begin(turn: Turn, kind: NewKind) -> State:
    """The new draft's first question."""
    context, draft = turn.context, turn.draft
    if kind == FROM_FILE:
        await turn.answered()  # a caption that points to danger: the numbers before any question
        return await turn.ask(turn.form.steps[0].key)
    if kind in ("R", "D"):
        name = context.person_state.pop("recruiter_to_report", None) if kind == "R" else None
        draft.answers.category = grievance.RECRUITER if kind == "R" else "debt"
        if isinstance(name, str) and name.strip():
            draft.answers.recruiter_name = name.strip()[: intake_steps.NAME_LIMIT]
        return await turn.advance("category")
    return await turn.ask(turn.form.steps[0].key)


async def on_resume_pressed(update: Update, context: HotlineContext) -> State:
    """Continues the unfinished report where the person left it."""
    if not await has_consent(update, context):
        return END
    draft = await unfinished(update, context)
    if draft is None:
        await ui.send_main_menu(update, context, _("There is no unfinished report."))
        return END
    with FORM.turn(update, context, draft).kept() as turn:
        return await turn.ask_again()


# -- confirm ----------------------------------------------------------------------------
async def on_confirm_pressed(update: Update, context: HotlineContext) -> State:
    """Commits the case with all its fields and evidence, then gives the reference."""
    button = FormConfirm.parse(pressed(update))
    person = person_id(update)
    draft = FORM.current(context)
    existing = await cases.by_draft(context.db, button.draft_id, person) if button else None
    if existing is not None:
        if draft is not None and button is not None and draft.id == button.draft_id:
            drafts.drop(context)
        text = _("This report was already received. Its reference is {ref}.")
        await ui.send(update, context, text.format(ref=existing.reference), after_markup())
        return END
    if button is None or draft is None or draft.id != button.draft_id:
        return await no_draft(update, context)
    with FORM.turn(update, context, draft).kept() as turn:
        missing = turn.form.missing(draft)
        if missing is not None:
            return await turn.ask(missing.key)
        return await commit(turn)


async def commit(turn: Turn) -> State:
    """The case is written (with its evidence) before the person is told it was received."""
    update, context, draft = turn.update, turn.context, turn.draft
    person = turn.person_id
    gender = draft.answers.gender or await reporters.gender(context.db, person)
    new = to_new_case(draft, person, current_language(), gender)
    home = draft.answers.home_province or await reporters.home_province(context.db, person)
    new = dataclasses.replace(new, home_province=home)
    user = update.effective_user
    if not new.anonymous and user is not None:  # staff may know who reported: their name
        new = dataclasses.replace(new, reporter_name=display_name(user))
    evidence = [Evidence(*item) for item in draft.evidence]
    case, created = await cases.create(context.db, new, evidence,
                                       reassure_after=context.settings.followup_no_reply_after)
    log.info("case %s stored (created=%s, evidence=%d)", case.id, created, len(evidence))
    turn.drop()
    await turn.close_phone_keyboard(_("Thank you."))
    await ui.send(update, context, received_text(context, case), after_markup())
    if created:  # queued for the staff group: the outbox sender posts it (or the sweep)
        await desk_thread.announce(context, case.id)
    return END


async def no_draft(update: Update, context: HotlineContext) -> int:
    await ui.send_main_menu(update, context, _("That report is no longer open. Here is the menu."))
    return END


# -- assembly ----------------------------------------------------------------------------
def entry_points() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(on_form_chosen, pattern=WAGE.pattern),
        CallbackQueryHandler(on_form_chosen, pattern=REPORT.pattern),
        CallbackQueryHandler(on_report_this_pressed, pattern=ReportThis.pattern),
        CallbackQueryHandler(on_file_report_pressed, pattern=FileAsReport.pattern),
        CallbackQueryHandler(on_new_chosen, pattern=FormNew.pattern),
        CallbackQueryHandler(on_resume_pressed, pattern=FormResume.pattern),
        CallbackQueryHandler(on_confirm_pressed, pattern=FormConfirm.pattern),
        CommandHandler("mycases", my_cases.on_my_cases, filters=PRIVATE),
        *my_cases.entry_points(),
    ]


def conversation(exits: Sequence[BaseHandler]) -> ConversationHandler:
    return FORM.conversation("report", entry_points(), my_cases.states(), exits)


def handlers(exits: Sequence[BaseHandler]) -> list[BaseHandler]:
    return handlers_outside([conversation(exits)])


FLOW = Flow(
    name="intake",
    handlers=handlers,
    menu=(WAGE, REPORT, MY_CASES),
    commands=(Command("mycases", N_("My reports and their status")),),
)
