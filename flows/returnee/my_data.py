"""A returnee's data rights: /mydata (what the hotline keeps, as a message and a JSON file)
and /delete (after a confirmation, everything about them goes; their cases stay only as
anonymous figures, and the staff threads are told).

These handlers are exit handlers (flows/__init__.py), so they work in the middle of a form
and leave it. Buttons: MyData, DeleteAsked, DeleteAnswer("yes" | "no").
"""
from __future__ import annotations

import json
import logging
from typing import Any, cast

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    filters,
)

from bot.content.provinces_kh import provinces
from bot.context import HotlineContext
from bot.i18n import LANGUAGE_NAMES, N_, _, format_date, use_language
from bot.jobs import sender
from bot.state import kept_between_messages
from flows import ui
from flows.callbacks import DeleteAnswer, DeleteAsked, MyData
from flows.desk import thread as desk_thread
from flows.registry import Command, Flow
from flows.returnee import case_texts, my_cases
from storage import cases, desk, privacy
from storage.clock import from_text, now_text

log = logging.getLogger(__name__)

END = ConversationHandler.END  # these are exit handlers: they leave any conversation
PRIVATE = filters.ChatType.PRIVATE
FILE_NAME = "my-data.json"
NOTHING_STORED: dict[str, Any] = {"profile": None, "reports": [], "alerts": None}


def session_data(context: HotlineContext) -> dict[str, Any]:
    """What the bot keeps between messages (an unfinished report, ...), without bookkeeping."""
    return kept_between_messages(context.person_state)


# -- /mydata ---------------------------------------------------------------------------------
async def on_mydata(update: Update, context: HotlineContext) -> int:
    """Sends what the hotline keeps about the person: a short summary and the full JSON file."""
    person = ui.person_id(update)
    stored = await privacy.stored_about(context.db, person)
    session = session_data(context)
    if _nothing_kept(stored) and not session:
        await ui.send(update, context, _("The hotline keeps nothing about you except your "
                                         "Telegram id and language, which it needs to answer "
                                         "you."), ui.keyboard([ui.nav_row()]))
        return END
    if update.callback_query is not None:
        await update.callback_query.answer()
    await context.bot.send_document(
        ui.chat_id(update), as_json(stored, session), filename=FILE_NAME,
        caption=_("Everything the hotline keeps about you, as a file."))
    await ui.send(update, context, summary(context, stored or NOTHING_STORED, session),
                  ui.keyboard([[ui.button(_("🗑 Delete my data"), DeleteAsked().pack())],
                               ui.nav_row()]))
    log.info("a person received their data")
    return END


def summary(context: HotlineContext, stored: dict[str, Any], session: dict[str, Any]) -> str:
    """The short summary, in the person's language."""
    lines = [_("📄 What the hotline keeps about you:"), ""]
    profile = stored.get("profile")
    if profile:
        lines.append(_("• Language: {language}. First message: {first}.").format(
            language=LANGUAGE_NAMES[profile["language"]], first=_day(context, profile["first_seen"])))
        if profile["consent_at"]:
            lines.append(_("• You accepted the privacy notice on {day}.").format(
                day=_day(context, profile["consent_at"])))
    reports = stored["reports"]
    if reports:
        lines.append(_("• Reports: {refs}. With them: {messages} messages and {files} "
                       "photos or files.").format(
            refs=", ".join(r["reference"] for r in reports),
            messages=sum(len(r["messages"]) for r in reports),
            files=sum(len(r["evidence"]) for r in reports)))
    else:
        lines.append(_("• Reports: none."))
    alerts = stored.get("alerts")
    if alerts is None:
        lines.append(_("• Safety alerts: never chosen."))
    elif alerts["subscribed"]:
        province = provinces().get(alerts["province"]) if alerts["province"] else None
        lines.append(_("• Safety alerts: on. Home province: {province}.").format(
            province=province.name if province else "-"))
    else:
        lines.append(_("• Safety alerts: off."))
    if session:
        lines.append(_("• Saved between messages: what you were doing (for example an "
                       "unfinished report)."))
    lines += ["", _("The file above has all of it. Photos and files are kept as Telegram "
                    "file references, not as copies. To delete everything: /delete")]
    return "\n".join(lines)


def _day(context: HotlineContext, stored_time: str) -> str:
    return format_date(from_text(stored_time), context.settings.timezone)


def as_json(stored: dict[str, Any] | None, session: dict[str, Any]) -> bytes:
    """The full export: the stored rows, with readable names for categories and statuses."""
    stored = stored or NOTHING_STORED
    reports = []
    for report in stored["reports"]:
        case = cases.Case(kind=report["kind"], draft_id="", reporter_id=0,
                          reporter_language=report["reporter_language"],
                          category=report["category"], contact=report["contact"])
        status_label = my_cases.STATUS_LABELS[report["status"]]
        reports.append(dict(report, title=case_texts.title(case), status_name=_(status_label)))
    data = {"generated_at": now_text(), **stored, "reports": reports,
            "saved_between_messages": session}
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


