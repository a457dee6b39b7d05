"""The hotline staff desk in the staff group: buttons on case cards, commands in threads,
and anything staff write in a case's thread, which reaches the returnee.

Buttons: "sd:<action>:<case id>[:<key>]". Commands (staff group only):
/claim /unassign /waiting /reopen /refer KEY /intouch KEY /close OUTCOME [AMOUNT CURRENCY]
/escalate LEVEL REASON /note TEXT /case REF /stats [FROM TO] /facts, /redact (as a
reply to the message to remove, flows/desk_redact.py), and the
admin command /export FROM TO; /search, /cases and /mine are in flows/desk_lists.py.
A caption that starts with "/" is read as the command (a /note with a photo keeps the
photo with the note), and nothing that starts with "/" is ever sent to a returnee.

Two answers are typed as the staff member's next message in the staff group (in the
thread or not), for AWAIT_SECONDS: the reason for an escalation and the amount
recovered; user_data[AWAITING] says which (JSON: {"case": id, "what": "reason"|"amount",
"level": str, "at": unix time}).
"""
from __future__ import annotations

import io
import logging
import time
from datetime import datetime, timedelta

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import charts, facts, referrals, reports, sender
from bot.amounts import names_currency, parse_amount
from bot.context import HotlineContext
from bot.i18n import N_, _, format_money, set_language, use_language
from bot.khmer import clean_input
from domain.contact import Refusal, can_message_returnee, why_not_message
from flows import (
    desk_access,
    desk_card,
    desk_lists,
    desk_redact,
    desk_relay,
    desk_thread,
    ui,
)
from flows.intake_steps import evidence_of
from flows.registry import Flow
from storage import desk, recruiters
from storage.clock import to_text, utcnow
from storage.desk import DeskCase, NotAllowed

log = logging.getLogger(__name__)

