"""The machinery shared by the report forms (wage claim, grievance).

A form is an ordered list of Steps per kind ("W", "G"). Each step key has a
StepUI (registered by flows/intake_steps.py, wage_claim.py, grievance.py) that
asks the question and lists the handlers of its state, "ask_<key>".

The draft lives in user_data under DRAFT as plain JSON:
    {"id": <32 hex>, "kind": "W"|"G", "f": {field: value}, "evidence": [[kind, file_id, unique]],
     "step": <key or "summary">, "editing": bool, "ask_gender": bool, ...}
so it survives a restart with the conversation's position (persistence). Nothing
in it counts as reported until Confirm writes the case (flows/intake.py).
"""
from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import BaseHandler, ConversationHandler

from bot.context import HotlineContext
from bot.i18n import _
from flows import ui

END = ConversationHandler.END
DRAFT = "report_draft"
SUMMARY = "summary"
PREFIX = "rp"
CANCEL_DATA, BACK_DATA, SKIP_DATA = "rp:cancel", "rp:back", "rp:skip"
PHONE_KEYBOARD = "phone_keyboard"  # draft flag: a share-contact keyboard is showing


def state_of(key: str) -> str:
    """The ConversationHandler state in which the form waits for step `key`."""
    return key if key == SUMMARY else f"ask_{key}"


# -- steps and their order ---------------------------------------------------
def always(draft: dict) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    key: str
    parent: str | None = None  # asked again after its parent is edited; no Edit button
    when: Callable[[dict], bool] = always


@dataclass(frozen=True)
class StepUI:
    key: str
    label: str  # N_() msgid: the field's name on the summary and its Edit button
    ask: Callable[[Update, HotlineContext, dict], Awaitable[None]]
    handlers: Callable[[], list[BaseHandler]]
    expects: str  # what a wrong kind of message is told: a key of wrong_input_text()
    describe: Callable[[dict], str | None] = lambda draft: None
    back: Callable[[dict], bool] | None = None  # steps with inner pages go back inside first


STEPS: dict[str, StepUI] = {}
ORDERS: dict[str, list[Step]] = {}


def register(step_ui: StepUI) -> None:
    STEPS[step_ui.key] = step_ui


def order(kind: str) -> list[Step]:
    return ORDERS[kind]


def active_steps(draft: dict) -> list[Step]:
    return [step for step in order(draft["kind"]) if step.when(draft)]


# -- the draft -----------------------------------------------------------------
def new_draft(kind: str, *, ask_gender: bool, fields: dict | None = None) -> dict:
    return {"id": uuid.uuid4().hex, "kind": kind, "f": dict(fields or {}), "evidence": [],
            "step": None, "editing": False, "ask_gender": ask_gender}


def current(context: HotlineContext) -> dict | None:
    draft = context.user_data.get(DRAFT)
    return draft if isinstance(draft, dict) and draft.get("kind") in ORDERS else None


def fields(context: HotlineContext) -> dict:
    draft = current(context)
    assert draft is not None
    return draft["f"]


# -- moving through the form ---------------------------------------------------
async def ask(update: Update, context: HotlineContext, draft: dict, key: str) -> str:
    """Ask step `key` and wait for its answer."""
    if key != "phone":
        await close_phone_keyboard(update, context, draft)
    draft["step"] = key
    if key == SUMMARY:
        await show_summary(update, context, draft)
    else:
        await STEPS[key].ask(update, context, draft)
    return state_of(key)


async def advance(update: Update, context: HotlineContext, done: str) -> str:
    """After step `done` was answered: the next question, or the summary.

    When a field is being edited from the summary, only its own follow-up steps
    (e.g. group size after 'who') are asked before going back to the summary.
    """
    draft = current(context)
    assert draft is not None
    steps = order(draft["kind"])
    keys = [s.key for s in steps]
    for step in steps[keys.index(done) + 1:]:
        if not step.when(draft):
            continue
        if draft["editing"] and not _descends_from(step, done, steps):
            break
        return await ask(update, context, draft, step.key)
    return await ask(update, context, draft, SUMMARY)


async def go_back(update: Update, context: HotlineContext, draft: dict) -> str:
    """One question back (inner pages first); from an edit, back to the summary."""
    key = draft.get("step")
    step_ui = STEPS.get(key or "")
    if step_ui is not None and step_ui.back is not None and step_ui.back(draft):
        return await ask(update, context, draft, key)
    if draft["editing"]:
        return await ask(update, context, draft, SUMMARY)
    active = [s.key for s in active_steps(draft)]
    position = len(active) if key == SUMMARY or key not in active else active.index(key)
    if position == 0:
        return await ask(update, context, draft, active[0])
    return await ask(update, context, draft, active[position - 1])


def is_first(draft: dict, key: str) -> bool:
    active = active_steps(draft)
    return bool(active) and active[0].key == key and not draft["editing"]


