"""Report forms as declarations, and the moves every form makes.

A form is `Form(kind, steps=[...])`: a list of step declarations (flows/forms/form_steps.py:
Choice, MultiChoice, YesNo, Number, Amount, Text, Files, Month, Phone; the safety
questions in flows/forms/screening.py), each with its texts, its condition (`when`), what it
clears and its limits. flows/forms/form_conversation.py runs any form: each update becomes a
`Turn` (the update, the context and the draft), the step's handler stores the answer
and the turn moves on (`advance`), asks again, goes back or shows the summary.

The conversation waits for step `key` in the state "ask_<key>" (the summary: "summary");
those names are persisted, so a person mid-form keeps their place across versions.
"""
from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import BaseHandler, ConversationHandler

from bot.context import HotlineContext
from bot.i18n import _
from flows import ui
from flows.callbacks import FormBack, FormCancel, FormConfirm, FormEdit, FormSkip
from flows.forms import draft as drafts
from flows.forms.draft import Draft

END = ConversationHandler.END
SUMMARY = "summary"
State = int | str
Row = list[InlineKeyboardButton]
Handler = Callable[["Turn"], Awaitable[State | None]]  # None: the conversation stays put
PTBCallback = Callable[[Update, HotlineContext], Coroutine[Any, Any, State | None]]
Wrap = Callable[[Handler], PTBCallback]  # a step's handler as a PTB callback, with its turn
# What a step takes, so a wrong kind of message is told what is needed (wrong_input_text).
Expects = Literal["buttons", "text", "text_or_voice", "files", "contact", "number"]

current = drafts.current  # the person's unfinished report, or None (for other flows)


def state_of(key: str) -> str:
    """The ConversationHandler state in which the form waits for step `key`."""
    return key if key == SUMMARY else f"ask_{key}"


def always(draft: Draft) -> bool:
    return True


@dataclass(frozen=True)
class Option:
    """A button answer: the value stored (also in the callback data) and its label."""

    value: str
    label: str  # an N_() msgid, or a name shown as it is (`named`)
    named: bool = False  # a place name from a data file, already in the person's language
    prompt: str | None = None  # an N_() msgid: the button only asks to type the answer

    def text(self) -> str:
        return self.label if self.named else _(self.label)


@dataclass(frozen=True, kw_only=True)
class Step(ABC):
    """What every kind of step declares; the kinds (flows/forms/form_steps.py, form_pages.py,
    screening.py) add their texts and limits, and how they ask and listen."""

    key: str  # the answer's name in Answers, and of the conversation state
    label: str = ""  # N_() msgid: the field's name on the summary and its Edit button
    parent: str | None = None  # asked again after its parent is edited; no Edit button
    when: Callable[[Draft], bool] = always
    optional: bool = False  # answered once asked (skipped, or asked once per person)
    shows: Callable[[Draft], str | None] | None = None  # the summary's value, if not the default
    expects: Expects = "buttons"
    reply_keyboard: bool = False  # leaves a keyboard showing (the phone step)

    @abstractmethod
    async def ask(self, turn: Turn) -> None:
        """Send the question (its buttons or keyboard) for this step."""

    @abstractmethod
    def handlers(self, wrap: Wrap) -> list[BaseHandler]:
        """What this step's conversation state listens to."""

    def describe(self, draft: Draft) -> str | None:
        return self.shows(draft) if self.shows else None

    def back(self, draft: Draft) -> bool:
        """Steps with inner pages go back inside first (True: they moved)."""
        return False

    def answered(self, draft: Draft) -> bool:
        return self.optional or draft.answers.get(self.key) not in (None, "", [])


AfterAnswer = Callable[["Turn"], Awaitable[None]]


