"""Who is writing: runs before every flow (handler group -1).

Sets the language for this update from the person's stored choice. The users
row is read once and then cached in user_data, and last_seen is written at most
once a day, so an ordinary update costs no database round trip here.
"""
from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot import i18n
from bot.context import HotlineContext
from storage import users
from storage.clock import utcnow


async def load_person(update: Update, context: HotlineContext) -> None:
    person = update.effective_user
    if person is None or person.is_bot:
        i18n.set_language(i18n.DEFAULT_LANGUAGE)
        return
    data = context.person_state
    today = utcnow().date().isoformat()
    private = update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE
    if private and ("lang" not in data or data.get("seen_on") != today):
        row = await users.get_or_create(
            context.db, person.id, i18n.language_from_telegram(person.language_code)
        )
        data["lang"], data["seen_on"] = row.language, today
    i18n.set_language(data.get("lang") or i18n.language_from_telegram(person.language_code))


async def choose_language(context: HotlineContext, person_id: int, language: str) -> None:
    """Store the person's language choice and use it from this message on."""
    await users.set_language(context.db, person_id, language)
    context.person_state["lang"] = language
    i18n.set_language(language)