def _descends_from(step: Step, ancestor: str, steps: list[Step]) -> bool:
    by_key = {s.key: s for s in steps}
    parent = step.parent
    while parent is not None:
        if parent == ancestor:
            return True
        parent = by_key[parent].parent if parent in by_key else None
    return False


# -- what every question shows ---------------------------------------------------
def nav_rows(draft: dict, key: str) -> list[list]:
    """Cancel, then Back (unless this is the first question) and Main menu."""
    back = None if is_first(draft, key) else BACK_DATA
    return [[ui.button(_("✖️ Cancel this report"), CANCEL_DATA)], ui.nav_row(back=back)]


def skip_button(label: str | None = None):
    return ui.button(label or _("⏭ Skip"), SKIP_DATA)


async def question(update: Update, context: HotlineContext, draft: dict, key: str, text: str,
                   rows: list[list] | None = None) -> None:
    """Send a question with its buttons and the navigation rows."""
    await ui.send(update, context, text, ui.keyboard([*(rows or []), *nav_rows(draft, key)]))


async def close_phone_keyboard(update: Update, context: HotlineContext, draft: dict,
                               text: str | None = None) -> None:
    """Remove the share-contact keyboard if the phone step left it showing."""
    if draft.get(PHONE_KEYBOARD):
        draft[PHONE_KEYBOARD] = False
        await ui.send(update, context, text or _("No phone number was saved."),
                      ReplyKeyboardRemove())


# -- typed text ------------------------------------------------------------------
async def typed_text(update: Update, context: HotlineContext, limit: int) -> str:
    """The message's text, cut to `limit` characters with a clear note when longer."""
    text = (update.effective_message.text or "").strip()
    if len(text) > limit:
        text = text[:limit]
        await ui.send(update, context, _(
            "Your message was long, so I kept the first {limit} characters. "
            "You can send more later in My cases."
        ).format(limit=limit))
    return text


def wrong_input_text(expects: str) -> str:
    return {
        "buttons": _("Please choose one of the buttons below."),
        "text": _("Please type your answer as a text message."),
        "text_or_voice": _("Please type it as a text message or send a voice note."),
        "files": _("Please send photos, documents or voice notes here, or press Done."),
        "contact": _("Please press the button below to share your number, or type it."),
        "number": _("Please type a number, for example 12."),
    }[expects]


# -- the summary -------------------------------------------------------------------
def summary_lines(draft: dict) -> list[str]:
    """'• Field: value' for every answered top-level step."""
    lines = []
    for step in active_steps(draft):
        if step.parent is not None:
            continue
        step_ui = STEPS[step.key]
        value = step_ui.describe(draft)
        if value:
            lines.append(_("• {label}: {value}").format(label=_(step_ui.label), value=value))
    return lines


def summary_edit_rows(draft: dict) -> list[list]:
    buttons = [
        ui.button("✏️ " + _(STEPS[step.key].label), f"rp:edit:{step.key}")
        for step in active_steps(draft) if step.parent is None
    ]
    return [buttons[i:i + 2] for i in range(0, len(buttons), 2)]


async def show_summary(update: Update, context: HotlineContext, draft: dict) -> None:
    draft["step"], draft["editing"] = SUMMARY, False
    text = "\n".join([
        _("Please check your report:"), "", *summary_lines(draft), "",
        _("Is everything right? Press Confirm to send it to hotline staff, "
          "or press a field to change it."),
    ])
    rows = [[ui.button(_("✅ Confirm and send"), f"rp:confirm:{draft['id']}")],
            *summary_edit_rows(draft)]
    await ui.send(update, context, _cut(text), ui.keyboard([*rows, *nav_rows(draft, SUMMARY)]))


def _cut(text: str) -> str:
    return text if len(text) <= ui.MESSAGE_LIMIT else text[: ui.MESSAGE_LIMIT - 1] + "…"


# -- fields shown in the summary --------------------------------------------------
def shorten(text: str | None, limit: int = 300) -> str | None:
    if not text:
        return text
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Choice:
    """A button answer: the value stored (also in callback data) and its N_() label."""

    value: str
    label: str


def choice_rows(choices: list[Choice], prefix: str, per_row: int = 1,
                marked: set[str] | None = None) -> list[list]:
    """Buttons '<prefix>:<value>', per_row to a row; `marked` values get a tick."""
    buttons = []
    for choice in choices:
        tick = ("✅ " if choice.value in marked else "▫️ ") if marked is not None else ""
        buttons.append(ui.button(tick + _(choice.label), f"{prefix}:{choice.value}"))
    return [buttons[i:i + per_row] for i in range(0, len(buttons), per_row)]


def label_of(choices: list[Choice], value: str | None) -> str | None:
    for choice in choices:
        if choice.value == value:
            return _(choice.label)
    return None