@dataclass(frozen=True)
class Form:
    kind: str  # "W" or "G", as stored on the case
    steps: Sequence[Step]
    after_answer: AfterAnswer | None = None  # e.g. the emergency numbers once urgent
    _by_key: dict[str, Step] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key = {step.key: step for step in self.steps}
        if len(by_key) != len(self.steps):
            raise ValueError(f"form {self.kind}: a step key is used twice")
        object.__setattr__(self, "_by_key", by_key)

    def step(self, key: str | None) -> Step | None:
        return self._by_key.get(key or "")

    def active(self, draft: Draft) -> list[Step]:
        return [step for step in self.steps if step.when(draft)]

    def missing(self, draft: Draft) -> Step | None:
        """The first active step still without an answer."""
        return next((s for s in self.active(draft) if not s.answered(draft)), None)

    def descends_from(self, step: Step, ancestor: str) -> bool:
        parent = step.parent
        while parent is not None:
            if parent == ancestor:
                return True
            found = self._by_key.get(parent)
            parent = found.parent if found else None
        return False


class Turn:
    """One update inside a form: what the step handlers read, store and answer with."""

    def __init__(self, update: Update, context: HotlineContext, draft: Draft,
                 forms: Mapping[str, Form]) -> None:
        self.update, self.context, self.draft, self.forms = update, context, draft, forms
        self._dropped = False

    @property
    def form(self) -> Form:
        return self.forms[self.draft.kind]

    @property
    def data(self) -> str:
        """The pressed button's callback data ("" for a message)."""
        query = self.update.callback_query
        return query.data or "" if query is not None else ""

    @property
    def message(self) -> Message:
        message = self.update.effective_message
        if message is None:
            raise RuntimeError("a form update without a message")
        return message

    @property
    def person_id(self) -> int:
        user = self.update.effective_user
        if user is None:
            raise RuntimeError("a form update without a person")
        return user.id

    # -- the draft -------------------------------------------------------------------
    def replace(self, draft: Draft) -> None:
        """Another draft takes over (unpaid wages chosen in the grievance)."""
        self.draft, self._dropped = draft, False

    def drop(self) -> None:
        self._dropped = True
        drafts.drop(self.context)

    def save(self) -> None:
        if not self._dropped:
            drafts.save(self.context, self.draft)

    @contextlib.contextmanager
    def kept(self) -> Iterator[Turn]:
        """The draft is written back however the turn ends: an answer stored before
        Telegram failed to take the next question is not lost."""
        try:
            yield self
        finally:
            self.save()

    # -- answering -------------------------------------------------------------------
    async def send(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        await ui.send(self.update, self.context, text, markup)

    async def question(self, key: str, text: str, rows: Sequence[Row] = ()) -> None:
        """Send a question with its buttons and the navigation rows."""
        await self.send(text, ui.keyboard([*rows, *self.nav_rows(key)]))

    def nav_rows(self, key: str) -> list[Row]:
        """Cancel, then Back (unless this is the first question) and Main menu."""
        back = None if self.is_first(key) else FormBack().pack()
        return [[ui.button(_("✖️ Cancel this report"), FormCancel().pack())], ui.nav_row(back=back)]

    def is_first(self, key: str) -> bool:
        active = self.form.active(self.draft)
        return bool(active) and active[0].key == key and not self.draft.editing

    async def typed_text(self, limit: int) -> str:
        return await typed_text(self.update, self.context, limit)

    async def close_phone_keyboard(self, text: str | None = None) -> None:
        """Remove the share-contact keyboard if the phone step left it showing."""
        if self.draft.phone_keyboard:
            self.draft.phone_keyboard = False
            await send_keyboard(self.update, self.context, text or _("No phone number was saved."),
                                ReplyKeyboardRemove())

    # -- moving through the form -------------------------------------------------------
    async def ask(self, key: str) -> State:
        """Ask step `key` (or show the summary) and wait for its answer."""
        step = self.form.step(key)
        if step is None or not step.reply_keyboard:
            await self.close_phone_keyboard()
        self.draft.step = key
        if step is None:
            await show_summary(self)
            return state_of(SUMMARY)
        await step.ask(self)
        return state_of(key)

    async def ask_again(self) -> State:
        return await self.ask(self.draft.step or self.form.steps[0].key)

    async def answered(self) -> None:
        """An answer was stored: what the form does after every answer (e.g. a warning)."""
        if self.form.after_answer is not None:
            await self.form.after_answer(self)

    async def advance(self, done: str) -> State:
        """After step `done` was answered: the next question, or the summary.

        When a field is being edited from the summary, only its own follow-up steps
        (e.g. group size after 'who') are asked before going back to the summary.
        """
        await self.answered()
        form, draft = self.form, self.draft
        keys = [s.key for s in form.steps]
        for step in form.steps[keys.index(done) + 1:]:
            if not step.when(draft):
                continue
            if draft.editing and not form.descends_from(step, done):
                break
            return await self.ask(step.key)
        return await self.ask(SUMMARY)

    async def go_back(self) -> State:
        """One question back (inner pages first); from an edit, back to the summary."""
        key, draft = self.draft.step, self.draft
        step = self.form.step(key)
        if step is not None and step.back(draft):
            return await self.ask(step.key)
        if draft.editing:
            return await self.ask(SUMMARY)
        active = [s.key for s in self.form.active(draft)]
        position = active.index(key) if key in active else len(active)
        return await self.ask(active[max(position - 1, 0)])

    async def edit(self, key: str) -> State:
        """From the summary: ask that field again, then come back to the summary."""
        if key not in {s.key for s in self.form.active(self.draft) if s.parent is None}:
            return await self.ask(SUMMARY)
        self.draft.editing = True
        return await self.ask(key)


async def send_keyboard(update: Update, context: HotlineContext, text: str,
                        markup: ReplyKeyboardMarkup | ReplyKeyboardRemove) -> None:
    """Like ui.send, with a keyboard under the typing field (or its removal)."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    chat = update.effective_chat
    if chat is None:
        raise RuntimeError("a form update without a chat")
    await context.bot.send_message(chat.id, text, reply_markup=markup)


def skip_button(label: str | None = None) -> InlineKeyboardButton:
    return ui.button(label or _("⏭ Skip"), FormSkip().pack())


async def typed_text(update: Update, context: HotlineContext, limit: int) -> str:
    """The message's text, cut to `limit` characters with a clear note when longer."""
    message = update.effective_message
    text = ((message.text if message else None) or "").strip()
    if len(text) > limit:
        text = text[:limit]
        await ui.send(update, context, _(
            "Your message was long, so I kept the first {limit} characters. "
            "You can send more later in My cases."
        ).format(limit=limit))
    return text


def wrong_input_text(expects: Expects) -> str:
    return {
        "buttons": _("Please choose one of the buttons below."),
        "text": _("Please type your answer as a text message."),
        "text_or_voice": _("Please type it as a text message or send a voice note."),
        "files": _("Please send photos, documents or voice notes here, or press Done."),
        "contact": _("Please press the button below to share your number, or type it."),
        "number": _("Please type a number, for example 12."),
    }[expects]


# -- the summary -------------------------------------------------------------------
def summary_lines(form: Form, draft: Draft) -> list[str]:
    """'• Field: value' for every answered top-level step of the form."""
    lines = []
    for step in form.active(draft):
        value = step.describe(draft) if step.parent is None else None
        if value:
            lines.append(_("• {label}: {value}").format(label=_(step.label), value=value))
    return lines


async def show_summary(turn: Turn) -> None:
    draft = turn.draft
    draft.step, draft.editing = SUMMARY, False
    text = "\n".join([
        _("Please check your report:"), "", *summary_lines(turn.form, draft), "",
        _("Is everything right? Press Confirm to send it to hotline staff, "
          "or press a field to change it."),
    ])
    edits = [ui.button("✏️ " + _(step.label), FormEdit(step.key).pack())
             for step in turn.form.active(draft) if step.parent is None]
    rows = [[ui.button(_("✅ Confirm and send"), FormConfirm(draft.id).pack())],
            *(edits[i:i + 2] for i in range(0, len(edits), 2))]
    await turn.send(cut(text), ui.keyboard([*rows, *turn.nav_rows(SUMMARY)]))


def cut(text: str, limit: int = ui.MESSAGE_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shorten(text: str | None, limit: int = 300) -> str | None:
    return cut(text, limit) if text else text


def label_of(options: Sequence[Option], value: object) -> str | None:
    """The label of the option with this value (None when none has it)."""
    return next((option.text() for option in options if option.value == value), None)
