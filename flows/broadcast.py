"""Admins compose safety-alert broadcasts (/broadcast), follow and control them (/broadcasts).

Only ids in ADMIN_USER_IDS, in a private chat. Anyone else gets the same answer
as for an unknown command or a stale button, so nothing about broadcasts is revealed.
The draft lives in user_data until Confirm; then the broadcast and one outbox row
per recipient are written in one transaction and bot/broadcaster.py sends them.
"""
from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from babel.dates import format_timedelta
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import factcheck, i18n
from bot.context import HotlineContext
from bot.i18n import LANGUAGES, N_, _, format_datetime
from bot.provinces_kh import provinces
from flows import start, ui
from flows.alerts import alert_markup, alert_text
from flows.registry import Flow
from storage import broadcasts
from storage.broadcasts import Audience, Broadcast, Figures
from storage.clock import from_text

if TYPE_CHECKING:
    from bot.broadcaster import Broadcaster

BROADCASTER = "broadcaster"  # key of the sender (bot/broadcaster.py) in application.bot_data
END = ConversationHandler.END
ASK_AUDIENCE, ASK_PROVINCE = "ask_audience", "ask_province"
ASK_KHMER_TEXT, ASK_ENGLISH_TEXT = "ask_khmer_text", "ask_english_text"
ASK_PHOTO, ASK_CONFIRMATION = "ask_photo", "ask_confirmation"
DRAFT = "broadcast_draft"  # user_data key: {"step", "audience", "km", "en", "photo"}
CAPTION_LIMIT = 1024  # characters of a photo caption (Telegram)
LISTED = 10  # broadcasts shown by /broadcasts
PROVINCES_PER_ROW = 3


def is_admin(update: Update, context: HotlineContext) -> bool:
    return update.effective_user is not None and \
        update.effective_user.id in context.settings.admin_user_ids


# -- composing ---------------------------------------------------------------------------
async def on_broadcast_started(update: Update, context: HotlineContext) -> str | int:
    """An admin starts a broadcast: asks who should get it."""
    if not is_admin(update, context):
        await start.on_not_understood(update, context)  # the same as any unknown command
        return END
    context.user_data[DRAFT] = {"step": ASK_AUDIENCE, "id": uuid.uuid4().hex}
    return await ask(update, context, ASK_AUDIENCE)


async def ask(update: Update, context: HotlineContext, step: str) -> str:
    """Sends the question for `step` and remembers it (also to re-ask after odd input)."""
    draft = context.user_data.setdefault(DRAFT, {})
    draft["step"] = step
    cancel = ui.button(_("✖️ Discard"), "bc:discard")
    if step == ASK_AUDIENCE:
        text = _("📣 New safety alert. Who should get it?")
        rows = [[ui.button(_("All subscribers"), "bc:aud:all")],
                [ui.button(_("Subscribers from one province"), "bc:aud:province")],
                [ui.button(_("Subscribers who read Khmer"), "bc:aud:language:km")],
                [ui.button(_("Subscribers who read English"), "bc:aud:language:en")],
                [cancel]]
    elif step == ASK_PROVINCE:
        text = _("Which province?")
        buttons = [ui.button(p.name, f"bc:prov:{p.key}") for p in provinces().all]
        rows = [buttons[i:i + PROVINCES_PER_ROW]
                for i in range(0, len(buttons), PROVINCES_PER_ROW)] + [[cancel]]
    elif step == ASK_KHMER_TEXT:
        text = _("Send the alert text in Khmer. If you have none, press Skip: people who "
                 "read Khmer will then get the English text.")
        rows = [[ui.button(_("Skip"), "bc:skip"), cancel]]
    elif step == ASK_ENGLISH_TEXT:
        text = _("Send the alert text in English, or press Skip: people who read English "
                 "will then get the Khmer text.")
        rows = [[ui.button(_("Skip"), "bc:skip"), cancel]] if draft.get("km") else [[cancel]]
    else:  # ASK_PHOTO
        text = _("Send a photo to go with the alert, or press No photo.")
        rows = [[ui.button(_("No photo"), "bc:nophoto"), cancel]]
    await ui.send(update, context, text, ui.keyboard(rows))
    return step


