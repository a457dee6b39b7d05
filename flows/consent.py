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

import re

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.context import HotlineContext
from bot.i18n import _
from bot.intents import EMERGENCY
from bot.people import CONSENTED, load_person
from flows import help_now, recruiters, start, ui, understand
from storage import users

# What was sent before consent waits in memory only (bot_data is not persisted): nothing a
# person sends is stored before they accepted the notice. A restart forgets it.
HELD = "held_before_consent"   # bot_data: person id -> ("message", Bot API JSON) | ("button", data)
MAX_HELD = 10_000
# Buttons that work before consent: choosing the language (which is the consent), help in
# danger, the privacy buttons (what is kept, delete it), and buttons under messages the bot
# sends on its own to people who consented before (alerts, follow-ups about a case).
OPEN_BUTTONS = re.compile(r"^(lang:.*|now(:[A-Z]{2})?|menu:now|pv:.*|al:.*|fu:.*)$")


async def before_flows(update: Update, context: HotlineContext) -> None:
    """Sets the language (load_person), then holds anything sent before consent."""
    await load_person(update, context)
    person, chat = update.effective_user, update.effective_chat
    if person is None or person.is_bot or chat is None or chat.type != ChatType.PRIVATE:
        return
    recruiters.forget(update, context)  # a button elsewhere: the check stops taking names
    if context.user_data.get(CONSENTED) or await _has_consented(context, person.id):
        return
    settings = context.settings
    if person.id in settings.admin_user_ids or person.id in settings.staff_user_ids:
        return  # the hotline's own people (a broadcast composer, staff trying the bot)
    query, message = update.callback_query, update.message
    if query is not None:
        if OPEN_BUTTONS.match(query.data or ""):
            return
        hold(context, person.id, ("button", query.data))  # the latest one counts
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


def held(context: HotlineContext) -> dict:
    return context.bot_data.setdefault(HELD, {})


def hold(context: HotlineContext, person_id: int, item: tuple) -> None:
    waiting = held(context)
    waiting.pop(person_id, None)
    if len(waiting) >= MAX_HELD:  # the oldest goes first
        waiting.pop(next(iter(waiting)))
    waiting[person_id] = item


async def _has_consented(context: HotlineContext, person_id: int) -> bool:
    user = await users.get(context.db, person_id)
    if user is None or user.consent_at is None:
        return False
    context.user_data[CONSENTED] = True
    return True


async def after_consent(update: Update, context: HotlineContext, greeting: str) -> None:
    """After the language was chosen: on with what the person sent before, or the menu."""
    intro = greeting + "\n\n" + _("What would you like to do? Choose below.")
    context.user_data[CONSENTED] = True
    kind, value = held(context).pop(update.effective_user.id, (None, None))
    if kind == "message":
        await ui.send(update, context, greeting)
        try:
            again = Update.de_json({"update_id": 0, "message": value}, context.bot)
        except (KeyError, TypeError, ValueError):
            again = None
        if again is not None:
            await context.application.update_queue.put(again)  # answered next, as if new
            return
    if kind == "button" and isinstance(value, str) and value.isascii() \
            and len(value) <= ui.CALLBACK_DATA_LIMIT:
        label = next((_(e.label) for e in context.menu_entries if e.callback_data == value),
                     _("where you were going"))
        markup = ui.main_menu_markup(context)
        rows = [[ui.button(_("➡️ Continue: {label}").format(label=label), value)],
                *markup.inline_keyboard]
        await ui.send(update, context, intro, ui.keyboard(rows))
        return
    await ui.send_main_menu(update, context, intro)
