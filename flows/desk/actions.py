"""What staff do to a case, from a card button or a command alike: claim, unassign, wait,
refer, put in touch, close, escalate, reopen, and the canned replies.

Each action answers in the case's thread (in the staff language, set by the caller) and
refreshes the card; the returnee is told of a change through the outbox (flows/desk/relay.py).
An action with a choice still to make (which organisation, outcome, level, reply) shows
it as buttons; the reason of an escalation and an amount recovered are asked for as the
staff member's next message (flows/desk/awaiting.py).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Message, Update

from bot.content import referrals
from bot.context import HotlineContext
from bot.i18n import N_, _, format_money, use_language
from bot.jobs import sender
from domain.amounts import Amount
from domain.contact import Refusal, can_message_returnee, why_not_message
from flows import ui
from flows.callbacks import CaseButton
from flows.desk import access as desk_access
from flows.desk import awaiting as desk_awaiting
from flows.desk import card as desk_card
from flows.desk import relay as desk_relay
from flows.desk import thread as desk_thread
from storage import desk
from storage.desk import DeskCase, NotAllowed

# An action as buttons and commands call it: the case, and the choice made (None: not yet).
Action = Callable[[Update, HotlineContext, DeskCase, "str | None"], Awaitable[None]]

# Examples outside the catalogs: translators need not copy them, and they are not phone numbers.
EXAMPLE_AMOUNTS = {"plain": "4500", "with_currency": "4500 THB"}
CANNED = [  # (key, button label for staff, text for the returnee)
    ("received", N_("We received your case"),
     N_("We have received your report {ref}. Hotline staff are looking at it and will "
        "write to you here.")),
    ("payslip", N_("Ask for a payslip photo"),
     N_("Please send a photo of your payslip, or of any paper that shows your pay. "
        "Press Answer, then send the photo.")),
    ("contract", N_("Ask for the contract"),
     N_("Please send a photo of your work contract or your recruitment papers, if you "
        "have them. Press Answer, then send the photo.")),
    ("referred", N_("We passed your report to ..."),
     N_("We passed your report to {organisation}. They may contact you. If you hear nothing, "
        "tell us here.")),
]


# -- where we are ----------------------------------------------------------------------------
async def case_of(context: HotlineContext, message: Message) -> DeskCase | None:
    """The case whose thread this message is in: its forum topic, or a reply to its messages."""
    case_id = None
    if message.is_topic_message and message.message_thread_id:
        case_id = await desk.case_for_topic(context.db, message.chat_id, message.message_thread_id)
    if case_id is None and message.reply_to_message is not None:
        case_id = await desk.case_for_message(context.db, message.chat_id,
                                              message.reply_to_message.message_id)
    return None if case_id is None else await desk.get(context.db, case_id)


async def say(context: HotlineContext, dc: DeskCase, text: str,
              markup: InlineKeyboardMarkup | None = None) -> None:
    """Answer staff in the case's thread (staff language is already set); through the
    outbox when the thread is still being made."""
    thread = await desk_thread.ensure_thread(context, dc.id)
    if thread is not None:
        await desk_thread.post(context, thread, text, markup)
    elif markup is None:
        await desk_thread.queue_text(context, text, dc.id)


def who(update: Update) -> str:
    """How staff see the staff member acting: @username, else their name."""
    user = ui.user_of(update)
    return f"@{user.username}" if user.username else user.full_name


def not_sent_reason(dc: DeskCase) -> str:
    """Why nothing can be sent to the case's returnee (closed, erased, no contact wanted)."""
    refusal = why_not_message(dc.case)
    if refusal is Refusal.ERASED:
        return _("Not sent: the personal details of {ref} were erased (the returnee deleted "
                 "their data, or the case was closed long ago). Nobody can be reached through "
                 "it.").format(ref=dc.reference)
    if refusal is Refusal.CLOSED:
        return _("Not sent: {ref} is closed. Reopen it first.").format(ref=dc.reference)
    return _("Not sent: the returnee asked not to be contacted. Use /note for notes.")


def read_as_thb(dc: DeskCase, amount: Amount) -> str:
    return _("No currency was written: {amount} for {ref} is read as Thai baht "
             "(THB).").format(amount=format_money(amount.value, amount.currency),
                              ref=dc.reference)


async def run(context: HotlineContext, dc: DeskCase, action: Awaitable[None]) -> None:
    """Do the action; one on a closed case (storage refuses it) says to reopen first."""
    try:
        await action
    except NotAllowed:
        await say(context, dc, _("{ref} is closed. Reopen it first.").format(ref=dc.reference))


