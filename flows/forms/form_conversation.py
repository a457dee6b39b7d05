"""One conversation that runs any report form: its states come from the forms' steps.

Each step's handlers wait in the state "ask_<key>" (flows/forms/form.py). Around them: Back,
Cancel (asked first, then deleted), Edit from the summary, a button of an earlier
question, a message the question cannot take, and leaving for another flow (the draft
stays). Every handler runs on a `Turn`: the draft is read from user_data before and
written back after, also when sending failed (what was answered is kept).
"""
from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from telegram import ReplyKeyboardRemove, Update
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
from bot.i18n import _
from flows import ui
from flows.callbacks import (
    FormBack,
    FormCancel,
    FormCancelConfirmed,
    FormEdit,
    FormResume,
    Menu,
)
from flows.forms import draft as drafts
from flows.forms.draft import Draft
from flows.forms.form import (
    END,
    SUMMARY,
    Form,
    Handler,
    PTBCallback,
    State,
    Step,
    Turn,
    always,
    send_keyboard,
    state_of,
    wrong_input_text,
)
from flows.forms.form_steps import NEW
from flows.returnee import start

PRIVATE = filters.ChatType.PRIVATE
States = dict[object, list[BaseHandler]]


class FormConversation:
    """The forms, and the handlers that run them."""

    def __init__(self, forms: Mapping[str, Form]) -> None:
        self.forms = forms

    # -- turns --------------------------------------------------------------------------
    def turn(self, update: Update, context: HotlineContext, draft: Draft) -> Turn:
        return Turn(update, context, draft, self.forms)

    def current(self, context: HotlineContext) -> Draft | None:
        draft = drafts.current(context)
        return draft if draft is not None and draft.kind in self.forms else None

    def wrap(self, handler: Handler) -> PTBCallback:
        """A step's handler with its turn; without a draft (lost data) the form is left."""
        async def callback(update: Update, context: HotlineContext) -> State | None:
            draft = self.current(context)
            if draft is None:
                return await no_draft(update, context)
            with self.turn(update, context, draft).kept() as turn:
                return await handler(turn)

        callback.__doc__ = handler.__doc__
        return callback

    async def on_cancel_command(self, update: Update, context: HotlineContext) -> State | None:
        """/cancel in a form asks before deleting it; without a draft it stops as anywhere."""
        if self.current(context) is None:
            return await start.on_cancel(update, context)
        return await self.wrap(on_cancel_pressed)(update, context)

    # -- the states -----------------------------------------------------------------------
    def states(self) -> States:
        """'ask_<key>' for every step of every form; a step both forms have is one state."""
        states: States = {}
        seen: dict[str, object] = {}
        for form in self.forms.values():
            for step in form.steps:
                shape = _without_place(step)
                if step.key in seen:
                    if seen[step.key] != shape:
                        raise ValueError(f"two different steps are called {step.key!r}")
                    continue
                seen[step.key] = shape
                states[state_of(step.key)] = step.handlers(self.wrap)
        states[state_of(SUMMARY)] = [
            CallbackQueryHandler(self.wrap(on_edit_pressed), pattern=FormEdit.pattern)]
        return states

    def fallbacks(self, states: States, exits: Sequence[BaseHandler]) -> list[BaseHandler]:
        return [
            CommandHandler("cancel", self.on_cancel_command, filters=PRIVATE),
            *exits,
            CallbackQueryHandler(self.wrap(on_back_pressed), pattern=FormBack.pattern),
            CallbackQueryHandler(self.wrap(on_cancel_pressed), pattern=FormCancel.pattern),
            CallbackQueryHandler(on_cancel_confirmed, pattern=FormCancelConfirmed.pattern),
            CallbackQueryHandler(self.wrap(on_old_button), pattern=any_button_of(states)),
            MessageHandler(filters.COMMAND, on_elsewhere),
            CallbackQueryHandler(on_elsewhere, pattern=Menu.pattern),
            MessageHandler(NEW & PRIVATE & ~filters.COMMAND, self.wrap(on_unexpected_input)),
        ]

    def conversation(self, name: str, entry_points: list[BaseHandler],
                     more_states: States, exits: Sequence[BaseHandler]) -> ConversationHandler:
        states = {**self.states(), **more_states}
        with warnings.catch_warnings():
            # per_message=False is meant: the conversation follows the person, not one message.
            warnings.filterwarnings("ignore", message="If 'per_message=False'",
                                    category=PTBUserWarning)
            return ConversationHandler(
                name=name, persistent=True, per_message=False, allow_reentry=True,
                entry_points=entry_points, states=states,
                fallbacks=self.fallbacks(states, exits),
            )


