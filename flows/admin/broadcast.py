"""Admins compose safety-alert broadcasts (/broadcast): audience, Khmer and English text,
an optional photo, a preview with the number of recipients, then Confirm.

Only ids in ADMIN_USER_IDS, in a private chat. Anyone else gets the same answer
as for an unknown command or a stale button, so nothing about broadcasts is revealed.
The draft lives in user_data["broadcast_draft"] (bot/state.py BroadcastDraft) until
Confirm; then the broadcast and one outbox row per recipient are written (a chunk per
transaction) and the sender's alert lane (bot/jobs/alert_lane.py) sends them.
/broadcasts and the buttons that pause, resume and cancel are in
flows/admin/broadcast_control.py.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence

from telegram import InlineKeyboardButton, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.content import factcheck
from bot.content.provinces_kh import provinces
from bot.context import HotlineContext
from bot.i18n import LANGUAGES, _
from bot.jobs import sender
from bot.state import BroadcastDraft
from flows import ui
from flows.admin import broadcast_control
from flows.admin.broadcast_control import is_admin
from flows.admin.broadcast_texts import (
    audience_name,
    control_markup,
    fallback_notes,
    figures_text,
)
from flows.callbacks import (
    COMPOSER_KINDS,
    BroadcastAudience,
    BroadcastConfirm,
    BroadcastDiscard,
    BroadcastNoPhoto,
    BroadcastProvince,
    BroadcastSkip,
)
from flows.registry import Flow
from flows.returnee import understand
from flows.returnee.alert_texts import alert_markup, alert_text
from storage import broadcasts
from storage.broadcasts import Audience

END = ConversationHandler.END
ASK_AUDIENCE, ASK_PROVINCE = "ask_audience", "ask_province"
ASK_KHMER_TEXT, ASK_ENGLISH_TEXT = "ask_khmer_text", "ask_english_text"
ASK_PHOTO, ASK_CONFIRMATION = "ask_photo", "ask_confirmation"
CAPTION_LIMIT = 1024  # characters of a photo caption (Telegram)
PROVINCES_PER_ROW = 3


def draft_of(context: HotlineContext) -> BroadcastDraft:
    """The draft being composed (an empty one if persistence lost it)."""
    return context.person_state.setdefault("broadcast_draft", {})


def longest_text(draft: BroadcastDraft) -> int:
    """Characters of the alert as its longest reader's version will be."""
    return max(len(alert_text(reader, draft.get("km"), draft.get("en"))) for reader in LANGUAGES)


def discard_button() -> InlineKeyboardButton:
    return ui.button(_("✖️ Discard"), BroadcastDiscard().pack())


# -- composing ---------------------------------------------------------------------------
async def on_broadcast_started(update: Update, context: HotlineContext) -> str | int:
    """An admin starts a broadcast: asks who should get it."""
    if not is_admin(update, context):
        await understand.not_understood(update, context)  # the same as any unknown command
        return END
    context.person_state["broadcast_draft"] = {"step": ASK_AUDIENCE, "id": uuid.uuid4().hex}
    return await ask(update, context, ASK_AUDIENCE)


async def ask(update: Update, context: HotlineContext, step: str) -> str:
    """Sends the question for `step` and remembers it (also to re-ask after odd input)."""
    draft = draft_of(context)
    draft["step"] = step
    cancel = discard_button()
    if step == ASK_AUDIENCE:
        text = _("📣 New safety alert. Who should get it?")
        rows = [[ui.button(_("All subscribers"), BroadcastAudience("all").pack())],
                [ui.button(_("Subscribers from one province"),
                           BroadcastAudience("province").pack())],
                [ui.button(_("Subscribers who read Khmer"),
                           BroadcastAudience("language", "km").pack())],
                [ui.button(_("Subscribers who read English"),
                           BroadcastAudience("language", "en").pack())],
                [cancel]]
    elif step == ASK_PROVINCE:
        text = _("Which province?")
        buttons = [ui.button(p.name, BroadcastProvince(p.key).pack()) for p in provinces().all]
        rows = [buttons[i:i + PROVINCES_PER_ROW]
                for i in range(0, len(buttons), PROVINCES_PER_ROW)] + [[cancel]]
    elif step == ASK_KHMER_TEXT:
        text = _("Send the alert text in Khmer. If you have none, press Skip: people who "
                 "read Khmer will then get the English text.")
        rows = [[ui.button(_("Skip"), BroadcastSkip().pack()), cancel]]
    elif step == ASK_ENGLISH_TEXT:
        text = _("Send the alert text in English, or press Skip: people who read English "
                 "will then get the Khmer text.")
        rows = [[ui.button(_("Skip"), BroadcastSkip().pack()), cancel]] if draft.get("km") \
            else [[cancel]]
    else:  # ASK_PHOTO
        text = _("Send a photo to go with the alert, or press No photo.")
        rows = [[ui.button(_("No photo"), BroadcastNoPhoto().pack()), cancel]]
    await ui.send(update, context, text, ui.keyboard(rows))
    return step


