"""A case's thread in the staff group: announcing it, posting into it, reminding.

Forum groups get one topic per case; other groups get a card message, and
replies to it (or to anything the bot posted about the case) are the thread.

Announcing is durable and happens once: the thread row is stored right after
the topic is created and before anything is posted, under a per-case lock;
`announced_at` is set when the card and evidence are posted. The repeating
sweep announces cases that were committed but never announced (a crash right
after Confirm, Telegram down) and reminds staff of cases nobody claimed within
UNCLAIMED_AFTER working hours, once per period (`reminded_at`).
"""
from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardMarkup, Message, MessageId, ReplyParameters, User

from bot.content import referrals
from bot.context import HotlineContext
from bot.i18n import _, use_language
from bot.jobs import sender
from domain.working_hours import working_time_between
from flows.desk import access as desk_access
from flows.desk import card as desk_card
from storage import cases, desk, outbox, users
from storage.clock import from_text, to_text, utcnow
from storage.desk import DeskCase, Thread
from storage.outbox import Item

log = logging.getLogger(__name__)

SWEEP_SECONDS = 60
HELP_ALERT_SECONDS = 600
_SEND_FILE = {"photo": "send_photo", "document": "send_document", "voice": "send_voice",
              "video": "send_video", "audio": "send_audio", "video_note": "send_video_note"}


# -- posting into a thread -----------------------------------------------------------------
def _where(thread: Thread) -> dict[str, Any]:
    """Keyword arguments that put a message into the thread."""
    if thread.thread_id is not None:
        return {"message_thread_id": thread.thread_id}
    if thread.card_message_id is not None:
        return {"reply_parameters": ReplyParameters(thread.card_message_id,
                                                    allow_sending_without_reply=True)}
    return {}


async def post(context: HotlineContext, thread: Thread, text: str,
               markup: InlineKeyboardMarkup | None = None) -> Message:
    """A message in the case's thread, linked to the case so replies to it find it."""
    message = await context.bot.send_message(thread.chat_id, text, reply_markup=markup,
                                             **_where(thread))
    await desk.link(context.db, thread.case_id, thread.chat_id, message.message_id)
    return message


async def copy_in(context: HotlineContext, thread: Thread, from_chat: int, message_id: int,
                  caption: str | None) -> MessageId:
    """Copy a returnee's file into the thread (by file id: nothing is downloaded)."""
    copied = await context.bot.copy_message(thread.chat_id, from_chat, message_id,
                                            caption=caption, **_where(thread))
    await desk.link(context.db, thread.case_id, thread.chat_id, copied.message_id)
    return copied


async def send_file(context: HotlineContext, thread: Thread, kind: str, file_id: str,
                    caption: str | None = None) -> Message:
    method = getattr(context.bot, _SEND_FILE[kind])
    extra = {"caption": caption} if caption and kind != "video_note" else {}
    message = await method(thread.chat_id, file_id, **extra, **_where(thread))
    await desk.link(context.db, thread.case_id, thread.chat_id, message.message_id)
    return message


# -- the card ---------------------------------------------------------------------------------
async def card(context: HotlineContext, dc: DeskCase) -> tuple[str, InlineKeyboardMarkup]:
    """The card's text and buttons, in STAFF_LANGUAGE."""
    evidence = await cases.evidence(context.db, dc.id)
    assigned = await desk_access.staff_name(context, dc.case.assigned_staff_id)
    not_sent = await outbox.failed_for_case(context.db, dc.id)
    with use_language(context.settings.staff_language):
        partner = referrals.partner(context.directory, dc.referred_to)
        text = desk_card.card_text(context, dc, evidence_count=len(evidence),
                                   assigned_name=assigned, partner=partner, not_sent=not_sent)
        return text, desk_card.card_markup(dc)


async def refresh_card(context: HotlineContext, dc: DeskCase) -> None:
    """Show the case's new state on its card (the first one posted): an edit through the
    outbox, written when it is sent (flows/desk/outbox.py), so it shows the latest state."""
    if context.settings.staff_enabled and await outbox.queue_edit(context.db, dc.id):
        sender.wake(context)


# -- announcing ---------------------------------------------------------------------------------
async def announce(context: HotlineContext, case_id: int) -> bool:
    """Queue a committed case's card and files for the staff group, once; True if this call
    queued them (the outbox sender posts them, making the thread first)."""
    if not context.settings.staff_enabled:
        return False
    dc = await desk.get(context.db, case_id)
    if dc is None or dc.announced_at is not None:
        return False
    items = [Item("card", {}, case_id=case_id)]
    evidence = await cases.evidence(context.db, case_id)
    if dc.case.description_voice:
        evidence = [cases.Evidence("voice", dc.case.description_voice), *evidence]
    items += [Item("file", {"kind": e.kind, "file_id": e.file_id}, case_id=case_id)
              for e in evidence]
    if not await desk.queue_announcement(context.db, case_id, items):
        return False
    log.info("case %s announced: queued for the staff group with %d files", case_id,
             len(evidence))
    sender.wake(context)
    return True


