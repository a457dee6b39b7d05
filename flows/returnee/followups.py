"""Follow-ups as the returnee sees them: the messages, their answers, Stop reminders, /reminders.

What a follow-up looks like (followup_message) is used by the sender (bot/jobs/followups.py).
Buttons: FollowupAnswer ("fu:a:<follow-up id>:<yes|no|help>") answers a check,
FollowupSatisfaction ("fu:s:<id>:<1-3>") the satisfaction question, StopReminders (under
every follow-up) and RemindersOff / RemindersOn turn reminders off and on. A follow-up's
buttons work only for the person it was sent to.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import HotlineContext
from bot.i18n import N_, _
from flows import ui
from flows.callbacks import (
    FollowupAnswer,
    FollowupSatisfaction,
    RemindersOff,
    RemindersOn,
    StopReminders,
)
from flows.desk import followups as desk_followups
from flows.desk import relay as desk_relay
from flows.desk import thread as desk_thread
from flows.registry import Command, Flow
from flows.returnee import help_now
from storage import desk, followups
from storage.desk import DeskCase, NotAllowed
from storage.followups import Followup

log = logging.getLogger(__name__)

SATISFACTION = [(3, N_("😊 Happy")), (2, N_("😐 OK")), (1, N_("😞 Not happy"))]


# -- what a follow-up looks like (in the current language: the reporter's) -----------------
def satisfaction_markup(row: Followup) -> InlineKeyboardMarkup:
    return ui.keyboard([[ui.button(_(label), FollowupSatisfaction(row.id, level).pack())
                         for level, label in SATISFACTION], ui.nav_row()])


# -- answers -------------------------------------------------------------------------------
async def on_followup_answered(update: Update, context: HotlineContext) -> None:
    """Stores the answer on the case; No or I need help reopens it or alerts its staff."""
    button = FollowupAnswer.parse(ui.query_data(update))
    person = ui.person_id(update)
    row = None if button is None else \
        await followups.get_own(context.db, button.followup_id, person)
    if button is None or row is None or row.kind not in ("after_referral", "after_close") \
            or button.answer not in followups.ANSWERS:
        await ui.send_stale(update, context)  # forged, or someone else's
        return
    answer = button.answer
    if not await followups.record_answer(context.db, row.id, person, answer):
        await ui.send(update, context, _("Thank you, we already have your answer."),
                      ui.keyboard([ui.nav_row()]))
        return
    log.info("follow-up %s answered: %s", row.id, answer)
    dc = await desk.get(context.db, row.case_id)
    if dc is None:  # the case is gone (the person deleted their data)
        await ui.send_main_menu(update, context)
        return
    reopened = False
    if row.kind == "after_close" and answer != "yes":
        reopened, dc = await _reopen(context, dc)
    await desk_followups.tell_staff_answer(context, dc, row, answer, reopened)
    ref = dc.reference
    if reopened:
        text = desk_relay.change_text(context, dc, "reopened")
    elif answer == "yes":
        text = _("Thank you. We are glad to hear it.")
    elif answer == "help":
        text = _("Hotline staff will write to you here about {ref} soon. If you are in "
                 "danger now, press the button below.").format(ref=ref)
    else:
        text = _("Thank you for telling us. Hotline staff will look at {ref} again and write "
                 "to you here.").format(ref=ref)
    if row.kind == "after_close" and answer != "help":
        text += "\n\n" + _("One more question: how happy are you with the hotline's help?")
        await ui.send(update, context, text, satisfaction_markup(row))
    elif answer == "help":
        now_button = ui.button(_(help_now.ENTRY.label), help_now.ENTRY.callback_data)
        await ui.send(update, context, text, ui.keyboard([[now_button], ui.nav_row()]))
    else:
        await ui.send(update, context, text, ui.keyboard([ui.nav_row()]))


async def _reopen(context: HotlineContext, dc: DeskCase) -> tuple[bool, DeskCase]:
    """Open the case again (by nobody: staff_id NULL in the audit log)."""
    try:
        dc = await desk.reopen_by_returnee(context.db, dc.id)
    except NotAllowed:  # staff reopened it already
        return False, dc
    await desk_thread.refresh_card(context, dc)
    return True, dc


async def on_satisfaction_given(update: Update, context: HotlineContext) -> None:
    """Stores how happy the person is with the help (3 happy, 2 OK, 1 not happy)."""
    button = FollowupSatisfaction.parse(ui.query_data(update))
    person = ui.person_id(update)
    row = None if button is None else \
        await followups.get_own(context.db, button.followup_id, person)
    levels = {level for level, _label in SATISFACTION}
    if button is None or row is None or button.level not in levels or row.kind != "after_close":
        await ui.send_stale(update, context)
        return
    if await followups.record_satisfaction(context.db, row.id, person, button.level):
        dc = await desk.get(context.db, row.case_id)
        if dc is not None:  # gone if the person deleted their data
            await desk_followups.tell_staff_satisfaction(context, dc, button.level)
    await ui.send(update, context, _("Thank you for your answer. It helps us do better."),
                  ui.keyboard([ui.nav_row()]))


# -- Stop reminders and /reminders ---------------------------------------------------------
async def on_reminders_shown(update: Update, context: HotlineContext) -> None:
    """Shows whether reminders about reports are on, with a button to change it."""
    await show_reminders(update, context)


async def show_reminders(update: Update, context: HotlineContext, intro: str | None = None) -> None:
    lines = [intro] if intro else []
    if await followups.reminders_on(context.db, ui.person_id(update)):
        lines.append(_("🔔 Reminders about your reports are ON. We may write to ask how your "
                       "case is going."))
        rows = [[ui.button(_("🔕 Stop reminders"), RemindersOff().pack())]]
    else:
        lines.append(_("🔕 Reminders about your reports are OFF. Hotline staff still answer "
                       "you when you write to them."))
        rows = [[ui.button(_("🔔 Turn reminders on"), RemindersOn().pack())]]
    await ui.send(update, context, "\n\n".join(lines), ui.keyboard([*rows, ui.nav_row()]))


async def on_reminders_stopped(update: Update, context: HotlineContext) -> None:
    """Turns reminders off (Stop reminders under a follow-up, or /reminders)."""
    cancelled = await followups.set_reminders(context.db, ui.person_id(update), False)
    log.info("reminders stopped by a person (%s cancelled)", cancelled)
    await show_reminders(update, context, _("Done: no more reminders. You can turn them on "
                                            "again with /reminders."))


async def on_reminders_turned_on(update: Update, context: HotlineContext) -> None:
    """Turns reminders on again."""
    await followups.set_reminders(context.db, ui.person_id(update), True)
    await show_reminders(update, context, _("Done: reminders are on again."))


PRIVATE = filters.ChatType.PRIVATE


def handlers(exits: Sequence[BaseHandler]) -> list[BaseHandler]:
    return [
        CallbackQueryHandler(on_followup_answered, pattern=FollowupAnswer.pattern),
        CallbackQueryHandler(on_satisfaction_given, pattern=FollowupSatisfaction.pattern),
        CallbackQueryHandler(on_reminders_stopped, pattern=StopReminders.pattern),
        CallbackQueryHandler(on_reminders_stopped, pattern=RemindersOff.pattern),
        CallbackQueryHandler(on_reminders_turned_on, pattern=RemindersOn.pattern),
        CommandHandler("reminders", on_reminders_shown, filters=PRIVATE),
    ]


FLOW = Flow(
    name="followups",
    handlers=handlers,
    commands=(Command("reminders", N_("Reminders about your reports: on or off")),),
)
