"""The safety questions of every report form, and what happens when a report turns urgent.

The rules are in bot/screener.py (pure); this module asks its questions (step
"screener", in the wage claim and the grievance), and shows the emergency numbers
the moment a report becomes urgent: after a yes or no that is a warning sign, after
"Documents the employer kept" in the wage claim, after a category that says so,
or after a description whose words point to danger (data/screener_phrases.csv).
"""
from __future__ import annotations

import functools

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot import screener
from bot.context import HotlineContext
from bot.i18n import N_, _
from flows import form, start, ui
from flows.form import Choice, StepUI

YES_NO = [Choice("yes", N_("Yes")), Choice("no", N_("No"))]


@functools.cache
def phrases() -> screener.Phrases:
    """data/screener_phrases.csv, read on first use, once HOTLINE_DATA_DIR is known (bot/cli.py
    reads it at start-up too, so a malformed file stops start-up)."""
    return screener.load_phrases()


def assess(draft: dict) -> screener.Assessment:
    return screener.assess(draft["kind"], draft["f"], phrases())


def is_urgent(draft: dict) -> bool:
    return assess(draft).urgent


async def warn_if_newly_urgent(update: Update, context: HotlineContext, draft: dict,
                               was_urgent: bool) -> None:
    """Shows the emergency numbers at once when the last answer made the report urgent."""
    if not was_urgent and is_urgent(draft):
        await ui.send(update, context, emergency_text(context))


def emergency_text(context: HotlineContext) -> str:
    lines = [_("⚠️ This can be serious. Your report will be marked urgent for hotline staff."),
             "", _("If you or someone else is in danger now, call:"), _("In Cambodia:")]
    lines += [start.contact_line(c) for c in context.directory.emergency("KH")]
    lines += [_("In Thailand:")]
    lines += [start.contact_line(c) for c in context.directory.emergency("TH")]
    return "\n".join(lines)


def questions(draft: dict) -> list[screener.Question]:
    return screener.questions_for(draft["kind"], draft["f"])


def answered(draft: dict) -> bool:
    answers = draft["f"].get("screener") or {}
    return all(q.key in answers for q in questions(draft))


def _index(draft: dict) -> int:
    return min(draft.get("screen_i", 0), len(questions(draft)) - 1)


async def ask_screener(update: Update, context: HotlineContext, draft: dict) -> None:
    index, asked = _index(draft), questions(draft)
    text = _("Question {number} of {total}:").format(number=index + 1, total=len(asked))
    text += " " + _(asked[index].text)
    if index == 0:
        text = _("A few yes or no questions, so that staff can act fast if you are in danger.") \
            + "\n\n" + text
    # The question's key is in the button: an old button of another question changes nothing.
    await form.question(update, context, draft, "screener", text,
                        form.choice_rows(YES_NO, f"rp:scr:{asked[index].key}", per_row=2))


async def on_screener_answered(update: Update, context: HotlineContext) -> str:
    """Stores one yes/no; the first warning sign shows the emergency numbers straight away."""
    key, answer = update.callback_query.data.split(":")[2:4]
    draft = form.current(context)
    index, asked = _index(draft), questions(draft)
    if asked[index].key != key:  # a button of an earlier question: ask the current one
        return await form.ask(update, context, draft, "screener")
    was_urgent = is_urgent(draft)
    draft["f"].setdefault("screener", {})[asked[index].key] = answer
    await warn_if_newly_urgent(update, context, draft, was_urgent)
    if index + 1 < len(asked):
        draft["screen_i"] = index + 1
        return await form.ask(update, context, draft, "screener")
    draft["screen_i"] = 0
    return await form.advance(update, context, "screener")


def describe_screener(draft: dict) -> str | None:
    if not answered(draft):
        return None
    found = assess(draft)
    if not found.urgent:
        return _("no warning sign")
    return _("⚠️ urgent: {reasons}").format(reasons=reasons_text(found.reasons()))


def reasons_text(keys) -> str:
    return ", ".join(_(screener.INDICATORS[key]) for key in keys if key in screener.INDICATORS)


def back_in_screener(draft: dict) -> bool:
    if draft.get("screen_i", 0) > 0:
        draft["screen_i"] = _index(draft) - 1
        return True
    return False


form.register(StepUI(
    key="screener", label=N_("Safety questions"), ask=ask_screener, expects="buttons",
    back=back_in_screener,
    handlers=lambda: [CallbackQueryHandler(on_screener_answered,
                                           pattern="^rp:scr:[a-z_]+:(yes|no)$")],
    describe=describe_screener,
))