# -- the actions -----------------------------------------------------------------------------
async def do_claim(update: Update, context: HotlineContext, dc: DeskCase, arg: str | None) -> None:
    level_people = dict(context.settings.escalation_levels).get(dc.escalation or "", ())
    takes = dc.escalation_open and desk_access.username_of(update) in {
        name.lower() for name in level_people}
    dc = await desk.claim(context.db, dc.id, ui.user_of(update).id,
                          takes_escalation=takes)
    text = _("✋ {ref} claimed by {name}.").format(ref=dc.reference, name=who(update))
    if takes:
        text += " " + _("The escalation to {level} is taken.").format(level=dc.escalation)
    await desk_thread.refresh_card(context, dc)
    await say(context, dc, text)
    sender.wake(context)  # the returnee's notice, if the claim gives one (domain/lifecycle.py)


async def do_unassign(update: Update, context: HotlineContext, dc: DeskCase,
                      arg: str | None) -> None:
    dc = await desk.unassign(context.db, dc.id, ui.user_of(update).id)
    await desk_thread.refresh_card(context, dc)
    await say(context, dc, _("🙅 {ref} is unassigned: anyone can claim it.").format(
        ref=dc.reference))


async def do_waiting(update: Update, context: HotlineContext, dc: DeskCase,
                     arg: str | None) -> None:
    dc = await desk.set_waiting(context.db, dc.id, ui.user_of(update).id)
    await desk_thread.refresh_card(context, dc)
    await say(context, dc, _("⏳ {ref} is waiting for the returnee; what they write comes "
                             "here.").format(ref=dc.reference))
    sender.wake(context)  # the returnee's notice, queued with the change


async def do_refer(update: Update, context: HotlineContext, dc: DeskCase, key: str | None) -> None:
    """Only organisations with a confirmed referral arrangement (agreement=yes in partners.csv)."""
    agreed = referrals.referable(context.directory)
    partner = next((p for p in agreed if p.key == key), None)
    if not agreed:
        await say(context, dc, _(
            "No organisation has a confirmed referral arrangement with this hotline yet, so "
            "nothing can be referred. The operator marks one with agreement yes in the "
            "partners file of the data folder. You can still give the returnee an "
            "organisation's contact in a reply."))
        return
    if partner is None:
        other = referrals.partner(context.directory, key)
        if other is not None:
            await say(context, dc, _(
                "{organisation} has no confirmed referral arrangement with this hotline "
                "(agreement no in the partners file).").format(organisation=other.name))
        keys = ", ".join(p.key for p in agreed)
        await say(context, dc, _("Refer {ref} to which organisation? (or /refer KEY: {keys})")
                  .format(ref=dc.reference, keys=keys),
                  desk_card.refer_markup(dc.id, agreed))
        return
    dc = await desk.refer(context.db, dc.id, ui.user_of(update).id, partner.key,
                          check_after=context.settings.followup_after_referral)
    await desk_thread.refresh_card(context, dc)
    await say(context, dc, _("🤝 {ref} referred to {organisation} by {name}.").format(
        ref=dc.reference, organisation=partner.name, name=who(update)))
    sender.wake(context)  # the returnee's notice, queued with the change


async def do_intouch(update: Update, context: HotlineContext, dc: DeskCase,
                     key: str | None) -> None:
    """Records that staff put the returnee in touch with an organisation of partners.csv,
    with or without a referral arrangement (the peer network, counselling ...). The case
    is not marked referred and the returnee is not told: staff say it in their reply."""
    partner = referrals.partner(context.directory, key)
    if partner is None:
        keys = ", ".join(p.key for p in referrals.partners(context.directory))
        await say(context, dc, _("Put {ref} in touch with which organisation? /intouch KEY: "
                                 "{keys}").format(ref=dc.reference, keys=keys))
        return
    await desk.record(context.db, ui.user_of(update).id, dc.id, "in_touch",
                      f"to={partner.key}")
    await say(context, dc, _("🗒 {ref}: {name} put the returnee in touch with {organisation}. "
                             "Recorded; the case is not marked referred.").format(
        ref=dc.reference, name=who(update), organisation=partner.name))


