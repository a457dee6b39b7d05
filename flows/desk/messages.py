"""What staff write in the staff group: the answer the bot asked for (flows/desk/awaiting.py),
or, in a case's thread, a reply that reaches the returnee through the outbox.

Nothing that starts with "/" is ever sent to a returnee: it is a command, or a mistyped one.
"""
from __future__ import annotations

from telegram import Message, Update

from bot.context import HotlineContext
from bot.i18n import _, set_language
from bot.jobs import sender
from bot.state import StaffAwaiting
from domain.amounts import names_currency, parse_amount
from domain.contact import can_message_returnee
from flows import ui
from flows.desk import access as desk_access
from flows.desk import actions as desk_actions
from flows.desk import awaiting as desk_awaiting
from flows.desk import relay as desk_relay
from storage import desk
from storage.desk import DeskCase


async def on_staff_message(update: Update, context: HotlineContext) -> None:
    """Anywhere in the group: the awaited reason or amount. In a case's thread: a reply for
    the returnee, unless it starts with "/"."""
    message = update.effective_message
    if not desk_access.in_staff_chat(update, context) or message is None:
        return
    set_language(context.settings.staff_language)
    awaiting = desk_awaiting.awaited(context)
    if awaiting is not None and await desk_access.is_staff(update, context):
        desk_awaiting.forget(context)
        awaited_case = await desk.get(context.db, awaiting["case"])
        if awaited_case is not None:
            await take_awaited(update, context, awaited_case, awaiting)
            return
    dc = await desk_actions.case_of(context, message)
    if dc is None:
        return  # talk among staff outside any case
    if not await desk_access.is_staff(update, context):
        await message.reply_text(_("Not sent: only hotline staff can write to returnees."))
        return
    if never_relayed(message):
        await message.reply_text(_("Not sent: a message that starts with / is never sent to "
                                   "the returnee. For an internal note write /note TEXT."))
        return
    if not can_message_returnee(dc.case):
        await message.reply_text(desk_actions.not_sent_reason(dc))
        return
    await desk.link(context.db, dc.id, message.chat_id, message.message_id)
    kind = desk_relay.kind_of(message)
    relay = desk_relay.to_returnee(dc, desk_relay.header_for_returnee(dc), copy_of=message,
                                   mark=message)
    await desk.record_reply(context.db, dc.id, ui.user_of(update).id,
                            message.text or message.caption or f"[{kind}]", kind,
                            delivered=False, relay=relay)
    sender.wake(context)  # 👌 on the staff message once delivered


def never_relayed(message: Message) -> bool:
    """What starts with "/" is a command (or a mistyped one), never words for a returnee."""
    typed = message.text or message.caption or ""
    return typed.lstrip().startswith("/")


async def take_awaited(update: Update, context: HotlineContext, dc: DeskCase,
                       awaiting: StaffAwaiting) -> None:
    """The reason or amount asked for; a value that cannot be used is asked for again."""
    message = ui.message_of(update)
    text = (message.text or message.caption or "").strip()
    if never_relayed(message):  # something starting with "/" instead of the answer: stop asking
        await message.reply_text(_("{ref}: nothing was changed.").format(ref=dc.reference))
        return
    if awaiting["what"] == "reason":
        if not text:
            desk_awaiting.ask_again(context, awaiting)
            await message.reply_text(_("Please write the reason for {ref} as text.").format(
                ref=dc.reference))
            return
        await desk_actions.run(context, dc, desk_actions.do_escalate(
            update, context, dc, awaiting.get("level"), text))
        return
    amount = parse_amount(text) if text else None
    if amount is None:
        desk_awaiting.ask_again(context, awaiting)
        # example: how to type an amount, not a fact
        await message.reply_text(_("I could not read that amount; write it like {plain} or "
                                   "{with_currency}.").format(**desk_actions.EXAMPLE_AMOUNTS))
        return
    if not names_currency(text):
        await message.reply_text(desk_actions.read_as_thb(dc, amount))
    await desk_actions.run(context, dc, desk_actions.close_case(
        update, context, dc, "resolved", amount))