AWAITING = desk_access.AWAITING
AWAIT_SECONDS = 600  # how long the bot takes a staff member's next message as the answer
# Examples outside the catalogs: translators need not copy them, and they are not phone numbers.
EXAMPLE_REFERENCE, EXAMPLE_RANGE = "W-0001", "2026-01-01 2026-03-31"
EXAMPLE_AMOUNTS = {"plain": "4500", "with_currency": "4500 THB"}
# New messages only: an edited message must not reach the returnee (or add a note) twice.
GROUPS = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
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
STAFF_COMMANDS = [
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


# -- where we are --------------------------------------------------------------------------
async def case_of(context: HotlineContext, message: Message) -> DeskCase | None:
    """The case whose thread this message is in: its forum topic, or a reply to its messages."""
    case_id = None
    if message.is_topic_message and message.message_thread_id:
        case_id = await desk.case_for_topic(context.db, message.chat_id, message.message_thread_id)
    if case_id is None and message.reply_to_message is not None:
        case_id = await desk.case_for_message(context.db, message.chat_id,
                                              message.reply_to_message.message_id)
    return None if case_id is None else await desk.get(context.db, case_id)


async def say(context: HotlineContext, dc: DeskCase, text: str, markup=None) -> None:
    """Answer staff in the case's thread (staff language is already set); through the
    outbox when the thread is still being made."""
    thread = await desk_thread.ensure_thread(context, dc.id)
    if thread is not None:
        await desk_thread.post(context, thread, text, markup)
    elif markup is None:
        await desk_thread.queue_text(context, text, dc.id)


def who(update: Update) -> str:
    user = update.effective_user
    return f"@{user.username}" if user.username else user.full_name


# -- actions (from buttons and commands alike) ----------------------------------------------
async def do_claim(update: Update, context: HotlineContext, dc: DeskCase, arg: str | None) -> None:
    level_people = dict(context.settings.escalation_levels).get(dc.escalation or "", ())
    takes = dc.escalation_open and desk_access.username_of(update) in {
        name.lower() for name in level_people}
    dc = await desk.claim(context.db, dc.id, update.effective_user.id, takes_escalation=takes)
    text = _("✋ {ref} claimed by {name}.").format(ref=dc.reference, name=who(update))
    if takes:
        text += " " + _("The escalation to {level} is taken.").format(level=dc.escalation)
    await desk_thread.refresh_card(context, dc)
    await say(context, dc, text)
    sender.wake(context)  # the returnee's notice, if the claim gives one (domain/lifecycle.py)


async def do_unassign(update: Update, context: HotlineContext, dc: DeskCase,
                      arg: str | None) -> None:
    dc = await desk.unassign(context.db, dc.id, update.effective_user.id)
    await desk_thread.refresh_card(context, dc)
    await say(context, dc, _("🙅 {ref} is unassigned: anyone can claim it.").format(
        ref=dc.reference))


async def do_waiting(update: Update, context: HotlineContext, dc: DeskCase,
                     arg: str | None) -> None:
    dc = await desk.set_waiting(context.db, dc.id, update.effective_user.id)
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
    dc = await desk.refer(context.db, dc.id, update.effective_user.id, partner.key,
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
    await desk.record(context.db, update.effective_user.id, dc.id, "in_touch", f"to={partner.key}")
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
        await_answer(context, {"case": dc.id, "what": "amount"})
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
                     recovered) -> None:
    dc = await desk.close(context.db, dc.id, update.effective_user.id, outcome, recovered,
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
    if level not in levels:
        await say(context, dc, _("Escalate {ref} to which level? ({levels})").format(
            ref=dc.reference, levels=", ".join(levels)), desk_card.levels_markup(context, dc.id))
        return
    if not reason:
        await_answer(context, {"case": dc.id, "what": "reason", "level": level})
        await say(context, dc, _("{name}: why escalate {ref} to {level}? Write the reason as "
                                 "your next message here.").format(
            name=who(update), ref=dc.reference, level=level))
        return
    dc = await desk.escalate(context.db, dc.id, update.effective_user.id, level, reason)
    await desk_thread.refresh_card(context, dc)
    await say(context, dc, _("⬆️ {ref} escalated to {level} by {name}. Reason: {reason}\n{people}: "
                             "please take it (Claim).").format(
        ref=dc.reference, level=level, name=who(update), reason=reason,
        people=desk_card.mention(levels[level])))


async def do_reopen(update: Update, context: HotlineContext, dc: DeskCase, arg: str | None) -> None:
    dc = await desk.reopen(context.db, dc.id, update.effective_user.id)
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
                  ui.keyboard([[ui.button(_(label), desk_card.data("can", dc.id, k))]
                               for k, label, _text in choices]))
        return
    if not can_message_returnee(dc.case):
        await say(context, dc, not_sent_reason(dc))
        return
    with use_language(dc.case.reporter_language):
        partner = referrals.partner(context.directory, dc.referred_to)
        text = _(chosen[2]).format(ref=dc.reference, organisation=partner.name if partner else "-")
    await desk.record_reply(context.db, dc.id, update.effective_user.id, text,
                            f"canned:{chosen[0]}", delivered=False,
                            relay=desk_relay.to_returnee(dc, text))
    sender.wake(context)
    await say(context, dc, _("⏳ On its way to the returnee, from {name} (a warning follows "
                             "here if it cannot be delivered):").format(name=who(update))
              + f"\n\n{text}")


def not_sent_reason(dc: DeskCase) -> str:
    refusal = why_not_message(dc.case)
    if refusal is Refusal.ERASED:
        return _("Not sent: the personal details of {ref} were erased (the returnee deleted "
                 "their data, or the case was closed long ago). Nobody can be reached through "
                 "it.").format(ref=dc.reference)
    if refusal is Refusal.CLOSED:
        return _("Not sent: {ref} is closed. Reopen it first.").format(ref=dc.reference)
    return _("Not sent: the returnee asked not to be contacted. Use /note for notes.")


BUTTONS = {
    "claim": do_claim, "unassign": do_unassign, "wait": do_waiting, "refer": do_refer,
    "ref": do_refer, "close": do_close, "out": do_close, "esc": do_escalate, "lvl": do_escalate,
    "reopen": do_reopen, "canned": do_canned, "can": do_canned,
}


async def run_action(update: Update, context: HotlineContext, action, dc: DeskCase,
                     arg: str | None) -> None:
    try:
        await action(update, context, dc, arg)
    except NotAllowed:
        await say(context, dc, _("{ref} is closed. Reopen it first.").format(ref=dc.reference))


# -- buttons ---------------------------------------------------------------------------------
async def on_card_button(update: Update, context: HotlineContext) -> None:
    """A button on a card or in a thread: staff only, in the staff group only."""
    if not await desk_access.staff_button(update, context):
        return
    query = update.callback_query
    parts = query.data.split(":")
    action = BUTTONS.get(parts[1]) if len(parts) >= 3 else None
    dc = await desk.get(context.db, int(parts[2])) if action and parts[2].isdigit() else None
    if dc is None:
        await query.answer(_("That button no longer works."), show_alert=True)
        return
    await query.answer()
    await run_action(update, context, action, dc, parts[3] if len(parts) > 3 else None)


# -- commands --------------------------------------------------------------------------------
staff_only = desk_access.staff_only


async def staff_case(update: Update, context: HotlineContext) -> DeskCase | None:
    """For thread commands: the case, if the sender is staff and writes in its thread."""
    if not await staff_only(update, context):
        return None
    return await case_in_thread(update, context)


async def case_in_thread(update: Update, context: HotlineContext) -> DeskCase | None:
    dc = await case_of(context, update.effective_message)
    if dc is None:
        await update.effective_message.reply_text(
            _("Use this in a case's topic, or as a reply to a message of the case."))
    return dc


def thread_command(action):
    async def on_command(update: Update, context: HotlineContext) -> None:
        if not await staff_only(update, context):
            return
        dc = await case_in_thread(update, context)
        if dc is not None:
            args = context.args or []
            await run_action(update, context, action, dc, args[0] if args else None)
    on_command.__doc__ = f"/{action.__name__[3:]} in a case's thread."
    return on_command


async def on_close_command(update: Update, context: HotlineContext) -> None:
    """/close OUTCOME [AMOUNT CURRENCY]."""
    dc = await staff_case(update, context)
    if dc is None:
        return
    args = context.args or []
    if not args or args[0] not in desk.OUTCOMES:
        await do_close(update, context, dc, None)
        return
    recovered = None
    if len(args) > 1:
        typed = " ".join(args[1:])
        amount = parse_amount(typed)
        if amount is None or args[0] != "resolved":
            # example: how to type an amount, not a fact
            await say(context, dc, _("Write it like /close resolved 12000 THB."))
            return
        if not names_currency(typed):
            await update.effective_message.reply_text(read_as_thb(dc, amount))
        recovered = (amount.value, amount.currency)
    await run_action(update, context, lambda u, c, d, a: close_case(u, c, d, args[0], recovered),
                     dc, None)


async def on_escalate_command(update: Update, context: HotlineContext) -> None:
    """/escalate LEVEL REASON."""
    dc = await staff_case(update, context)
    if dc is None:
        return
    args = context.args or []
    level = args[0] if args else None
    reason = " ".join(args[1:]).strip() or None
    await run_action(update, context, lambda u, c, d, a: do_escalate(u, c, d, level, reason),
                     dc, None)


async def on_note(update: Update, context: HotlineContext) -> None:
    """/note TEXT: stored with the case, never sent to the returnee; as a caption, with the
    file (its Telegram file id)."""
    dc = await staff_case(update, context)
    if dc is None:
        return
    message = update.effective_message
    text = (message.text or message.caption or "").partition(" ")[2].strip()
    found = evidence_of(update)
    file = (found[0], found[1]) if found else None
    if not text and file is None:
        await message.reply_text(_("Write the note after /note."))
        return
    await desk.add_note(context.db, dc.id, update.effective_user.id,
                        text or f"[{file[0]}]", file)
    await desk.link(context.db, dc.id, message.chat_id, message.message_id)
    await mark_noted(context, update.effective_message)


async def mark_noted(context: HotlineContext, message: Message) -> None:
    try:
        await context.bot.set_message_reaction(message.chat_id, message.message_id, "✍")
    except TelegramError:  # reactions may be switched off in the group
        await message.reply_text(_("📝 Note kept (not sent)."))


async def on_case_command(update: Update, context: HotlineContext) -> None:
    """/case REF: the card again, here."""
    if not await staff_only(update, context):
        return
    message = update.effective_message
    dc = await desk.by_reference(context.db, (context.args or [""])[0])
    if dc is None:
        await message.reply_text(_("No case with that reference. Write it like /case {example}.")
                                 .format(example=EXAMPLE_REFERENCE))
        return
    await desk_lists.show_card(context, message, dc, update.effective_user.id)


async def on_stats(update: Update, context: HotlineContext) -> None:
    """/stats [FROM TO]: figures for a date range (default: everything)."""
    if not await staff_only(update, context):
        return
    try:
        start_day, end_day = reports.parse_range(context.args or [])
    except ValueError:
        await update.effective_message.reply_text(_("Write it like /stats {example}.").format(
            example=EXAMPLE_RANGE))
        return
    figures = await reports.gather(context.db, context.settings, start_day, end_day)
    await update.effective_message.reply_text(reports.render(figures)[:4000])
    await desk.record(context.db, update.effective_user.id, None, "stats")
    png = await charts.chart_png(context.db, context.settings, utcnow())
    await update.effective_message.reply_photo(
        png, caption=_("📈 Cases per week by category, and open cases by status"),
        filename="hotline-chart.png")


UNLISTED_DAYS, UNLISTED_LIMIT = 30, 20


async def on_recruiters_unlisted(update: Update, context: HotlineContext) -> None:
    """/recruiters_unlisted [DAYS]: names people looked up that are not on the licence list."""
    if not await staff_only(update, context):
        return
    typed = clean_input(" ".join(context.args or []))
    days = int(typed) if typed.isdigit() and 0 < int(typed) <= 3650 else None
    if typed and days is None:
        await update.effective_message.reply_text(
            # example: how to type the command, not a fact
            _("Write it like /recruiters_unlisted 30 (the last 30 days)."))
        return
    days = days or UNLISTED_DAYS
    since = to_text(utcnow() - timedelta(days=days))
    asked = await recruiters.most_asked(context.db, "unlisted", since, UNLISTED_LIMIT)
    lines = [_("🔎 Recruiters people asked about that are not on the licence list, last "
               "{days} days (most asked first):").format(days=days)]
    lines += [f"{count} × {name}" for name, count in asked] or [_("None.")]
    await update.effective_message.reply_text("\n".join(lines)[:4000])


async def on_facts(update: Update, context: HotlineContext) -> None:
    """/facts [all]: facts checked longer ago than FACTS_MAX_AGE (or all), with sources."""
    if not await staff_only(update, context):
        return
    found = await facts.all_facts(context.db, context.directory, context.content)
    today = datetime.now(context.settings.timezone).date()
    text = facts.render(found, today, context.settings.facts_max_age_months,
                        everything=(context.args or [""])[0] == "all")
    for offset in range(0, len(text), 4000):  # a long listing in several messages
        await update.effective_message.reply_text(text[offset:offset + 4000])


async def on_export(update: Update, context: HotlineContext) -> None:
    """/export FROM TO (admins): the donor CSV, without free text, names or phones."""
    if not await staff_only(update, context, admin=True):
        return
    try:
        start_day, end_day = reports.parse_range(context.args or [])
    except ValueError:
        await update.effective_message.reply_text(_("Write it like /export {example}.").format(
            example=EXAMPLE_RANGE))
        return
    buffer = io.StringIO()
    count = await reports.export_cases(context.db, context.settings, buffer, start_day, end_day,
                                       with_details=False, staff_id=update.effective_user.id)
    today = datetime.now(context.settings.timezone).date()
    name = f"cases-{start_day or 'start'}-{end_day or today}.csv"
    # A BOM, so that Excel reads the Khmer labels as UTF-8.
    await update.effective_message.reply_document(buffer.getvalue().encode("utf-8-sig"),
                                                  filename=name,
                                                  caption=_("{count} cases").format(count=count))


# -- what staff write in a thread -----------------------------------------------------------
async def on_staff_message(update: Update, context: HotlineContext) -> None:
    """Anywhere in the group: the awaited reason or amount. In a case's thread: a reply for
    the returnee, unless it starts with "/"."""
    message = update.effective_message
    if not desk_access.in_staff_chat(update, context) or message is None:
        return
    set_language(context.settings.staff_language)
    awaiting = awaited(context)
    if awaiting is not None and await desk_access.is_staff(update, context):
        context.user_data.pop(AWAITING, None)
        awaited_case = await desk.get(context.db, awaiting["case"])
        if awaited_case is not None:
            await take_awaited(update, context, awaited_case, awaiting)
            return
    dc = await case_of(context, message)
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
        await message.reply_text(not_sent_reason(dc))
        return
    await desk.link(context.db, dc.id, message.chat_id, message.message_id)
    kind = desk_relay.kind_of(message)
    relay = desk_relay.to_returnee(dc, desk_relay.header_for_returnee(dc), copy_of=message,
                                   mark=message)
    await desk.record_reply(context.db, dc.id, update.effective_user.id,
                            message.text or message.caption or f"[{kind}]", kind,
                            delivered=False, relay=relay)
    sender.wake(context)  # 👌 on the staff message once delivered


def never_relayed(message: Message) -> bool:
    """What starts with "/" is a command (or a mistyped one), never words for a returnee."""
    typed = message.text or message.caption or ""
    return typed.lstrip().startswith("/")


def await_answer(context: HotlineContext, question: dict) -> None:
    """The staff member's next message in the group answers `question`."""
    context.user_data[AWAITING] = dict(question, at=time.time())


def awaited(context: HotlineContext) -> dict | None:
    """The question this staff member still has to answer, if asked less than 10 min ago."""
    awaiting = context.user_data.get(AWAITING)
    if not isinstance(awaiting, dict) or not isinstance(awaiting.get("case"), int):
        return None
    at = awaiting.get("at")
    if not isinstance(at, (int, float)) or time.time() - at > AWAIT_SECONDS:
        context.user_data.pop(AWAITING, None)
        return None
    return awaiting


def read_as_thb(dc: DeskCase, amount) -> str:
    return _("No currency was written: {amount} for {ref} is read as Thai baht "
             "(THB).").format(amount=format_money(amount.value, amount.currency),
                              ref=dc.reference)


async def take_awaited(update: Update, context: HotlineContext, dc: DeskCase,
                       awaiting: dict) -> None:
    """The reason or amount asked for; a value that cannot be used is asked for again."""
    message = update.effective_message
    text = (message.text or message.caption or "").strip()
    if never_relayed(message):  # something starting with "/" instead of the answer: stop asking
        await message.reply_text(_("{ref}: nothing was changed.").format(ref=dc.reference))
        return
    if awaiting.get("what") == "reason":
        if not text:
            await_answer(context, awaiting)
            await message.reply_text(_("Please write the reason for {ref} as text.").format(
                ref=dc.reference))
            return
        await run_action(update, context, lambda u, c, d, a: do_escalate(
            u, c, d, awaiting.get("level"), text), dc, None)
        return
    amount = parse_amount(text) if text else None
    if amount is None:
        await_answer(context, awaiting)
        # example: how to type an amount, not a fact
        await message.reply_text(_("I could not read that amount; write it like {plain} or "
                                   "{with_currency}.").format(**EXAMPLE_AMOUNTS))
        return
    if not names_currency(text):
        await message.reply_text(read_as_thb(dc, amount))
    await run_action(update, context, lambda u, c, d, a: close_case(
        u, c, d, "resolved", (amount.value, amount.currency)), dc, None)


# -- assembly ----------------------------------------------------------------------------------
STAFF_CONTENT = (filters.TEXT | filters.PHOTO | filters.Document.ALL | filters.VOICE
                 | filters.VIDEO | filters.AUDIO | filters.VIDEO_NOTE)


def group_commands() -> dict:
    """Every staff command of the group, by name (for commands typed and in captions)."""
    return {
        "claim": thread_command(do_claim), "unassign": thread_command(do_unassign),
        "waiting": thread_command(do_waiting), "reopen": thread_command(do_reopen),
        "refer": thread_command(do_refer), "intouch": thread_command(do_intouch),
        "close": on_close_command,
        "escalate": on_escalate_command, "note": on_note, "case": on_case_command,
        "stats": on_stats, "export": on_export, "redact": desk_redact.on_redact, "facts": on_facts,
        "recruiters_unlisted": on_recruiters_unlisted,
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
    message = update.effective_message
    if not desk_access.in_staff_chat(update, context):
        return
    parsed = caption_command(message.caption, context.bot.username)
    callback = group_commands().get(parsed[0]) if parsed else None
    if callback is None:
        await on_staff_message(update, context)  # refused there: it starts with "/"
        return
    context.args = parsed[1]
    await callback(update, context)


async def on_group_moved(update: Update, context: HotlineContext) -> None:
    """The staff group became a supergroup: Telegram says so in the old group."""
    message = update.effective_message
    if message.migrate_to_chat_id and desk_access.in_staff_chat(update, context):
        await sender.staff_group_moved(context, message.migrate_to_chat_id)


def handlers() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(on_card_button, pattern=f"^{desk_card.PREFIX}:"),
        *desk_lists.handlers(),
        *(CommandHandler(name, callback, filters=GROUPS)
          for name, callback in group_commands().items()),
        MessageHandler(GROUPS & filters.StatusUpdate.MIGRATE, on_group_moved),
        MessageHandler(GROUPS & filters.CaptionRegex(r"^\s*/"), on_caption_command),
        MessageHandler(GROUPS & STAFF_CONTENT & ~filters.COMMAND, on_staff_message),
    ]


FLOW = Flow(name="staff_desk", handlers=handlers)
