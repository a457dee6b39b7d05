"""The kinds of step a report form is made of, each with its question and its handlers.

A step stores its answer in `draft.answers.<key>` and moves on with `turn.advance`;
a wrong answer is told what is needed and the question stays. Buttons use the callback
kinds of flows/callbacks.py ("Report forms"); a button whose value is not one of the
step's answers (forged, or from an older version) asks the question again.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol, cast

from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.i18n import _, format_money
from domain.amounts import parse_amount, parse_count
from flows import ui
from flows.callbacks import Callback, FormKeep, FormSkip, OwedTicked
from flows.forms.draft import Draft
from flows.forms.form import (
    Expects,
    Option,
    Row,
    State,
    Step,
    Turn,
    Wrap,
    shorten,
    skip_button,
    state_of,
)
from storage.db import Database

# New messages only: an edited earlier message is not an answer to the current question.
NEW = filters.UpdateType.MESSAGE
TEXT = NEW & filters.TEXT & ~filters.COMMAND
VOICE = NEW & filters.VOICE
Remember = Callable[[Database, int, str], Awaitable[None]]  # stored on the person too


class AnswerKind(Protocol):
    """A callback kind of one step's answers ("rp:<step>:<value>", flows/callbacks.py)."""

    pattern: re.Pattern[str]

    def __call__(self, value: str) -> Callback: ...

    def parse(self, data: object) -> Callback | None: ...


class _Answer(Protocol):
    value: str  # every answer kind ("rp:<step>:<value>") has this field


def picked(button: AnswerKind, data: str) -> str | None:
    """The value of an answer button of this kind ("rp:<step>:<value>")."""
    parsed = button.parse(data)
    return None if parsed is None else cast(_Answer, parsed).value


def grid(buttons: Sequence[ui.InlineKeyboardButton], per_row: int) -> list[Row]:
    return [list(buttons[i:i + per_row]) for i in range(0, len(buttons), per_row)]


# -- buttons --------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Choice(Step):
    """One button answer; `clears` empties answers that no longer apply after a value."""

    button: AnswerKind
    question: str  # N_() msgid
    options: Sequence[Option] | Callable[[Draft], Sequence[Option]]
    per_row: int = 1
    below: Sequence[Option] = ()  # one to a row, after the others ("Another province")
    clears: Mapping[str, Sequence[str]] = field(default_factory=dict)
    accepts: Callable[[str], bool] | None = None  # values allowed beyond the buttons shown
    typed: Callable[[str], str | None] | None = None  # a typed answer, as a value
    typed_error: str = ""  # N_() msgid: the typed answer was not understood
    remember: Remember | None = None
    switch: Mapping[str, str] = field(default_factory=dict)  # value -> the form taking over

    def options_for(self, draft: Draft) -> Sequence[Option]:
        return self.options(draft) if callable(self.options) else self.options

    def rows(self, draft: Draft) -> list[Row]:
        buttons = [ui.button(o.text(), self.button(o.value).pack())
                   for o in self.options_for(draft)]
        return grid(buttons, self.per_row) + [
            [ui.button(o.text(), self.button(o.value).pack())]
            for o in self.below]

    async def ask(self, turn: Turn) -> None:
        await turn.question(self.key, _(self.question), self.rows(turn.draft))

    def handlers(self, wrap: Wrap) -> list[BaseHandler]:
        found: list[BaseHandler] = [
            CallbackQueryHandler(wrap(self.on_pressed), pattern=self.button.pattern)]
        if self.typed is not None:
            found.append(MessageHandler(TEXT, wrap(self.on_typed)))
        return found

    def describe(self, draft: Draft) -> str | None:
        if self.shows is not None:
            return self.shows(draft)
        options = [*self.options_for(draft), *self.below]
        return next((o.text() for o in options if o.value == draft.answers.get(self.key)), None)

    async def on_pressed(self, turn: Turn) -> State:
        value = picked(self.button, turn.data) or ""
        option = next((o for o in [*self.options_for(turn.draft), *self.below]
                       if o.value == value), None)
        if option is None and not (self.accepts and self.accepts(value)):
            return await turn.ask(self.key)  # an old or forged button
        if option is not None and option.prompt:
            await turn.send(_(option.prompt))
            return state_of(self.key)
        return await self.store(turn, value)

    async def on_typed(self, turn: Turn) -> State:
        value = self.typed(turn.message.text or "") if self.typed else None
        if value is None:
            await turn.send(_(self.typed_error))
            return await turn.ask(self.key)
        return await self.store(turn, value)

    async def store(self, turn: Turn, value: str) -> State:
        if value in self.switch:
            return await start_form(turn, self.switch[value])
        if self.remember is not None:
            await self.remember(turn.context.db, turn.person_id, value)
        turn.draft.answers.set(self.key, value)
        for name in self.clears.get(value, ()):
            turn.draft.answers.clear(name)
        return await turn.advance(self.key)