def _without_place(step: Step) -> Step:
    """A step's declaration apart from where a form puts it (its parent and condition)."""
    return replace(step, parent=None, when=always)


def any_button_of(states: States) -> Callable[[object], bool]:
    """Every button some state of the conversation waits for: pressed in another state,
    it belongs to an earlier question."""
    patterns = [h.pattern for handlers in states.values() for h in handlers
                if isinstance(h, CallbackQueryHandler) and isinstance(h.pattern, re.Pattern)]

    def matches(data: object) -> bool:
        return isinstance(data, str) and any(p.match(data) for p in patterns)

    return matches


# -- what every form answers -------------------------------------------------------------
async def no_draft(update: Update, context: HotlineContext) -> int:
    await ui.send_main_menu(update, context, _("That report is no longer open. Here is the menu."))
    return END


async def on_back_pressed(turn: Turn) -> State:
    """One question back."""
    return await turn.go_back()


async def on_edit_pressed(turn: Turn) -> State:
    """From the summary: ask that field again, then come back to the summary."""
    pressed = FormEdit.parse(turn.data)
    return await turn.edit(pressed.step if pressed else "")


async def on_cancel_pressed(turn: Turn) -> None:
    """Asks before deleting the unfinished report (Cancel button or /cancel in a form);
    the conversation stays where it was."""
    rows = [[ui.button(_("🗑 Yes, delete it"), FormCancelConfirmed().pack())],
            [ui.button(_("↩️ No, continue"), FormResume().pack())]]
    await turn.send(_("Delete this unfinished report? Nothing will be sent."), ui.keyboard(rows))


async def on_cancel_confirmed(update: Update, context: HotlineContext) -> int:
    """Deletes the draft: nothing is sent."""
    draft = drafts.current(context)
    drafts.drop(context)
    if draft is not None and draft.phone_keyboard:
        await send_keyboard(update, context, _("Deleted."), ReplyKeyboardRemove())
    await ui.send_main_menu(update, context,
                            _("The unfinished report was deleted. Nothing was sent."))
    return END


async def on_unexpected_input(turn: Turn) -> State:
    """A message the current question cannot take: say what is needed, ask again."""
    step = turn.form.step(turn.draft.step)
    if turn.draft.step is None:
        return await no_draft(turn.update, turn.context)
    await turn.send(wrong_input_text(step.expects if step else "buttons"))
    return await turn.ask_again()


async def on_old_button(turn: Turn) -> State:
    """A button from an earlier question: show the current one again."""
    if turn.draft.step is None:
        return await no_draft(turn.update, turn.context)
    await turn.send(_("That button belongs to an earlier question. Here is the current one."))
    return await turn.ask_again()


async def on_elsewhere(update: Update, context: HotlineContext) -> int:
    """Another flow's command or menu button: leave the form (the draft stays) and go there."""
    await context.application.update_queue.put(update)
    return END


def handlers_outside(conversation: Sequence[BaseHandler]) -> list[BaseHandler]:
    """The conversation, and what works outside it (after a restart that lost the position,
    or a stale message): deleting the unfinished report."""
    return [*conversation, CallbackQueryHandler(on_cancel_confirmed,
                                                pattern=FormCancelConfirmed.pattern)]
