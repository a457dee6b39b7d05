"""Follow-ups on the staff side: staff set their own from a case's thread, list and cancel
them; the thread hears what returnees answered and which follow-ups could not be delivered.

/followup WHEN TEXT   WHEN: a duration (2h, 3d, 1w, 1d12h) or a date YYYY-MM-DD, which
                      goes out at followup_time.MORNING in TIMEZONE
/followups            the case's follow-ups still to go, with their ids
/followup_cancel ID   cancel one of them
Staff only, in the case's thread (the desk's own check); each is in the audit log.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.content import referrals
from bot.context import HotlineContext
from bot.i18n import N_, _, use_language
from bot.jobs import followup_time
from bot.settings import parse_duration
from domain.contact import can_message_returnee
from domain.khmer import clean_input
from flows import ui
from flows.desk import access as desk_access
from flows.desk import actions as desk_actions
from flows.desk import commands as desk_commands
from flows.desk.followup_texts import tell_thread
from flows.registry import Flow
from storage import desk, followups
from storage.desk import DeskCase, NotAllowed
from storage.followups import Followup

log = logging.getLogger(__name__)

LONGEST = timedelta(days=366)  # a follow-up further away than this is a typing mistake
EXAMPLE = "3d"  # kept out of the catalogs: not something to translate
STAFF_COMMANDS = [
    ("followup", N_("Follow-up: /followup 3d TEXT (or 2h, 1w, YYYY-MM-DD)")),
    ("followups", N_("Follow-ups still to go for this case")),
    ("followup_cancel", N_("Cancel a follow-up: /followup_cancel ID")),
]
KIND_NAMES = {
    "no_reply": N_("still in the queue (automatic)"),
    "after_referral": N_("did the organisation contact you? (automatic)"),
    "after_close": N_("is the problem solved? (automatic)"),
}
SATISFACTION_NAMES = {3: N_("happy"), 2: N_("OK"), 1: N_("not happy")}


def parse_when(word: str, now: datetime, context: HotlineContext) -> datetime | None:
    """'3d' -> now + 3 days; '2026-12-01' -> that morning; None if neither, past or too far."""
    word = clean_input(word)
    duration = parse_duration(word)
    if duration is not None:
        when = now + duration
    else:
        try:
            when = followup_time.morning_of(date.fromisoformat(word), context.settings.timezone)
        except ValueError:
            return None
    return when if now < when <= now + LONGEST else None


# -- staff commands -------------------------------------------------------------------------
async def on_followup_set(update: Update, context: HotlineContext) -> None:
    """/followup WHEN TEXT: a message to the returnee later, in staff's words."""
    dc = await desk_commands.staff_case(update, context)
    if dc is None:
        return
    message = ui.message_of(update)
    _command, _space, rest = (message.text or "").partition(" ")
    word, _space, text = rest.strip().partition(" ")
    now = followup_time.now(context.bot_data)
    when = parse_when(word, now, context) if word else None
    if when is None or not text.strip():
        await message.reply_text(
            _("Write it like /followup {example} Did the employer pay you? (also 2h, 1w or a "
              "date YYYY-MM-DD; within a year)").format(example=EXAMPLE))
        return
    if len(text.strip()) > followups.STAFF_TEXT_LIMIT:
        await message.reply_text(
            _("That is too long for a follow-up: at most {limit} characters.").format(
                limit=followups.STAFF_TEXT_LIMIT))
        return
    if not can_message_returnee(dc.case):
        await desk_actions.say(context, dc, desk_actions.not_sent_reason(dc))
        return
    try:
        followup_id = await desk.schedule_followup(context.db, dc.id,
                                                   ui.user_of(update).id, when,
                                                   text.strip())
    except NotAllowed:
        followup_id = None
    if followup_id is None:  # closed or no contact wanted meanwhile
        await desk_actions.say(context, dc, desk_actions.not_sent_reason(await _reload(context, dc)))
        return
    await desk_actions.say(context, dc, _(
        "⏰ Follow-up #{id} for {ref} will go out {when}. /followups lists them; "
        "/followup_cancel {id} cancels it.").format(
        id=followup_id, ref=dc.reference,
        when=followup_time.local_text(when, context.settings.timezone)))