async def start_form(turn: Turn, kind: str) -> State:
    """Another form takes over, with what is known of the person."""
    old = turn.draft
    turn.replace(Draft(kind=kind, ask_gender=old.ask_gender, ask_home=old.ask_home))
    return await turn.ask(turn.form.steps[0].key)


@dataclass(frozen=True, kw_only=True)
class YesNo(Step):
    """Two buttons stored as True (the `true` option) or False."""

    button: AnswerKind
    question: str
    options: tuple[Option, Option]
    true: str  # the value of the option that means True
    then: Callable[[Draft], None] | None = None  # what the answer changes elsewhere

    async def ask(self, turn: Turn) -> None:
        rows = [[ui.button(o.text(), self.button(o.value).pack())]
                for o in self.options]
        await turn.question(self.key, _(self.question), rows)

    def handlers(self, wrap: Wrap) -> list[BaseHandler]:
        return [CallbackQueryHandler(wrap(self.on_pressed), pattern=self.button.pattern)]

    def describe(self, draft: Draft) -> str | None:
        value = draft.answers.get(self.key)
        if value is None:
            return None
        false = next(o.value for o in self.options if o.value != self.true)
        return next(o.text() for o in self.options if o.value == (self.true if value else false))

    async def on_pressed(self, turn: Turn) -> State:
        value = picked(self.button, turn.data)
        if value not in {o.value for o in self.options}:
            return await turn.ask(self.key)
        turn.draft.answers.set(self.key, value == self.true)
        if self.then is not None:
            self.then(turn.draft)
        return await turn.advance(self.key)


@dataclass(frozen=True, kw_only=True)
class MultiChoice(Step):
    """Ticks on one message (edited in place), then Next; at least one is needed."""

    button: type[OwedTicked]
    question: str
    options: Sequence[Option]
    next_label: str
    none_ticked: str  # N_() msgid

    def markup(self, turn: Turn) -> ui.InlineKeyboardMarkup:
        chosen = set(turn.draft.answers.get(self.key) or [])
        rows = [[ui.button(("✅ " if o.value in chosen else "▫️ ") + o.text(),
                           self.button(o.value).pack())] for o in self.options]
        rows.append([ui.button(_(self.next_label), self.button("next").pack())])
        return ui.keyboard([*rows, *turn.nav_rows(self.key)])

    async def ask(self, turn: Turn) -> None:
        await turn.send(_(self.question), self.markup(turn))

    def handlers(self, wrap: Wrap) -> list[BaseHandler]:
        return [CallbackQueryHandler(wrap(self.on_pressed), pattern=self.button.pattern)]

    def describe(self, draft: Draft) -> str | None:
        labels = {o.value: o.text() for o in self.options}
        return ", ".join(labels[v] for v in draft.answers.get(self.key) or [] if v in labels) \
            or None

    async def on_pressed(self, turn: Turn) -> State:
        value = picked(self.button, turn.data)
        answers = turn.draft.answers
        if value == "next":
            if not answers.get(self.key):
                await turn.send(_(self.none_ticked))
                return await turn.ask(self.key)
            return await turn.advance(self.key)
        if value not in {o.value for o in self.options}:
            return await turn.ask(self.key)
        chosen = set(answers.get(self.key) or [])
        chosen ^= {value}
        answers.set(self.key, [o.value for o in self.options if o.value in chosen])
        query = turn.update.callback_query
        assert query is not None  # a button was pressed
        await query.answer()
        await query.edit_message_reply_markup(self.markup(turn))
        return state_of(self.key)


# -- typed answers ---------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Number(Step):
    """A whole number in a range: Khmer digits and words too ("១២ នាក់")."""

    question: str
    least: int
    most: int
    error: str  # N_() msgid with {most}
    expects: Expects = "number"

    async def ask(self, turn: Turn) -> None:
        await turn.question(self.key, _(self.question))

    def handlers(self, wrap: Wrap) -> list[BaseHandler]:
        return [MessageHandler(TEXT, wrap(self.on_typed))]

    async def on_typed(self, turn: Turn) -> State:
        count = parse_count(turn.message.text or "")
        if count is None or not self.least <= count <= self.most:
            await turn.send(_(self.error).format(most=self.most))
            return state_of(self.key)
        turn.draft.answers.set(self.key, count)
        return await turn.advance(self.key)


