"""Staff commands in the staff group, read into the actions of flows/desk/actions.py.

In a case's thread: /claim /unassign /waiting /reopen /refer KEY /intouch KEY
/close OUTCOME [AMOUNT CURRENCY] /escalate LEVEL REASON /note TEXT. Anywhere in the group:
/case REF, the case lists (flows/desk/lists.py), the figures (flows/desk/reports.py) and
/redact (flows/desk/redact.py). A file whose caption starts with "/" is read as the command
it names (a /note with a photo keeps the photo with the note).
"""
from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import filters

from bot.context import HotlineContext
from bot.i18n import N_, _
from domain.amounts import names_currency, parse_amount
from flows import ui
from flows.desk import access as desk_access
from flows.desk import actions as desk_actions
from flows.desk import lists as desk_lists
from flows.desk import messages as desk_messages
from flows.desk import redact as desk_redact
from flows.desk import reports as desk_reports
from flows.forms.intake_steps import evidence_of
from storage import desk
from storage.desk import DeskCase

Command = Callable[[Update, HotlineContext], Coroutine[Any, Any, None]]

# New messages only: an edited message must not reach the returnee (or add a note) twice.
GROUPS = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
EXAMPLE_REFERENCE = "W-0001"  # outside the catalogs: not something to translate
STAFF_COMMANDS = [  # listed in the staff group's command menu (bot/desk_setup.py)
    ("claim", N_("Take the case in this thread")),
    ("unassign", N_("Give the case back")),
    ("waiting", N_("Waiting for the returnee")),
    ("refer", N_("Refer: /refer KEY")),
    ("intouch", N_("Record that you put the returnee in touch: /intouch KEY")),
    ("close", N_("Close: /close OUTCOME [AMOUNT CURRENCY]")),
    ("reopen", N_("Open a closed case again")),
    ("escalate", N_("Escalate: /escalate LEVEL REASON")),
    ("note", N_("Internal note, never sent")),
    ("case", N_("Show a case card: /case REF")),
    ("search", N_("Find cases: /search TEXT [status: province: kind: mine]")),
    ("cases", N_("Open cases, urgent and newest first")),
    ("mine", N_("Cases assigned to me")),
    ("stats", N_("Figures and a chart: /stats [FROM TO]")),
    ("recruiters_unlisted", N_("Unlisted recruiters people asked about")),
    ("redact", N_("Remove one message: reply /redact to it")),
    ("facts", N_("Facts to check again: /facts [all]")),
]


# -- the case a command is about ---------------------------------------------------------------
async def staff_case(update: Update, context: HotlineContext) -> DeskCase | None:
    """For thread commands: the case, if the sender is staff and writes in its thread."""
    if not await desk_access.staff_only(update, context):
        return None
    return await case_in_thread(update, context)


async def case_in_thread(update: Update, context: HotlineContext) -> DeskCase | None:
    message = ui.message_of(update)
    dc = await desk_actions.case_of(context, message)
    if dc is None:
        await message.reply_text(
            _("Use this in a case's topic, or as a reply to a message of the case."))
    return dc


def thread_command(action: desk_actions.Action) -> Command:
    """/<action> [KEY] in a case's thread."""
    async def on_command(update: Update, context: HotlineContext) -> None:
        dc = await staff_case(update, context)
        if dc is not None:
            args = context.args or []
            await desk_actions.run(context, dc,
                                   action(update, context, dc, args[0] if args else None))
    on_command.__doc__ = f"/{action.__name__[3:]} in a case's thread."
    return on_command


# -- commands with more to read ---------------------------------------------------------------
async def on_close_command(update: Update, context: HotlineContext) -> None:
    """/close OUTCOME [AMOUNT CURRENCY]."""
    dc = await staff_case(update, context)
    if dc is None:
        return
    args = context.args or []
    if not args or args[0] not in desk.OUTCOMES:
        await desk_actions.do_close(update, context, dc, None)
        return
    recovered = None
    if len(args) > 1:
        typed = " ".join(args[1:])
        recovered = parse_amount(typed)
        if recovered is None or args[0] != "resolved":
            # example: how to type an amount, not a fact
            await desk_actions.say(context, dc, _("Write it like /close resolved 12000 THB."))
            return
        if not names_currency(typed):
            await ui.message_of(update).reply_text(
                desk_actions.read_as_thb(dc, recovered))
    await desk_actions.run(context, dc, desk_actions.close_case(
        update, context, dc, args[0], recovered))


