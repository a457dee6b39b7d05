"""Consent first, whatever the first message is: the privacy notice and the language choice.

Runs before every flow (handler group -1, after bot.people.load_person). Someone
who has not accepted the notice and sends anything but a command, or presses a
button other than a language, "I need help now" or the privacy buttons, gets the
greeting instead; what they sent waits (in memory only) and is handled once they chose
a language (the message goes back in the update queue; a button gets a Continue button).
Safety before paperwork: typed words of danger get the emergency numbers at once.
Commands keep their own answers (/start is the greeting; the others check themselves).
"""
from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, BaseHandler, CallbackQueryHandler, ConversationHandler

from bot.content.intents import EMERGENCY
from bot.context import HotlineContext
from bot.i18n import LANGUAGES, _
from bot.people import choose_language, load_person
from bot.state import HeldItem
from flows import callbacks, ui
from flows.callbacks import Callback, Language
from flows.returnee import alerts, help_now, recruiters, start, understand
from storage import users

# What was sent before consent waits in memory only (bot_data["held_before_consent"] is not
# persisted): nothing a person sends is stored before they accepted the notice. A restart
# forgets it.
MAX_HELD = 10_000
END = ConversationHandler.END
# Buttons that work before consent: choosing the language (which is the consent), help in
# danger, the privacy buttons (what is kept, delete it), and buttons under messages the bot
# sends on its own to people who consented before (alerts, follow-ups about a case).
OPEN_KINDS: tuple[type[Callback], ...] = (
    callbacks.Language, callbacks.HelpNow,
    callbacks.MyData, callbacks.DeleteAsked, callbacks.DeleteAnswer,
    callbacks.AlertsWanted, callbacks.AlertsShown, callbacks.AlertsOn, callbacks.AlertsOff,
    callbacks.StopAlerts, callbacks.StopAlertsPreview, callbacks.AlertsProvince,
    callbacks.FollowupAnswer, callbacks.FollowupSatisfaction, callbacks.StopReminders,
    callbacks.RemindersOff, callbacks.RemindersOn,
)


def opens_before_consent(data: str | None) -> bool:
    return data == help_now.ENTRY.callback_data or any(
        kind.parse(data) is not None for kind in OPEN_KINDS)


async def before_flows(update: Update, context: HotlineContext) -> None:
    """Sets the language (load_person), then holds anything sent before consent."""
    await load_person(update, context)
    person, chat = update.effective_user, update.effective_chat
    if person is None or person.is_bot or chat is None or chat.type != ChatType.PRIVATE:
        return
    recruiters.forget(update, context)  # a button elsewhere: the check stops taking names
    if context.person_state.get("consented") or await _has_consented(context, person.id):
        return
    settings = context.settings
    if person.id in settings.admin_user_ids or person.id in settings.staff_user_ids:
        return  # the hotline's own people (a broadcast composer, staff trying the bot)
    query, message = update.callback_query, update.message
    if query is not None:
        if opens_before_consent(query.data):
            return
        hold(context, person.id, ("button", query.data or ""))  # the latest one counts
    elif message is not None:
        if message.text and message.text.startswith("/"):
            return
        match = understand.MATCHER.match(message.text) if message.text else None
        if match is not None and match.intent == EMERGENCY:
            await help_now.answer_typed(update, context)  # the numbers before the paperwork
            held(context).pop(person.id, None)
        else:
            hold(context, person.id, ("message", message.to_dict()))
    else:
        return  # an edited message, a reaction ...: nothing to answer
    await start.on_start(update, context)
    raise ApplicationHandlerStop


def held(context: HotlineContext) -> dict[int, HeldItem]:
    return context.bot_data.setdefault("held_before_consent", {})


def hold(context: HotlineContext, person_id: int, item: HeldItem) -> None:
    waiting = held(context)
    waiting.pop(person_id, None)
    if len(waiting) >= MAX_HELD:  # the oldest goes first
        waiting.pop(next(iter(waiting)))
    waiting[person_id] = item


async def _has_consented(context: HotlineContext, person_id: int) -> bool:
    user = await users.get(context.db, person_id)
    if user is None or user.consent_at is None:
        return False
    context.person_state["consented"] = True
    return True


async def after_consent(update: Update, context: HotlineContext, greeting: str) -> None:
    """After the language was chosen: on with what the person sent before, or the menu."""
    intro = greeting + "\n\n" + _("What would you like to do? Choose below.")
    context.person_state["consented"] = True
    item = held(context).pop(ui.person_id(update), None)
    if item is not None and item[0] == "message":
        await ui.send(update, context, greeting)
        try:
            again = Update.de_json({"update_id": 0, "message": item[1]}, context.bot)
        except (KeyError, TypeError, ValueError):
            again = None
        if again is not None:
            await context.application.update_queue.put(again)  # answered next, as if new
            return
    value = item[1] if item is not None and item[0] == "button" else None
    if value and value.isascii() and len(value.encode()) <= callbacks.DATA_LIMIT:
        label = next((_(e.label) for e in context.menu_entries if e.callback_data == value),
                     _("where you were going"))
        markup = ui.main_menu_markup(context)
        rows = [[ui.button(_("➡️ Continue: {label}").format(label=label), value)],
                *markup.inline_keyboard]
        await ui.send(update, context, intro, ui.keyboard(rows))
        return
    await ui.send_main_menu(update, context, intro)


async def on_language_chosen(update: Update, context: HotlineContext) -> int:
    """Stores the chosen language and shows the main menu in it."""
    chosen = Language.parse(ui.query_data(update))
    if chosen is None or chosen.code not in LANGUAGES:
        await ui.send_stale(update, context)
        return END
    person = ui.person_id(update)
    await choose_language(context, person, chosen.code)
    # The greeting that offered these buttons said what is kept and who sees it.
    await users.record_consent(context.db, person)
    await alerts.offer_once(update, context)  # the safety-alerts question, first time only
    # On with what they sent before the notice, or the menu.
    await after_consent(update, context, _("I will write to you in English."))
    return END


def exit_handlers() -> list[BaseHandler]:
    """The language buttons of the greeting leave any conversation (they are the consent)."""
    return [CallbackQueryHandler(on_language_chosen, pattern=Language.pattern)]
