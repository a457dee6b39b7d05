"""The buttons on case cards and in case threads ("sd:...", flows/callbacks.py CaseButton):
staff only, in the staff group only; each runs the action of flows/desk/actions.py."""
from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import HotlineContext
from bot.i18n import _
from flows import ui
from flows.callbacks import CaseAction, CaseButton
from flows.desk import access as desk_access
from flows.desk import actions as desk_actions
from storage import desk

# Both names of an action: the card's button, and the button of a choice made under it.
ACTIONS: dict[CaseAction, desk_actions.Action] = {
    "claim": desk_actions.do_claim, "unassign": desk_actions.do_unassign,
    "wait": desk_actions.do_waiting, "reopen": desk_actions.do_reopen,
    "refer": desk_actions.do_refer, "ref": desk_actions.do_refer,
    "close": desk_actions.do_close, "out": desk_actions.do_close,
    "esc": desk_actions.do_escalate, "lvl": desk_actions.do_escalate,
    "canned": desk_actions.do_canned, "can": desk_actions.do_canned,
}


async def on_card_button(update: Update, context: HotlineContext) -> None:
    """A button on a card or in a thread; a case that is gone is answered as stale."""
    if not await desk_access.staff_button(update, context):
        return
    query = ui.query_of(update)
    pressed = CaseButton.parse(query.data)
    dc = None if pressed is None else await desk.get(context.db, pressed.case_id)
    if pressed is None or dc is None:
        await query.answer(_("That button no longer works."), show_alert=True)
        return
    await query.answer()
    action = ACTIONS[pressed.action]
    await desk_actions.run(context, dc, action(update, context, dc, pressed.choice or None))


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(on_card_button, pattern=CaseButton.pattern)]