async def on_audience_chosen(update: Update, context: HotlineContext) -> str:
    """Stores the audience; a province audience asks which province."""
    choice = update.callback_query.data.split(":", 2)[2]
    if choice == "province":
        return await ask(update, context, ASK_PROVINCE)
    context.user_data[DRAFT]["audience"] = choice
    return await ask(update, context, ASK_KHMER_TEXT)


async def on_province_chosen(update: Update, context: HotlineContext) -> str:
    """Stores the province audience."""
    province = provinces().get(update.callback_query.data.split(":", 2)[2])
    if province is None:
        return await ask(update, context, ASK_PROVINCE)
    context.user_data[DRAFT]["audience"] = f"province:{province.key}"
    return await ask(update, context, ASK_KHMER_TEXT)


async def on_text_sent(update: Update, context: HotlineContext) -> str:
    """Stores the Khmer or English text, exactly as typed."""
    draft = context.user_data[DRAFT]
    language = "km" if draft["step"] == ASK_KHMER_TEXT else "en"
    text = update.message.text.strip()
    probe = dict(draft, **{language: text})
    longest = max(len(alert_text(reader, probe.get("km"), probe.get("en"))) for reader in LANGUAGES)
    if longest > ui.MESSAGE_LIMIT:
        await ui.send(update, context, _("That is too long for one message: please make it "
                                         "{count} characters shorter.").format(
            count=longest - ui.MESSAGE_LIMIT))
        return await ask(update, context, draft["step"])
    draft[language] = text
    return await ask(update, context, ASK_ENGLISH_TEXT if language == "km" else ASK_PHOTO)


async def on_text_skipped(update: Update, context: HotlineContext) -> str:
    """Skips the Khmer or English text (one of the two is needed)."""
    draft = context.user_data[DRAFT]
    if draft["step"] == ASK_KHMER_TEXT:
        draft.pop("km", None)
        return await ask(update, context, ASK_ENGLISH_TEXT)
    if not draft.get("km"):
        return await ask(update, context, ASK_ENGLISH_TEXT)  # nothing to send yet
    draft.pop("en", None)
    return await ask(update, context, ASK_PHOTO)


async def on_photo_sent(update: Update, context: HotlineContext) -> str:
    """Stores the photo (its file id) and shows the preview."""
    draft = context.user_data[DRAFT]
    longest = max(len(alert_text(reader, draft.get("km"), draft.get("en"))) for reader in LANGUAGES)
    if longest > CAPTION_LIMIT:
        await ui.send(update, context, _(
            "With a photo the text can be at most {limit} characters, and this alert has "
            "{count}. Press No photo, or press Discard and start again with a shorter text."
        ).format(limit=CAPTION_LIMIT, count=longest))
        return await ask(update, context, ASK_PHOTO)
    draft["photo"] = update.message.photo[-1].file_id
    return await show_preview(update, context)


async def on_photo_skipped(update: Update, context: HotlineContext) -> str:
    """No photo: shows the preview."""
    context.user_data[DRAFT].pop("photo", None)
    return await show_preview(update, context)