async def do_close(update: Update, context: HotlineContext, dc: DeskCase, key: str | None) -> None:
    """No key: the outcome buttons. 'money': ask for the amount. Else close with that outcome."""
    if key is None:
        await say(context, dc, _("Close {ref}: what was the outcome?").format(ref=dc.reference),
                  desk_card.close_markup(dc.id))
        return
    if key == "money":
        desk_awaiting.ask_amount(context, dc.id)
        # example: how to type an amount, not a fact
        await say(context, dc, _("{name}: type the amount recovered for {ref} as your next "
                                 "message, for example {plain} or {with_currency}.").format(
            name=who(update), ref=dc.reference, **EXAMPLE_AMOUNTS))
        return
    if key not in desk.OUTCOMES:
        await say(context, dc, _("Outcomes: {outcomes}").format(outcomes=", ".join(desk.OUTCOMES)))
        return
    await close_case(update, context, dc, key, None)


async def close_case(update: Update, context: HotlineContext, dc: DeskCase, outcome: str,
                     recovered: Amount | None) -> None:
    dc = await desk.close(context.db, dc.id, ui.user_of(update).id, outcome,
                          None if recovered is None else (recovered.value, recovered.currency),
                          check_after=context.settings.followup_after_close)
    await desk_thread.refresh_card(context, dc)
    await say(context, dc, _("✅ {ref} closed by {name}: {outcome}.").format(
        ref=dc.reference, name=who(update), outcome=_(desk_card.OUTCOME_NAMES[outcome])))
    sender.wake(context)  # the returnee's notice, queued with the change


async def do_escalate(update: Update, context: HotlineContext, dc: DeskCase,
                      level: str | None, reason: str | None = None) -> None:
    """No level: the level buttons. A level without reason: ask for it as the next message."""
    levels = dict(context.settings.escalation_levels)
    if not levels:
        await say(context, dc, _("No escalation levels are set (ESCALATION_LEVELS)."))
        return
    if level is None or level not in levels:
        await say(context, dc, _("Escalate {ref} to which level? ({levels})").format(
            ref=dc.reference, levels=", ".join(levels)), desk_card.levels_markup(context, dc.id))
        return
    if not reason:
        desk_awaiting.ask_reason(context, dc.id, level)
        await say(context, dc, _("{name}: why escalate {ref} to {level}? Write the reason as "
                                 "your next message here.").format(
            name=who(update), ref=dc.reference, level=level))
        return
    dc = await desk.escalate(context.db, dc.id, ui.user_of(update).id, level, reason)
    await desk_thread.refresh_card(context, dc)
    await say(context, dc, _("⬆️ {ref} escalated to {level} by {name}. Reason: {reason}\n{people}: "
                             "please take it (Claim).").format(
        ref=dc.reference, level=level, name=who(update), reason=reason,
        people=desk_card.mention(levels[level])))


async def do_reopen(update: Update, context: HotlineContext, dc: DeskCase, arg: str | None) -> None:
    dc = await desk.reopen(context.db, dc.id, ui.user_of(update).id)
    await desk_thread.refresh_card(context, dc)
    await say(context, dc, _("🔓 {ref} reopened by {name}.").format(ref=dc.reference,
                                                                    name=who(update)))
    sender.wake(context)  # the returnee's notice, queued with the change


async def do_canned(update: Update, context: HotlineContext, dc: DeskCase, key: str | None) -> None:
    """No key: the canned replies as buttons. A key: send it in the returnee's language."""
    choices = [(k, label, text) for k, label, text in CANNED
               if k != "referred" or dc.referred_to]
    chosen = next((c for c in choices if c[0] == key), None)
    if chosen is None:
        await say(context, dc, _("Which reply? It is sent in the returnee's language."),
                  ui.keyboard([[ui.button(_(label), CaseButton("can", dc.id, k).pack())]
                               for k, label, _text in choices]))
        return
    if not can_message_returnee(dc.case):
        await say(context, dc, not_sent_reason(dc))
        return
    with use_language(dc.case.reporter_language):
        partner = referrals.partner(context.directory, dc.referred_to)
        text = _(chosen[2]).format(ref=dc.reference, organisation=partner.name if partner else "-")
    await desk.record_reply(context.db, dc.id, ui.user_of(update).id, text,
                            f"canned:{chosen[0]}", delivered=False,
                            relay=desk_relay.to_returnee(dc, text))
    sender.wake(context)
    await say(context, dc, _("⏳ On its way to the returnee, from {name} (a warning follows "
                             "here if it cannot be delivered):").format(name=who(update))
              + f"\n\n{text}")