async def open_thread(context: HotlineContext, dc: DeskCase, chat_id: int) -> Thread:
    """Make the case's thread in the staff group (a topic where the group has topics)."""
    chat = await context.bot.get_chat(chat_id)
    thread_id = None
    if chat.is_forum:
        with use_language(context.settings.staff_language):
            name = desk_card.topic_name(dc)
        topic = await context.bot.create_forum_topic(chat.id, name)
        thread_id = topic.message_thread_id
    # Stored before anything is posted: the topic is never made twice.
    await desk.create_thread(context.db, dc.id, chat.id, thread_id)
    thread = await desk.thread(context.db, dc.id)
    assert thread is not None
    return thread


async def ensure_thread(context: HotlineContext, case_id: int) -> Thread | None:
    """The case's thread; None (and the case queued for the staff group) if it has none."""
    thread = await desk.thread(context.db, case_id)
    if thread is None:
        await announce(context, case_id)
    return thread


async def queue_text(context: HotlineContext, text: str, case_id: int | None = None, *,
                     about: int | None = None) -> bool:
    """A text for the staff group (the case's thread), through the outbox; `about`: the
    person it names, so /delete finds it. True once it is queued (it will be posted)."""
    if not context.settings.staff_enabled:
        return False
    await outbox.queue(context.db, Item("staff_text", {"text": text}, case_id=case_id,
                                        person_id=about))
    sender.wake(context)
    return True


# -- the repeating sweep -----------------------------------------------------------------------
async def sweep(context: HotlineContext, now: datetime | None = None) -> None:
    """Announce what was never announced; remind of cases nobody claimed. `now` for tests."""
    if not context.settings.staff_enabled:
        return
    for case_id in await desk.unannounced(context.db):
        await announce(context, case_id)
    await remind_unclaimed(context, now or utcnow())


async def remind_unclaimed(context: HotlineContext, now: datetime) -> list[int]:
    """Announce again each case unclaimed for UNCLAIMED_AFTER working hours since it was
    announced (or last reminded, unassigned, reopened); returns their ids."""
    settings = context.settings
    reminded = []
    for dc in await desk.unclaimed(context.db):
        since_text = dc.reminded_at or dc.announced_at
        if since_text is None:  # desk.unclaimed lists announced cases only
            continue
        since = from_text(since_text)
        waited = working_time_between(since, now, settings.working_hours, settings.timezone)
        if waited < settings.unclaimed_after:
            continue
        hours = round(settings.unclaimed_after.total_seconds() / 3600, 1)
        with use_language(settings.staff_language):
            intro = _("⏰ Nobody has claimed {ref} for {hours} working hours.").format(
                ref=dc.reference, hours=f"{hours:g}")
        if settings.on_duty_usernames:
            intro += " " + desk_card.mention(settings.on_duty_usernames)
        # The card again, under the reminder (not as the thread's card).
        item = Item("card", {"intro": intro, "again": True}, case_id=dc.id)
        await desk.queue_reminder(context.db, dc.id, to_text(now), item)
        reminded.append(dc.id)
    if reminded:
        sender.wake(context)
    return reminded


async def run_sweep(context: HotlineContext) -> None:
    """The JobQueue callback."""
    try:
        await sweep(context)
    except Exception:  # a failed round must not stop the job; the next one retries
        log.exception("staff desk sweep failed")


# -- I need help now -------------------------------------------------------------------------
async def alert_help_now(context: HotlineContext, person: User, country: str | None) -> bool:
    """A short alert in the staff group: who (only with their consent) and which country
    (None: typed, not said yet). True when staff have been told (now or a moment ago):
    the alert is queued durably in the outbox, and the sender delivers it."""
    settings = context.settings
    if not settings.staff_enabled:
        return False
    # One alert per person in a while: pressing again and again must not flood the group.
    last = context.person_state.get("help_alerted_at")
    if isinstance(last, (int, float)) and time.time() - last < HELP_ALERT_SECONDS:
        return True
    context.person_state["help_alerted_at"] = time.time()
    user = await users.get(context.db, person.id)
    # Someone with an open anonymous report is named by its alias only: their name next to
    # the alert would undo the anonymity.
    hidden = [c for c in await cases.list_own(context.db, person.id)
              if c.anonymous and c.status != "closed"]
    with use_language(settings.staff_language):
        where = {"KH": _("in Cambodia"), "TH": _("in Thailand")}.get(country or "")
        if hidden:
            who = _("{alias} (anonymous report {ref})").format(
                alias=desk_card.alias(hidden[0]), ref=hidden[0].reference)
        elif user is not None and user.consent_at is not None:
            who = _("{name} (Telegram id {id})").format(name=person.full_name, id=person.id)
        else:
            who = _("someone who has not accepted the privacy notice")
        if country is None:
            text = _("🆘 I need help now: {who} wrote asking for help (where is not known yet). "
                     "They were given the emergency numbers.").format(who=who)
        else:
            text = _("🆘 I need help now: {who} pressed it, {where}. They were given the "
                     "emergency numbers.").format(who=who, where=where)
    if settings.on_duty_usernames:
        text += "\n" + desk_card.mention(settings.on_duty_usernames)
    return await queue_text(context, text, about=person.id)  # queued durably: told