async def on_escalate_command(update: Update, context: HotlineContext) -> None:
    """/escalate LEVEL REASON."""
    dc = await staff_case(update, context)
    if dc is None:
        return
    args = context.args or []
    level = args[0] if args else None
    reason = " ".join(args[1:]).strip() or None
    await desk_actions.run(context, dc,
                           desk_actions.do_escalate(update, context, dc, level, reason))


async def on_note(update: Update, context: HotlineContext) -> None:
    """/note TEXT: stored with the case, never sent to the returnee; as a caption, with the
    file (its Telegram file id)."""
    dc = await staff_case(update, context)
    if dc is None:
        return
    message = ui.message_of(update)
    text = (message.text or message.caption or "").partition(" ")[2].strip()
    found = evidence_of(update)
    file = (found[0], found[1]) if found else None
    if not text and file is None:
        await message.reply_text(_("Write the note after /note."))
        return
    await desk.add_note(context.db, dc.id, ui.user_of(update).id,
                        text or f"[{file[0] if file else ''}]", file)
    await desk.link(context.db, dc.id, message.chat_id, message.message_id)
    await mark_noted(context, message)


async def mark_noted(context: HotlineContext, message: Message) -> None:
    try:
        await context.bot.set_message_reaction(message.chat_id, message.message_id, "✍")
    except TelegramError:  # reactions may be switched off in the group
        await message.reply_text(_("📝 Note kept (not sent)."))


async def on_case_command(update: Update, context: HotlineContext) -> None:
    """/case REF: the card again, here."""
    if not await desk_access.staff_only(update, context):
        return
    message = ui.message_of(update)
    dc = await desk.by_reference(context.db, (context.args or [""])[0])
    if dc is None:
        await message.reply_text(_("No case with that reference. Write it like /case {example}.")
                                 .format(example=EXAMPLE_REFERENCE))
        return
    await desk_lists.show_card(context, message, dc, ui.user_of(update).id)


# -- every command, typed or in a caption --------------------------------------------------------
def group_commands() -> dict[str, Command]:
    """Every staff command of the group, by name (for commands typed and in captions)."""
    return {
        "claim": thread_command(desk_actions.do_claim),
        "unassign": thread_command(desk_actions.do_unassign),
        "waiting": thread_command(desk_actions.do_waiting),
        "reopen": thread_command(desk_actions.do_reopen),
        "refer": thread_command(desk_actions.do_refer),
        "intouch": thread_command(desk_actions.do_intouch),
        "close": on_close_command, "escalate": on_escalate_command, "note": on_note,
        "case": on_case_command, "redact": desk_redact.on_redact,
        **desk_reports.COMMANDS,
        **desk_lists.COMMANDS,
    }


def caption_command(caption: str, bot_username: str | None) -> tuple[str, list[str]] | None:
    """'/note@HotlineBot her ID' -> ('note', ['her', 'ID']); None if for another bot."""
    words = caption.split()
    name, _at, addressee = words[0][1:].partition("@")
    if addressee and addressee.lower() != (bot_username or "").lower():
        return None
    return name.lower(), words[1:]


async def on_caption_command(update: Update, context: HotlineContext) -> None:
    """A file whose caption starts with "/": the command it names; never sent on."""
    message = ui.message_of(update)
    if not desk_access.in_staff_chat(update, context):
        return
    parsed = caption_command(message.caption or "", context.bot.username)
    callback = group_commands().get(parsed[0]) if parsed else None
    if parsed is None or callback is None:
        await desk_messages.on_staff_message(update, context)  # refused there: starts with "/"
        return
    context.args = parsed[1]
    await callback(update, context)