async def on_audience_chosen(update: Update, context: HotlineContext) -> str:
    """Stores the audience; a province audience asks which province."""
    chosen = BroadcastAudience.parse(ui.query_of(update).data)
    if chosen is None or (chosen.kind == "language") != bool(chosen.language):
        return await ask(update, context, ASK_AUDIENCE)  # forged: ask again
    if chosen.kind == "province":
        return await ask(update, context, ASK_PROVINCE)
    draft_of(context)["audience"] = str(Audience(chosen.kind, chosen.language or None))
    return await ask(update, context, ASK_KHMER_TEXT)


async def on_province_chosen(update: Update, context: HotlineContext) -> str:
    """Stores the province audience."""
    chosen = BroadcastProvince.parse(ui.query_of(update).data)
    province = None if chosen is None else provinces().get(chosen.province)
    if province is None:
        return await ask(update, context, ASK_PROVINCE)
    draft_of(context)["audience"] = str(Audience("province", province.key))
    return await ask(update, context, ASK_KHMER_TEXT)


async def on_text_sent(update: Update, context: HotlineContext) -> str:
    """Stores the Khmer or English text, exactly as typed."""
    draft = draft_of(context)
    step = draft.get("step", ASK_KHMER_TEXT)
    message = update.message
    text = ((message.text if message else None) or "").strip()
    probe = draft.copy()
    if step == ASK_KHMER_TEXT:
        probe["km"] = text
    else:
        probe["en"] = text
    longest = longest_text(probe)
    if longest > ui.MESSAGE_LIMIT:
        await ui.send(update, context, _("That is too long for one message: please make it "
                                         "{count} characters shorter.").format(
            count=longest - ui.MESSAGE_LIMIT))
        return await ask(update, context, step)
    context.person_state["broadcast_draft"] = probe
    return await ask(update, context, ASK_ENGLISH_TEXT if step == ASK_KHMER_TEXT else ASK_PHOTO)


async def on_text_skipped(update: Update, context: HotlineContext) -> str:
    """Skips the Khmer or English text (one of the two is needed)."""
    draft = draft_of(context)
    if draft.get("step") == ASK_KHMER_TEXT:
        draft.pop("km", None)
        return await ask(update, context, ASK_ENGLISH_TEXT)
    if not draft.get("km"):
        return await ask(update, context, ASK_ENGLISH_TEXT)  # nothing to send yet
    draft.pop("en", None)
    return await ask(update, context, ASK_PHOTO)


async def on_photo_sent(update: Update, context: HotlineContext) -> str:
    """Stores the photo (its file id) and shows the preview."""
    draft = draft_of(context)
    longest = longest_text(draft)
    if longest > CAPTION_LIMIT:
        await ui.send(update, context, _(
            "With a photo the text can be at most {limit} characters, and this alert has "
            "{count}. Press No photo, or press Discard and start again with a shorter text."
        ).format(limit=CAPTION_LIMIT, count=longest))
        return await ask(update, context, ASK_PHOTO)
    photos = update.message.photo if update.message else ()
    if not photos:
        return await ask(update, context, ASK_PHOTO)
    draft["photo"] = photos[-1].file_id
    return await show_preview(update, context)


async def on_photo_skipped(update: Update, context: HotlineContext) -> str:
    """No photo: shows the preview."""
    draft_of(context).pop("photo", None)
    return await show_preview(update, context)


async def show_preview(update: Update, context: HotlineContext) -> str:
    """The alert exactly as subscribers will see it, the recipient count, and Confirm."""
    draft = draft_of(context)
    if "audience" not in draft:  # the draft was lost: start from the audience again
        return await ask(update, context, ASK_AUDIENCE)
    draft["step"] = ASK_CONFIRMATION
    audience = Audience.parse(draft["audience"])
    chat = update.effective_chat
    if chat is None:
        raise RuntimeError("a broadcast preview outside a chat")
    if update.callback_query is not None:
        await update.callback_query.answer()
    for reader in preview_languages(audience):
        text, markup = (alert_text(reader, draft.get("km"), draft.get("en")),
                        alert_markup(reader, preview=True))
        photo = draft.get("photo")
        if photo:
            await context.bot.send_photo(chat.id, photo, caption=text, reply_markup=markup)
        else:
            await context.bot.send_message(chat.id, text, reply_markup=markup)
    count = await broadcasts.count_recipients(context.db, audience)
    lines = [_("Above: the alert as subscribers will see it."),
             _("Audience: {audience}.").format(audience=audience_name(audience))]
    lines += fallback_notes(draft.get("km"), draft.get("en"))
    if count == 0:
        lines.append(_("Nobody would get it: no subscriber matches this audience."))
        rows = [[discard_button()]]
    else:
        lines.append(_("It will go to {count} people.").format(count=count))
        rows = [[ui.button(_("✅ Confirm and send"), BroadcastConfirm().pack())],
                [discard_button()]]
    await context.bot.send_message(chat.id, "\n".join(lines), reply_markup=ui.keyboard(rows))
    return ASK_CONFIRMATION


