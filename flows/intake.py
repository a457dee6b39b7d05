"""Reports become cases: the wage claim and grievance forms, and My cases.

One persistent conversation ("report") holds both forms and My cases, so a
person is only ever in one of them. Its entry points also work mid-form
(allow_reentry), and leaving for the main menu keeps the draft: coming back
offers to continue it.

Confirm writes the case, its evidence and the reporter's language before the
bot answers. The Confirm button carries the draft id and cases.draft_id is
UNIQUE, so a second press or a redelivered update returns the same case.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import re
import warnings

from babel import dates
from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import HotlineContext
from bot.i18n import N_, _, current_language
from bot.working_hours import next_opening
from flows import (
    case_replies,
    desk_thread,
    form,
    grievance,
    intake_steps,
    my_cases,
    screening,
    start,
    ui,
    wage_claim,
)
from flows.registry import Command, Flow, MenuEntry
from storage import cases, reporters, users
from storage.cases import Evidence, NewCase
from storage.clock import utcnow

log = logging.getLogger(__name__)

WAGE = MenuEntry("wage", N_("💸 I was not paid"), order=100)
REPORT = MenuEntry("report", N_("📣 Report a problem"), order=110)
MY_CASES = MenuEntry("mycases", N_("📂 My cases"), order=120)
FROM_FILE = "V"  # a grievance that starts from a voice note or file sent at the menu
RECRUITER_TO_REPORT = "recruiter_to_report"  # set by the recruiter check before "report:recruiter"
KIND_OF = {"wage": wage_claim.KIND, "report": grievance.KIND}
_DRAFT_ID = re.compile(r"^[0-9a-f]{32}$")


# -- starting, continuing, leaving ----------------------------------------------------
async def has_consent(update: Update, context: HotlineContext) -> bool:
    """No report before the privacy greeting: without consent, greet and let them come back."""
    user = await users.get(context.db, update.effective_user.id)
    if user is not None and user.consent_at is not None:
        return True
    await start.on_start(update, context)
    return False


async def _unfinished(update: Update, context: HotlineContext) -> dict | None:
    """The draft still to be sent; one already sent (a lost reply) is dropped."""
    draft = form.current(context)
    if draft is None:
        return None
    if await cases.by_draft(context.db, draft["id"], update.effective_user.id) is not None:
        context.user_data.pop(form.DRAFT, None)
        return None
    return draft


async def on_form_chosen(update: Update, context: HotlineContext) -> int | str:
    """'I was not paid' or 'Report a problem' from the menu: a new form, or the unfinished one."""
    if not await has_consent(update, context):
        return form.END
    kind = KIND_OF[update.callback_query.data.split(":")[1]]
    if await _unfinished(update, context) is not None:
        return await offer_to_continue(update, context, kind)
    return await start_form(update, context, kind)


async def on_recruiter_report_pressed(update: Update, context: HotlineContext) -> int | str:
    """'Report this recruiter' from the recruiter check, or 'Report this debt' from the
    benefits check: a grievance with the category (and the recruiter's name) filled in."""
    if not await has_consent(update, context):
        return form.END
    kind = "D" if update.callback_query.data == "report:debt" else "R"
    if await _unfinished(update, context) is not None:
        return await offer_to_continue(update, context, kind)
    return await start_form(update, context, kind)


async def on_file_report_pressed(update: Update, context: HotlineContext) -> int | str:
    """'Send it as a new report' under a voice note or file sent at the menu."""
    if not await has_consent(update, context):
        return form.END
    if case_replies.pending_report(context) is None:
        await ui.send_main_menu(update, context, _("That message is no longer waiting. "
                                                   "Please send it again."))
        return form.END
    if await _unfinished(update, context) is not None:
        return await offer_to_continue(update, context, FROM_FILE)
    return await start_form(update, context, FROM_FILE)


async def offer_to_continue(update: Update, context: HotlineContext, kind: str) -> int:
    draft = form.current(context)
    what = _("wage claim") if draft["kind"] == wage_claim.KIND else _("problem report")
    text = _("You have an unfinished {what}. Do you want to continue it, or start a new "
             "report? Starting a new one deletes the unfinished one.").format(what=what)
    rows = [[ui.button(_("📝 Continue the unfinished report"), "rp:resume")],
            [ui.button(_("🆕 Start a new report"), f"rp:new:{kind}")], ui.nav_row()]
    await ui.send(update, context, text, ui.keyboard(rows))
    return form.END


async def on_new_chosen(update: Update, context: HotlineContext) -> int | str:
    """Deletes the unfinished draft and starts the form asked for."""
    if not await has_consent(update, context):
        return form.END
    context.user_data.pop(form.DRAFT, None)
    return await start_form(update, context, update.callback_query.data.split(":")[2])


async def start_form(update: Update, context: HotlineContext, kind: str) -> int | str:
    """A new draft; 'R' is a grievance about a recruiter, with its name if the check gave one;
    'D' a grievance about a debt to a broker or employer (the safety questions come next);
    'V' a grievance with the voice note or file sent at the menu (flows/case_replies.py)."""
    ask_gender = await reporters.gender(context.db, update.effective_user.id) is None
    ask_home = await reporters.home_province(context.db, update.effective_user.id) is None
    if kind == FROM_FILE:
        report = case_replies.pending_report(context)
        context.user_data.pop(case_replies.PENDING, None)
        if report is None:
            await ui.send_main_menu(update, context, _("That message is no longer waiting. "
                                                       "Please send it again."))
            return form.END
        draft = form.new_draft(grievance.KIND, ask_gender=ask_gender, fields=report[0])
        draft["evidence"] = report[1]
        draft["ask_home"] = ask_home
        context.user_data[form.DRAFT] = draft
        # A caption that points to danger: the emergency numbers before any question.
        await screening.warn_if_newly_urgent(update, context, draft, was_urgent=False)
        return await form.ask(update, context, draft, form.order(grievance.KIND)[0].key)
    if kind in ("R", "D"):
        name = context.user_data.pop(RECRUITER_TO_REPORT, None) if kind == "R" else None
        prefill = {"category": grievance.RECRUITER if kind == "R" else "debt"}
        if isinstance(name, str) and name.strip():
            prefill["recruiter_name"] = name.strip()[: intake_steps.NAME_LIMIT]
        draft = form.new_draft(grievance.KIND, ask_gender=ask_gender, fields=prefill)
        draft["ask_home"] = ask_home
        context.user_data[form.DRAFT] = draft
        return await form.advance(update, context, "category")
    draft = form.new_draft(kind, ask_gender=ask_gender)
    draft["ask_home"] = ask_home
    context.user_data[form.DRAFT] = draft
    return await form.ask(update, context, draft, form.order(kind)[0].key)


async def on_resume_pressed(update: Update, context: HotlineContext) -> int | str:
    """Continues the unfinished report where the person left it."""
    if not await has_consent(update, context):
        return form.END
    draft = await _unfinished(update, context)
    if draft is None:
        await ui.send_main_menu(update, context, _("There is no unfinished report."))
        return form.END
    step = draft.get("step") or form.order(draft["kind"])[0].key
    return await form.ask(update, context, draft, step)


async def on_back_pressed(update: Update, context: HotlineContext) -> int | str:
    """One question back."""
    draft = form.current(context)
    if draft is None:
        return await _no_draft(update, context)
    return await form.go_back(update, context, draft)


async def on_edit_pressed(update: Update, context: HotlineContext) -> int | str:
    """From the summary: ask that field again, then come back to the summary."""
    draft = form.current(context)
    key = update.callback_query.data.split(":")[2]
    if draft is None:
        return await _no_draft(update, context)
    if key not in {s.key for s in form.active_steps(draft) if s.parent is None}:
        return await form.ask(update, context, draft, form.SUMMARY)
    draft["editing"] = True
    return await form.ask(update, context, draft, key)


async def on_cancel_pressed(update: Update, context: HotlineContext) -> None:
    """Asks before deleting the unfinished report (Cancel button or /cancel in a form)."""
    rows = [[ui.button(_("🗑 Yes, delete it"), "rp:cancel:yes")],
            [ui.button(_("↩️ No, continue"), "rp:resume")]]
    await ui.send(update, context, _("Delete this unfinished report? Nothing will be sent."),
                  ui.keyboard(rows))


async def on_cancel_confirmed(update: Update, context: HotlineContext) -> int:
    """Deletes the draft: nothing is sent."""
    draft = context.user_data.pop(form.DRAFT, None)
    if isinstance(draft, dict):
        await form.close_phone_keyboard(update, context, draft, _("Deleted."))
    await ui.send_main_menu(update, context,
                            _("The unfinished report was deleted. Nothing was sent."))
    return form.END


async def _no_draft(update: Update, context: HotlineContext) -> int:
    await ui.send_main_menu(update, context, _("That report is no longer open. Here is the menu."))
    return form.END


# -- confirm ----------------------------------------------------------------------------
async def on_confirm_pressed(update: Update, context: HotlineContext) -> int | str:
    """Commits the case with all its fields and evidence, then gives the reference."""
    draft_id = update.callback_query.data.split(":")[2]
    person = update.effective_user.id
    existing = await cases.by_draft(context.db, draft_id, person)
    draft = form.current(context)
    if existing is not None:
        if draft is not None and draft["id"] == draft_id:
            context.user_data.pop(form.DRAFT, None)
        text = _("This report was already received. Its reference is {ref}.")
        await ui.send(update, context, text.format(ref=existing.reference), after_markup())
        return form.END
    if draft is None or draft["id"] != draft_id or not _DRAFT_ID.match(draft_id):
        return await _no_draft(update, context)
    missing = [s.key for s in form.active_steps(draft) if not _answered(draft, s.key)]
    if missing:
        return await form.ask(update, context, draft, missing[0])
    gender = draft["f"].get("gender") or await reporters.gender(context.db, person)
    new = to_new_case(draft, person, current_language(), gender)
    home = draft["f"].get("home_province") or await reporters.home_province(context.db, person)
    new = dataclasses.replace(new, home_province=home)
    if not new.anonymous:  # staff may know who reported: the name they see on the card
        new = dataclasses.replace(new, reporter_name=display_name(update.effective_user))
    evidence = [Evidence(*item) for item in draft["evidence"]]
    case, created = await cases.create(context.db, new, evidence,
                                       reassure_after=context.settings.followup_no_reply_after)
    log.info("case %s stored (created=%s, evidence=%d)", case.id, created, len(evidence))
    context.user_data.pop(form.DRAFT, None)
    await form.close_phone_keyboard(update, context, draft, _("Thank you."))
    await ui.send(update, context, received_text(context, case), after_markup())
    if created:  # queued for the staff group: the outbox sender posts it (or the sweep)
        await desk_thread.announce(context, case.id)
    return form.END


# Steps whose answer may be empty: skipped, or asked once per person (gender, home province).
OPTIONAL_STEPS = {"workplace", "amount", "recruiter_name", "evidence", "place", "gender",
                  "home_province", "wage_description"}


def _answered(draft: dict, key: str) -> bool:
    """Whether a step has an answer (optional steps count once asked)."""
    fields = draft["f"]
    if key == "screener":
        return screening.answered(draft)
    if key == "description":
        return bool(fields.get("description") or fields.get("description_voice"))
    if key in OPTIONAL_STEPS:
        return True
    return fields.get(key) not in (None, "", [])


def to_new_case(draft: dict, reporter_id: int, language: str, gender: str | None) -> NewCase:
    """The confirmed draft as a row of the cases table."""
    f = draft["f"]
    is_wage = draft["kind"] == wage_claim.KIND
    found = screening.assess(draft)
    return NewCase(
        kind=draft["kind"], draft_id=draft["id"], reporter_id=reporter_id,
        reporter_language=language, reporter_gender=gender,
        category="wages" if is_wage else f["category"],
        reported_by=f.get("reported_by") or "self", group_size=f.get("group_size"),
        urgent=found.urgent, urgent_reasons=",".join(found.reasons()) if found.urgent else None,
        screener=json.dumps(f["screener"]) if f.get("screener") else None,
        country="TH" if is_wage else f.get("country"), province=f.get("province"),
        place=f.get("place"), employer=f.get("employer"), workplace=f.get("workplace"),
        sector=f.get("sector"), first_month=f.get("first_month"), last_month=f.get("last_month"),
        owed=",".join(f["owed"]) if f.get("owed") else None,
        amount=f.get("amount"), currency=f.get("currency"),
        recruiter_involved=f.get("recruiter_involved"), recruiter_name=f.get("recruiter_name"),
        description=f.get("description"), description_voice=f.get("description_voice"),
        anonymous=bool(f.get("anonymous")), contact=f["contact"],
        phone=None if f.get("anonymous") else f.get("phone"),  # a phone number names a person
        share_name=bool(f.get("share_name")) and not f.get("anonymous"),
    )


def display_name(user) -> str:
    """'Sokha Chan (@sokha)': how staff see the reporter of a named report."""
    return f"{user.full_name} (@{user.username})" if user.username else user.full_name


def received_text(context: HotlineContext, case) -> str:
    contact = {
        "chat": _("If they have questions or news, they will write to you in this chat."),
        "phone": _("If they have questions or news, they may call you on the number you gave."),
        "none": _("You asked not to be contacted, so look in My cases for news."),
    }[case.contact]
    lines = [
        _("✅ Received. Your reference is {ref}.").format(ref=case.reference), "",
        _("Hotline staff will look at your report. {contact}").format(contact=contact),
        what_next(context),
        _("You can see it and add to it any time under My cases (/mycases)."),
    ]
    if case.urgent:
        lines += ["", screening.emergency_text(context)]
    return "\n".join(lines)


def what_next(context: HotlineContext) -> str:
    """Who answers and roughly when: the staff's working hours (WORKING_HOURS, Monday-Friday)."""
    settings = context.settings
    start_at, end_at = (t.strftime("%H:%M") for t in settings.working_hours)
    hours = _("A case worker answers. They work Monday to Friday, {start}-{end}.").format(
        start=start_at, end=end_at)
    opening = next_opening(utcnow(), settings.working_hours, settings.timezone)
    if opening is None:
        return hours + " " + _("They are at work now, so they should see your report today.")
    day = dates.format_date(opening.date(), "EEEE d MMMM", locale=current_language())
    return hours + " " + _("They will see your report when they are back: {day}, from {time}."
                           ).format(day=day, time=start_at)


def after_markup():
    return ui.keyboard([[ui.button(_(MY_CASES.label), "mc:list")], ui.nav_row()])


# -- anything else inside a form ---------------------------------------------------------
async def on_unexpected_input(update: Update, context: HotlineContext) -> int | str | None:
    """A message the current question cannot take: say what is needed, ask again."""
    draft = form.current(context)
    if draft is None or draft.get("step") is None:
        return await _no_draft(update, context)
    step = draft["step"]
    expects = "buttons" if step == form.SUMMARY else form.STEPS[step].expects
    await ui.send(update, context, form.wrong_input_text(expects))
    return await form.ask(update, context, draft, step)


async def on_old_button(update: Update, context: HotlineContext) -> int | str:
    """A button from an earlier question: show the current one again."""
    draft = form.current(context)
    if draft is None or draft.get("step") is None:
        return await _no_draft(update, context)
    await ui.send(update, context, _("That button belongs to an earlier question. "
                                     "Here is the current one."))
    return await form.ask(update, context, draft, draft["step"])


async def on_elsewhere(update: Update, context: HotlineContext) -> int:
    """Another flow's command or menu button: leave the form (the draft stays) and go there."""
    await context.application.update_queue.put(update)
    return form.END


# -- assembly ----------------------------------------------------------------------------
PRIVATE = filters.ChatType.PRIVATE


def entry_points() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(on_form_chosen, pattern=f"^({WAGE.callback_data}|{REPORT.callback_data})$"),
        CallbackQueryHandler(on_recruiter_report_pressed, pattern="^report:(recruiter|debt)$"),
        CallbackQueryHandler(on_file_report_pressed, pattern="^cr:new$"),
        CallbackQueryHandler(on_new_chosen, pattern="^rp:new:(W|G|R|D|V)$"),
        CallbackQueryHandler(on_resume_pressed, pattern="^rp:resume$"),
        CallbackQueryHandler(on_confirm_pressed, pattern="^rp:confirm:[0-9a-f]{32}$"),
        CommandHandler("mycases", my_cases.on_my_cases, filters=PRIVATE),
        *my_cases.entry_points(),
    ]