async def show_preview(update: Update, context: HotlineContext) -> str:
    """The alert exactly as subscribers will see it, the recipient count, and Confirm."""
    draft = context.user_data[DRAFT]
    draft["step"] = ASK_CONFIRMATION
    audience = Audience.parse(draft["audience"])
    chat_id = update.effective_chat.id
    if update.callback_query is not None:
        await update.callback_query.answer()
    for reader in preview_languages(audience):
        text, markup = (alert_text(reader, draft.get("km"), draft.get("en")),
                        alert_markup(reader, preview=True))
        if draft.get("photo"):
            await context.bot.send_photo(chat_id, draft["photo"], caption=text, reply_markup=markup)
        else:
            await context.bot.send_message(chat_id, text, reply_markup=markup)
    count = await broadcasts.count_recipients(context.db, audience)
    lines = [_("Above: the alert as subscribers will see it."),
             _("Audience: {audience}.").format(audience=audience_name(audience))]
    lines += fallback_notes(draft.get("km"), draft.get("en"))
    if count == 0:
        lines.append(_("Nobody would get it: no subscriber matches this audience."))
        rows = [[ui.button(_("✖️ Discard"), "bc:discard")]]
    else:
        lines.append(_("It will go to {count} people.").format(count=count))
        rows = [[ui.button(_("✅ Confirm and send"), "bc:confirm")],
                [ui.button(_("✖️ Discard"), "bc:discard")]]
    await context.bot.send_message(chat_id, "\n".join(lines), reply_markup=ui.keyboard(rows))
    return ASK_CONFIRMATION


def preview_languages(audience: Audience) -> tuple[str, ...]:
    return (audience.value,) if audience.kind == "language" else LANGUAGES


def fallback_notes(text_km: str | None, text_en: str | None) -> list[str]:
    if not text_km:
        return [_("There is no Khmer text: people who read Khmer will get the English text.")]
    if not text_en:
        return [_("There is no English text: people who read English will get the Khmer text.")]
    return []


def unverified_in(context: HotlineContext, draft: dict) -> list[str]:
    """Phone numbers and web addresses in the alert that the verified directory lacks."""
    directory = context.directory
    found: list[str] = []
    for text in (draft.get("km"), draft.get("en")):
        for item in factcheck.unverified(text or "", directory.numbers, directory.addresses):
            if item not in found:
                found.append(item)
    return found


async def on_confirmed(update: Update, context: HotlineContext) -> str | int:
    """Queues the broadcast for every recipient and starts the progress message; an alert
    with a number or address that is not in the verified directory is refused."""
    draft = context.user_data.get(DRAFT)
    if not is_admin(update, context) or not draft or "audience" not in draft:
        context.user_data.pop(DRAFT, None)
        await start.on_stale_button(update, context)
        return END
    bad = unverified_in(context, draft)
    if bad:
        await update.callback_query.answer()
        text = _("Not sent: the alert shows {items}, which is not in the verified directory. "
                 "Add it to the directory first (with its source), or change the text.")
        await ui.send(update, context, text.format(items=", ".join(bad)), ui.keyboard(
            [[ui.button(_("✖️ Discard"), "bc:discard")]]))
        return ASK_CONFIRMATION
    context.user_data.pop(DRAFT, None)
    broadcast_id, count = await broadcasts.create(
        context.db, audience=Audience.parse(draft["audience"]), text_km=draft.get("km"),
        text_en=draft.get("en"), photo=draft.get("photo"), created_by=update.effective_user.id,
        draft_id=draft.get("id"),
    )
    broadcast = await broadcasts.get(context.db, broadcast_id)
    figures = await broadcasts.figures(context.db, broadcast_id)
    text = _("📣 Broadcast #{id} to {audience}: {status}").format(
        id=broadcast_id, audience=audience_name(broadcast), status=_("sending")) + "\n" + \
        figures_text(figures)
    message = await ui.send(update, context, text, control_markup(broadcast))
    await broadcasts.set_progress_message(context.db, broadcast_id, message.chat_id,
                                          message.message_id)
    sender(context).wake()
    return END


async def on_discarded(update: Update, context: HotlineContext) -> int:
    """Drops the draft; nothing is sent."""
    context.user_data.pop(DRAFT, None)
    await ui.send_main_menu(update, context, _("Discarded. Nothing was sent."))
    return END


