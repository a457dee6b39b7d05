"""The safety questions of every report form, and what happens when a report turns urgent.

The rules are in bot/content/screener.py (pure); this module declares the step that asks its
questions (`Safety`, key "screener", in the wage claim and the grievance), and the form's
after-answer check that shows the emergency numbers the moment a report becomes urgent:
after a yes or no that is a warning sign, after "Documents the employer kept" in the wage
claim, after a category that says so, or after words that point to danger
(data/screener_phrases.csv).
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.content import screener
from bot.context import HotlineContext
from bot.i18n import N_, _
from flows import ui
from flows.callbacks import SafetyAnswered
from flows.forms.draft import Draft
from flows.forms.form import State, Step, Turn, Wrap


@functools.cache
def phrases() -> screener.Phrases:
    """data/screener_phrases.csv, read on first use, once HOTLINE_DATA_DIR is known (bot/cli.py
    reads it at start-up too, so a malformed file stops start-up)."""
    return screener.load_phrases()


def assess(draft: Draft) -> screener.Assessment:
    return screener.assess(draft.kind, draft.answers.as_dict(), phrases())


def is_urgent(draft: Draft) -> bool:
    return assess(draft).urgent


async def warn_if_newly_urgent(turn: Turn) -> None:
    """After every answer: the emergency numbers at once when the report has just become
    urgent (a draft from before this check only learns where it stands)."""
    urgent = is_urgent(turn.draft)
    if turn.draft.urgent is False and urgent:
        await turn.send(emergency_text(turn.context))
    turn.draft.urgent = urgent


def emergency_text(context: HotlineContext) -> str:
    lines = [_("⚠️ This can be serious. Your report will be marked urgent for hotline staff."),
             "", _("If you or someone else is in danger now, call:"), _("In Cambodia:")]
    lines += [ui.contact_line(c) for c in context.directory.emergency("KH")]
    lines += [_("In Thailand:")]
    lines += [ui.contact_line(c) for c in context.directory.emergency("TH")]
    return "\n".join(lines)


def reasons_text(keys: Iterable[str]) -> str:
    return ", ".join(_(screener.INDICATORS[key]) for key in keys if key in screener.INDICATORS)


@dataclass(frozen=True, kw_only=True)
class Safety(Step):
    """Yes/no questions, one at a time (bot/content/screener.py says which are still worth asking)."""

    key: str = "screener"
    label: str = N_("Safety questions")

    def questions(self, draft: Draft) -> list[screener.Question]:
        return screener.questions_for(draft.kind, draft.answers.as_dict())

    def index(self, draft: Draft) -> int:
        return min(draft.screen_i, len(self.questions(draft)) - 1)

    def answered(self, draft: Draft) -> bool:
        return all(q.key in draft.answers.screener for q in self.questions(draft))

    async def ask(self, turn: Turn) -> None:
        index, asked = self.index(turn.draft), self.questions(turn.draft)
        text = _("Question {number} of {total}:").format(number=index + 1, total=len(asked))
        text += " " + _(asked[index].text)
        if index == 0:
            text = _("A few yes or no questions, so that staff can act fast if you are in "
                     "danger.") + "\n\n" + text
        key = asked[index].key
        await turn.question(self.key, text, [[ui.button(_("Yes"), SafetyAnswered(key, "yes").pack()),
                                              ui.button(_("No"), SafetyAnswered(key, "no").pack())]])

    def handlers(self, wrap: Wrap) -> list[BaseHandler]:
        return [CallbackQueryHandler(wrap(self.on_answered), pattern=SafetyAnswered.pattern)]

    def describe(self, draft: Draft) -> str | None:
        if not self.answered(draft):
            return None
        found = assess(draft)
        if not found.urgent:
            return _("no warning sign")
        return _("⚠️ urgent: {reasons}").format(reasons=reasons_text(found.reasons()))

    def back(self, draft: Draft) -> bool:
        if draft.screen_i > 0:
            draft.screen_i = self.index(draft) - 1
            return True
        return False

    async def on_answered(self, turn: Turn) -> State:
        """Stores one yes/no; the first warning sign shows the emergency numbers straight away."""
        pressed = SafetyAnswered.parse(turn.data)
        draft = turn.draft
        index, asked = self.index(draft), self.questions(draft)
        if pressed is None or asked[index].key != pressed.question:
            return await turn.ask(self.key)  # a button of an earlier question: ask the current one
        draft.answers.screener[pressed.question] = pressed.answer
        if index + 1 < len(asked):
            draft.screen_i = index + 1
            await turn.answered()
            return await turn.ask(self.key)
        draft.screen_i = 0
        return await turn.advance(self.key)