@dataclass(frozen=True, kw_only=True)
class Amount(Step):
    """An amount of money and its currency (baht unless another is named), or Skip."""

    question: str
    example: str  # N_() msgid: how to type an amount
    skip: str  # N_() msgid of the Skip button
    expects: Expects = "text"
    optional: bool = True

    async def ask(self, turn: Turn) -> None:
        await turn.question(self.key, _(self.question) + " " + _(self.example),
                            [[skip_button(_(self.skip))]])

    def handlers(self, wrap: Wrap) -> list[BaseHandler]:
        return [MessageHandler(TEXT, wrap(self.on_typed)),
                CallbackQueryHandler(wrap(self.on_skipped), pattern=FormSkip.pattern)]

    def describe(self, draft: Draft) -> str | None:
        amount, currency = draft.answers.amount, draft.answers.currency
        if not amount or not currency:
            return _("not known")
        return format_money(Decimal(amount), currency)

    async def on_typed(self, turn: Turn) -> State:
        amount = parse_amount(turn.message.text or "")
        if amount is None:
            await turn.send(_("I could not read that amount.") + " " + _(self.example))
            return await turn.ask(self.key)
        turn.draft.answers.amount, turn.draft.answers.currency = str(amount.value), amount.currency
        return await turn.advance(self.key)

    async def on_skipped(self, turn: Turn) -> State:
        turn.draft.answers.amount = turn.draft.answers.currency = None
        return await turn.advance(self.key)


@dataclass(frozen=True, kw_only=True)
class Text(Step):
    """Typed words cut to `limit`; optionally a voice note, Skip, or Keep what is there."""

    question: str
    limit: int
    field_name: str = ""  # the answer it fills, when not `key`
    skip: bool = False  # a Skip button
    skip_clears: bool = True  # Skip empties the answer (else it keeps what is there)
    voice: bool = False  # a voice note is an answer too (description_voice)
    keep: str = ""  # N_() msgid: asked instead when an answer is there ("{name}", "{story}")
    keep_as: str = "name"  # the placeholder of `keep` the answer goes into
    keep_label: str = ""
    summary_limit: int = 300
    not_given: str = ""  # N_() msgid shown on the summary when there is no answer
    expects: Expects = "text"

    @property
    def answer(self) -> str:
        return self.field_name or self.key

    async def ask(self, turn: Turn) -> None:
        draft = turn.draft
        value = (self.shows(draft) if self.shows else draft.answers.get(self.answer)) \
            if self.keep else None
        if value:
            await turn.question(self.key, _(self.keep).format(**{self.keep_as: value}),
                                [[ui.button(_(self.keep_label), FormKeep().pack())]])
        else:
            await turn.question(self.key, _(self.question),
                                [[skip_button()]] if self.skip else [])

    def handlers(self, wrap: Wrap) -> list[BaseHandler]:
        found: list[BaseHandler] = [MessageHandler(TEXT, wrap(self.on_typed))]
        if self.voice:
            found.append(MessageHandler(VOICE, wrap(self.on_spoken)))
        if self.skip:
            found.append(CallbackQueryHandler(wrap(self.on_skipped), pattern=FormSkip.pattern))
        if self.keep:
            found.append(CallbackQueryHandler(wrap(self.on_kept), pattern=FormKeep.pattern))
        return found

    def describe(self, draft: Draft) -> str | None:
        value = self.shows(draft) if self.shows else shorten(draft.answers.get(self.answer),
                                                              self.summary_limit)
        return value or (_(self.not_given) if self.not_given else None)

    def answered(self, draft: Draft) -> bool:
        answers = draft.answers
        return self.optional or bool(answers.get(self.answer)
                                     or (self.voice and answers.description_voice))

    async def on_typed(self, turn: Turn) -> State:
        turn.draft.answers.set(self.answer, await turn.typed_text(self.limit))
        if self.voice:
            turn.draft.answers.description_voice = None
        return await turn.advance(self.key)

    async def on_spoken(self, turn: Turn) -> State:
        voice = turn.message.voice
        assert voice is not None  # the handler's filter
        turn.draft.answers.description_voice = voice.file_id
        turn.draft.answers.set(self.answer, None)
        return await turn.advance(self.key)

    async def on_skipped(self, turn: Turn) -> State:
        if self.skip_clears:
            turn.draft.answers.set(self.answer, None)
        return await turn.advance(self.key)

    async def on_kept(self, turn: Turn) -> State:
        return await turn.advance(self.key)