async def on_unexpected_input(update: Update, context: HotlineContext) -> str:
    """Anything else while composing: says so kindly and asks the same question again."""
    step = context.user_data.get(DRAFT, {}).get("step", ASK_AUDIENCE)
    if update.callback_query is None:
        await ui.send(update, context, _("Sorry, that is not what I asked for."))
    if step == ASK_CONFIRMATION:
        return await show_preview(update, context)
    return await ask(update, context, step)


# -- following and controlling -----------------------------------------------------------
async def on_broadcasts_listed(update: Update, context: HotlineContext) -> None:
    """Lists the latest broadcasts with their figures, and buttons for running ones."""
    if not is_admin(update, context):
        await start.on_not_understood(update, context)
        return
    listed = await broadcasts.recent(context.db, LISTED)
    if not listed:
        await ui.send(update, context, _("No broadcasts yet. Start one with /broadcast."),
                      ui.keyboard([ui.nav_row()]))
        return
    lines, rows = [], []
    for broadcast in listed:
        figures = await broadcasts.figures(context.db, broadcast.id)
        lines.append(_("#{id} · {when} · {audience} · {status}").format(
            id=broadcast.id,
            when=format_datetime(from_text(broadcast.created_at), context.settings.timezone),
            audience=audience_name(broadcast), status=_(STATUS_NAMES[broadcast.status])))
        lines.append(figures_text(figures))
        markup = control_markup(broadcast)
        if markup is not None:
            rows += [[ui.button(f"#{broadcast.id} {button.text}", button.callback_data)
                      for button in markup.inline_keyboard[0]]]
    await ui.send(update, context, "\n".join(lines), ui.keyboard([*rows, ui.nav_row()]))


async def on_broadcast_controlled(update: Update, context: HotlineContext) -> None:
    """Pause, resume, cancel (asks first) or really cancel a broadcast."""
    if not is_admin(update, context):
        await start.on_stale_button(update, context)
        return
    _prefix, action, number = update.callback_query.data.split(":")
    broadcast_id = int(number)
    if await broadcasts.get(context.db, broadcast_id) is None:
        await start.on_stale_button(update, context)
        return
    if action == "cancel":
        figures = await broadcasts.figures(context.db, broadcast_id)
        await ui.send(update, context, _(
            "Stop broadcast #{id} for good? {count} people have not got it yet and will not "
            "get it.").format(id=broadcast_id, count=figures.queued),
            ui.keyboard([[ui.button(_("⏹ Yes, stop it"), f"bc:stop:{broadcast_id}")],
                         ui.nav_row()]))
        return
    status = {"pause": "paused", "resume": "sending", "stop": "cancelled"}[action]
    changed = await broadcasts.change_status(context.db, broadcast_id, status)
    if changed and status == "sending":
        sender(context).wake()
    elif changed:
        sender(context).status_changed()
    if changed:
        text = {"paused": _("Broadcast #{id} is paused."),
                "sending": _("Broadcast #{id} is sending again."),
                "cancelled": _("Broadcast #{id} is stopped. Nothing more will be sent.")}[status]
    else:
        text = _("Broadcast #{id} cannot be changed now: it is already {status}.")
    broadcast = await broadcasts.get(context.db, broadcast_id)
    await sender(context).show_progress(broadcast_id)
    await ui.send(update, context, text.format(id=broadcast_id,
                                               status=_(STATUS_NAMES[broadcast.status])),
                  ui.keyboard([ui.nav_row()]))


# -- what the admin sees of a broadcast ----------------------------------------------------------------
STATUS_NAMES = {
    "sending": N_("sending"),
    "paused": N_("paused"),
    "cancelled": N_("cancelled"),
    "done": N_("finished"),
}


def audience_name(broadcast_or_audience) -> str:
    audience = getattr(broadcast_or_audience, "audience", broadcast_or_audience)
    if audience.kind == "province":
        province = provinces().get(audience.value)
        name = province.name if province else audience.value
        return _("subscribers from {province}").format(province=name)
    if audience.kind == "language":
        return _("subscribers who read Khmer") if audience.value == "km" else _(
            "subscribers who read English")
    return _("all subscribers")