# -- /delete ---------------------------------------------------------------------------------
async def on_delete_asked(update: Update, context: HotlineContext) -> int:
    """Says what deleting removes and keeps, and asks to confirm with a button."""
    stored = await privacy.stored_about(context.db, ui.person_id(update))
    if _nothing_kept(stored) and not session_data(context):
        await forget(update, context)  # marks them deleted again; does no harm
        await ui.send(update, context, _("There is nothing left to delete: the hotline keeps "
                                         "no data about you."))
        return END
    count = len(stored["reports"]) if stored else 0
    text = "\n".join([
        _("🗑 Delete all your data?"), "",
        _("This removes at once and for good: your language and privacy choice, your safety "
          "alerts, any unfinished report, and from your reports ({count}) everything you wrote "
          "or sent: messages, photos, files, names and phone number.").format(count=count),
        _("Hotline staff are told, and they cannot help you further with these reports. "
          "Only anonymous figures stay: kind of problem, province, dates and result."),
    ])
    await ui.send(update, context, text, ui.keyboard([
        [ui.button(_("🗑 Yes, delete everything"), DeleteAnswer("yes").pack())],
        [ui.button(_("↩️ No, keep my data"), DeleteAnswer("no").pack())],
    ]))
    return END


def _nothing_kept(stored: dict[str, Any] | None) -> bool:
    if stored is None:
        return True
    profile = stored["profile"]
    return not (stored["reports"] or stored["alerts"] or profile["consent_at"]
                or profile["gender"] or stored["alert_deliveries"]["received"]
                or stored["alert_deliveries"]["waiting"])


async def on_delete_answered(update: Update, context: HotlineContext) -> int:
    """"Delete all your data?" answered."""
    button = DeleteAnswer.parse(ui.query_data(update))
    if button is not None and button.answer == "yes":
        return await on_delete_confirmed(update, context)
    return await on_delete_cancelled(update, context)


async def on_delete_confirmed(update: Update, context: HotlineContext) -> int:
    """Deletes everything now, tells the staff threads, and says what happened."""
    had_session = bool(session_data(context))
    result = await forget(update, context)
    if not (result.found or had_session):
        await ui.send(update, context, _("There is nothing left to delete: the hotline keeps "
                                         "no data about you."))
        return END
    await ui.send(update, context, _(
        "✅ Your data is deleted. Your reports stay only as anonymous figures.\n\n"
        "If you write to this bot again, you start fresh."), ui.keyboard([ui.nav_row()]))
    for case_id in result.case_ids:
        await tell_thread(context, case_id)
    return END


async def on_delete_cancelled(update: Update, context: HotlineContext) -> int:
    """Keeps everything and shows the menu."""
    await ui.send_main_menu(update, context, _("Nothing was deleted."))
    return END


async def forget(update: Update, context: HotlineContext) -> privacy.Deletion:
    """The deletion itself: the database in one transaction, then the in-memory session."""
    person = ui.person_id(update)
    result = await privacy.delete_person(context.db, person)
    cast(dict[str, Any], context.person_state).clear()  # every key, whatever it is
    context.application.drop_user_data(person)
    sender.wake(context)  # the copies in the staff group go (privacy.delete_person queued it)
    log.info("a person deleted their data: %d case(s) erased, %d closed",
             len(result.case_ids), len(result.closed_case_ids))
    return result


async def tell_thread(context: HotlineContext, case_id: int) -> None:
    """In the case's thread: show the erased card and say what happened (the copies of what
    the person sent were queued for removal with the deletion itself)."""
    thread = await desk.thread(context.db, case_id)
    dc = await desk.get(context.db, case_id)
    if thread is None or dc is None or not context.settings.staff_enabled:
        return
    await desk_thread.refresh_card(context, dc)
    with use_language(context.settings.staff_language):
        text = _("🗑 The returnee deleted their data. {ref} stays only as anonymous figures "
                 "and nothing can be sent to them. Please delete any copies you keep "
                 "(messages here, screenshots, notes).").format(ref=dc.reference)
    await desk_thread.queue_text(context, text, case_id)


def exit_handlers() -> list[BaseHandler]:
    """They leave any conversation (flows/__init__.py exit_handlers)."""
    return [
        CommandHandler("mydata", on_mydata, filters=PRIVATE),
        CommandHandler("delete", on_delete_asked, filters=PRIVATE),
        CallbackQueryHandler(on_mydata, pattern=MyData.pattern),
        CallbackQueryHandler(on_delete_asked, pattern=DeleteAsked.pattern),
        CallbackQueryHandler(on_delete_answered, pattern=DeleteAnswer.pattern),
    ]


FLOW = Flow(
    name="my_data",
    handlers=lambda exits: [],  # its handlers are exit handlers (registered with start's)
    commands=(
        Command("mydata", N_("See what the hotline keeps about you")),
        Command("delete", N_("Delete your data")),
    ),
)