async def on_followups_listed(update: Update, context: HotlineContext) -> None:
    """/followups: the case's follow-ups still to go."""
    dc = await desk_commands.staff_case(update, context)
    if dc is None:
        return
    pending = await followups.of_case(context.db, dc.id)
    if not pending:
        await desk_actions.say(context, dc, _("No follow-ups are waiting for {ref}.").format(
            ref=dc.reference))
        return
    lines = [_("Follow-ups still to go for {ref}:").format(ref=dc.reference)]
    for row in pending:
        lines.append(f"#{row.id} · {followup_time.local_text(row.due, context.settings.timezone)}"
                     f" · {await describe(context, row)}")
    await desk_actions.say(context, dc, "\n".join(lines)[:4000])


async def describe(context: HotlineContext, row: Followup) -> str:
    if row.kind != "staff":
        return _(KIND_NAMES[row.kind])
    who = await desk_access.staff_name(context, row.created_by)
    text = row.text or ""
    text = text if len(text) <= 80 else text[:79] + "…"
    return f"{who}: {text}"


async def on_followup_cancelled(update: Update, context: HotlineContext) -> None:
    """/followup_cancel ID: that follow-up will not go out."""
    dc = await desk_commands.staff_case(update, context)
    if dc is None:
        return
    word = clean_input((context.args or [""])[0]).lstrip("#")
    if word.isdigit() and await desk.cancel_followup(context.db, dc.id,
                                                     ui.user_of(update).id, int(word)):
        await desk_actions.say(context, dc, _("🗑 Follow-up #{id} for {ref} is cancelled.").format(
            id=word, ref=dc.reference))
        return
    await ui.message_of(update).reply_text(
        _("{ref} has no follow-up waiting with that number. /followups lists them.").format(
            ref=dc.reference))


async def _reload(context: HotlineContext, dc: DeskCase) -> DeskCase:
    return await desk.get(context.db, dc.id) or dc


# -- what the thread hears --------------------------------------------------------------------
async def tell_staff_answer(context: HotlineContext, dc: DeskCase, row: Followup, answer: str,
                            reopened: bool) -> None:
    """What the returnee answered to a check: No and I need help call the staff on duty."""
    ref = dc.reference
    with use_language(context.settings.staff_language):
        partner = referrals.partner(context.directory, dc.referred_to)
        organisation = partner.name if partner else "-"
        if reopened and answer == "help":
            text = _("🔓 {ref} is open again: the returnee answered a follow-up that they need "
                     "help again. Please write to them.")
        elif reopened:
            text = _("🔓 {ref} is open again: the returnee says the problem is not solved.")
        elif answer == "help":
            text = _("🆘 {ref}: the returnee answered a follow-up that they need help. Please "
                     "write to them.")
        elif row.kind == "after_referral" and answer == "yes":
            text = _("📋 {ref}: the returnee says {organisation} contacted them.")
        elif row.kind == "after_referral":
            text = _("⚠️ {ref}: the returnee says {organisation} has NOT contacted them. "
                     "Please follow up.")
        elif answer == "yes":
            text = _("📋 {ref}: the returnee says the problem is solved.")
        else:
            text = _("⚠️ {ref}: the returnee says the problem is not solved.")
        text = text.format(ref=ref, organisation=organisation)
    await tell_thread(context, dc, text, call_on_duty=answer != "yes")


async def tell_staff_satisfaction(context: HotlineContext, dc: DeskCase, level: int) -> None:
    with use_language(context.settings.staff_language):
        text = _("📋 {ref}: the returnee is {level} with the hotline's help.").format(
            ref=dc.reference, level=_(SATISFACTION_NAMES[level]))
    await tell_thread(context, dc, text)


def handlers(exits: Sequence[BaseHandler]) -> list[BaseHandler]:
    commands = {"followup": on_followup_set, "followups": on_followups_listed,
                "followup_cancel": on_followup_cancelled}
    return [CommandHandler(name, callback, filters=desk_commands.GROUPS)
            for name, callback in commands.items()]


FLOW = Flow(name="desk_followups", handlers=handlers)