def figures_text(figures: Figures) -> str:
    return _("Sent {sent} · failed {failed} · blocked {blocked} · not sent yet {queued} "
             "(of {total})").format(
        sent=i18n.format_number(figures.sent), failed=i18n.format_number(figures.failed),
        blocked=i18n.format_number(figures.blocked), queued=i18n.format_number(figures.queued),
        total=i18n.format_number(figures.total))


def progress_text(broadcast: Broadcast, figures: Figures, rate: float) -> str:
    lines = [
        _("📣 Broadcast #{id} to {audience}: {status}").format(
            id=broadcast.id, audience=audience_name(broadcast),
            status=_(STATUS_NAMES[broadcast.status])),
        figures_text(figures),
    ]
    if broadcast.status == "sending" and figures.queued:
        left = timedelta(seconds=figures.queued / rate if rate > 0 else 0)
        lines.append(_("Rate: {rate} a second · time left: about {left}").format(
            rate=i18n.format_number(round(rate, 1)),
            left=format_timedelta(left, locale=i18n.current_language())))
    return "\n".join(lines)


def control_markup(broadcast: Broadcast) -> InlineKeyboardMarkup | None:
    if broadcast.status == "sending":
        row = [ui.button(_("⏸ Pause"), f"bc:pause:{broadcast.id}"),
               ui.button(_("⏹ Cancel"), f"bc:cancel:{broadcast.id}")]
    elif broadcast.status == "paused":
        row = [ui.button(_("▶️ Resume"), f"bc:resume:{broadcast.id}"),
               ui.button(_("⏹ Cancel"), f"bc:cancel:{broadcast.id}")]
    else:
        return None
    return ui.keyboard([row])


def sender(context: HotlineContext) -> Broadcaster:
    return context.bot_data[BROADCASTER]


PRIVATE = filters.ChatType.PRIVATE


def handlers() -> list[BaseHandler]:
    composer = ConversationHandler(
        name="broadcast",
        persistent=True,
        per_message=False,
        entry_points=[CommandHandler("broadcast", on_broadcast_started, filters=PRIVATE)],
        states={
            ASK_AUDIENCE: [CallbackQueryHandler(on_audience_chosen, pattern="^bc:aud:")],
            ASK_PROVINCE: [CallbackQueryHandler(on_province_chosen, pattern="^bc:prov:")],
            ASK_KHMER_TEXT: [MessageHandler(filters.TEXT & ~filters.COMMAND, on_text_sent),
                             CallbackQueryHandler(on_text_skipped, pattern="^bc:skip$")],
            ASK_ENGLISH_TEXT: [MessageHandler(filters.TEXT & ~filters.COMMAND, on_text_sent),
                               CallbackQueryHandler(on_text_skipped, pattern="^bc:skip$")],
            ASK_PHOTO: [MessageHandler(filters.PHOTO, on_photo_sent),
                        CallbackQueryHandler(on_photo_skipped, pattern="^bc:nophoto$")],
            ASK_CONFIRMATION: [CallbackQueryHandler(on_confirmed, pattern="^bc:confirm$")],
        },
        fallbacks=[
            *start.exit_handlers(),
            CallbackQueryHandler(on_discarded, pattern="^bc:discard$"),
            MessageHandler(PRIVATE, on_unexpected_input),
            CallbackQueryHandler(on_unexpected_input, pattern="^bc:"),
        ],
    )
    return [
        CommandHandler("broadcasts", on_broadcasts_listed, filters=PRIVATE),
        CallbackQueryHandler(on_broadcast_controlled,
                             pattern=r"^bc:(pause|resume|cancel|stop):\d+$"),
        composer,
    ]


# No menu entry and no public command: admins know /broadcast and /broadcasts.
FLOW = Flow(name="broadcast", handlers=handlers)