def requires_draft(callback):
    """A step's handler runs only with a draft; without one (lost data) the form is left."""
    async def guarded(update: Update, context: HotlineContext):
        if form.current(context) is None:
            return await _no_draft(update, context)
        return await callback(update, context)

    guarded.__doc__ = callback.__doc__
    return guarded


def _step_handlers(step) -> list[BaseHandler]:
    handlers = step.handlers()
    for handler in handlers:
        handler.callback = requires_draft(handler.callback)
    return handlers


def conversation() -> ConversationHandler:
    states = {form.state_of(key): _step_handlers(step) for key, step in form.STEPS.items()}
    states[form.SUMMARY] = [CallbackQueryHandler(on_edit_pressed, pattern=r"^rp:edit:[a-z_]+$")]
    states.update(my_cases.states())
    with warnings.catch_warnings():
        # per_message=False is meant: the conversation follows the person, not one message.
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return _conversation(states)


def _conversation(states: dict) -> ConversationHandler:
    return ConversationHandler(
        name="report",
        persistent=True,
        per_message=False,
        allow_reentry=True,
        entry_points=entry_points(),
        states=states,
        fallbacks=[
            CommandHandler("cancel", on_cancel_pressed, filters=PRIVATE),
            *start.exit_handlers(),
            CallbackQueryHandler(on_back_pressed, pattern=f"^{form.BACK_DATA}$"),
            CallbackQueryHandler(on_cancel_pressed, pattern=f"^{form.CANCEL_DATA}$"),
            CallbackQueryHandler(on_cancel_confirmed, pattern="^rp:cancel:yes$"),
            CallbackQueryHandler(on_old_button, pattern="^(rp|mc):"),
            MessageHandler(filters.COMMAND, on_elsewhere),
            CallbackQueryHandler(on_elsewhere, pattern="^menu:"),
            MessageHandler(intake_steps.NEW & PRIVATE & ~filters.COMMAND, on_unexpected_input),
        ],
    )


def handlers() -> list[BaseHandler]:
    return [
        conversation(),
        # Outside a form (after a restart that lost the position, or a stale message).
        CallbackQueryHandler(on_cancel_confirmed, pattern="^rp:cancel:yes$"),
    ]


FLOW = Flow(
    name="intake",
    handlers=handlers,
    menu=(WAGE, REPORT, MY_CASES),
    commands=(Command("mycases", N_("My reports and their status")),),
)