def preview_languages(audience: Audience) -> tuple[str, ...]:
    if audience.kind == "language" and audience.value:
        return (audience.value,)
    return LANGUAGES


def unverified_in(context: HotlineContext, draft: BroadcastDraft) -> list[str]:
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
    draft = context.person_state.get("broadcast_draft")
    if not is_admin(update, context) or not draft or "audience" not in draft:
        context.person_state.pop("broadcast_draft", None)
        await ui.send_stale(update, context)
        return END
    bad = unverified_in(context, draft)
    if bad:
        await ui.query_of(update).answer()
        text = _("Not sent: the alert shows {items}, which is not in the verified directory. "
                 "Add it to the directory first (with its source), or change the text.")
        await ui.send(update, context, text.format(items=", ".join(bad)),
                      ui.keyboard([[discard_button()]]))
        return ASK_CONFIRMATION
    context.person_state.pop("broadcast_draft", None)
    broadcast_id, _count = await broadcasts.create(
        context.db, audience=Audience.parse(draft["audience"]), text_km=draft.get("km"),
        text_en=draft.get("en"), photo=draft.get("photo"),
        created_by=ui.user_of(update).id,
        draft_id=draft.get("id"),
    )
    broadcast = await broadcasts.get(context.db, broadcast_id)
    if broadcast is None:
        raise RuntimeError(f"broadcast {broadcast_id} vanished right after it was created")
    figures = await broadcasts.figures(context.db, broadcast_id)
    text = _("📣 Broadcast #{id} to {audience}: {status}").format(
        id=broadcast_id, audience=audience_name(broadcast), status=_("sending")) + "\n" + \
        figures_text(figures)
    message = await ui.send(update, context, text, control_markup(broadcast))
    await broadcasts.set_progress_message(context.db, broadcast_id, message.chat_id,
                                          message.message_id)
    sender.wake(context)  # the alert lane starts on it now
    return END


async def on_discarded(update: Update, context: HotlineContext) -> int:
    """Drops the draft; nothing is sent."""
    context.person_state.pop("broadcast_draft", None)
    await ui.send_main_menu(update, context, _("Discarded. Nothing was sent."))
    return END


async def on_unexpected_input(update: Update, context: HotlineContext) -> str:
    """Anything else while composing: says so kindly and asks the same question again."""
    step = draft_of(context).get("step", ASK_AUDIENCE)
    if update.callback_query is None:
        await ui.send(update, context, _("Sorry, that is not what I asked for."))
    if step == ASK_CONFIRMATION:
        return await show_preview(update, context)
    return await ask(update, context, step)


PRIVATE = filters.ChatType.PRIVATE
TEXT = filters.TEXT & ~filters.COMMAND


def handlers(exits: Sequence[BaseHandler]) -> list[BaseHandler]:
    # A composer button of another step (an older message): that step's question again.
    other_steps: list[BaseHandler] = [
        CallbackQueryHandler(on_unexpected_input, pattern=kind.pattern) for kind in COMPOSER_KINDS]
    composer = ConversationHandler(
        name="broadcast",
        persistent=True,
        per_message=False,
        entry_points=[CommandHandler("broadcast", on_broadcast_started, filters=PRIVATE)],
        states={
            ASK_AUDIENCE: [CallbackQueryHandler(on_audience_chosen,
                                                pattern=BroadcastAudience.pattern)],
            ASK_PROVINCE: [CallbackQueryHandler(on_province_chosen,
                                                pattern=BroadcastProvince.pattern)],
            ASK_KHMER_TEXT: [MessageHandler(TEXT, on_text_sent),
                             CallbackQueryHandler(on_text_skipped, pattern=BroadcastSkip.pattern)],
            ASK_ENGLISH_TEXT: [MessageHandler(TEXT, on_text_sent),
                               CallbackQueryHandler(on_text_skipped,
                                                    pattern=BroadcastSkip.pattern)],
            ASK_PHOTO: [MessageHandler(filters.PHOTO, on_photo_sent),
                        CallbackQueryHandler(on_photo_skipped, pattern=BroadcastNoPhoto.pattern)],
            ASK_CONFIRMATION: [CallbackQueryHandler(on_confirmed,
                                                    pattern=BroadcastConfirm.pattern)],
        },
        fallbacks=[
            *exits,
            CallbackQueryHandler(on_discarded, pattern=BroadcastDiscard.pattern),
            MessageHandler(PRIVATE, on_unexpected_input),
            *other_steps,
        ],
    )
    return [*broadcast_control.handlers(), composer]


# No menu entry and no public command: admins know /broadcast and /broadcasts.
FLOW = Flow(name="broadcast", handlers=handlers)
