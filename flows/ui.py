"""Shared pieces of what people see: sending, the main menu, navigation buttons."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)

from bot.content.directory import Contact
from bot.context import HotlineContext
from bot.i18n import _
from flows.callbacks import Menu

MAIN_MENU = Menu().pack()  # callback data of every "Main menu" button
CALLBACK_DATA_LIMIT = 64  # bytes (Telegram)
MESSAGE_LIMIT = 4096  # characters (Telegram)


def button(label: str, data: str) -> InlineKeyboardButton:
    """An inline button; callback data must be short ASCII, never a translated label."""
    if not data.isascii() or len(data.encode()) > CALLBACK_DATA_LIMIT:
        raise ValueError(f"callback data must be ASCII and at most 64 bytes: {data!r}")
    return InlineKeyboardButton(label, callback_data=data)


def keyboard(rows: Iterable[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in rows if row])


def main_menu_button() -> InlineKeyboardButton:
    return button(_("🏠 Main menu"), MAIN_MENU)


def nav_row(back: str | None = None) -> list[InlineKeyboardButton]:
    """Back (when there is somewhere to go back to) and Main menu."""
    row = [button(_("⬅️ Back"), back)] if back else []
    return [*row, main_menu_button()]


def main_menu_markup(context: HotlineContext) -> InlineKeyboardMarkup:
    return keyboard(
        [button(_(entry.label), entry.callback_data)] for entry in context.menu_entries
    )


async def send(
    update: Update,
    context: HotlineContext,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> Message:
    """Answer in the chat the update came from; a pressed button is acknowledged first."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    chat = update.effective_chat
    assert chat is not None
    return await context.bot.send_message(chat.id, text, reply_markup=markup)


async def send_main_menu(update: Update, context: HotlineContext, intro: str | None = None) -> None:
    text = intro or _("What would you like to do? Choose below.")
    await send(update, context, text, main_menu_markup(context))


# -- what a handler's update has (PTB types these Optional) ----------------------------------
def user_of(update: Update) -> User:
    """Who sent the message or pressed the button (a handler for people's updates)."""
    user = update.effective_user
    if user is None:
        raise RuntimeError("a handler got an update without a user")
    return user


def message_of(update: Update) -> Message:
    """The message of a command or a text (the handler's filters make sure there is one)."""
    message = update.effective_message
    if message is None:
        raise RuntimeError("a handler got an update without a message")
    return message


def query_of(update: Update) -> CallbackQuery:
    """The pressed button of a CallbackQueryHandler's update."""
    query = update.callback_query
    if query is None:
        raise RuntimeError("a button handler got an update without a callback query")
    return query


# Also for the returnee flows (appended by them): the person's id, the chat, the data of a
# pressed button, and the answer to a stale one.
def person_id(update: Update) -> int:
    return user_of(update).id


def chat_id(update: Update) -> int:
    """The chat the update came from."""
    chat = update.effective_chat
    if chat is None:
        raise RuntimeError("a handler got an update without a chat")
    return chat.id


def query_data(update: Update) -> str | None:
    """The callback data of the pressed button; None for anything else (a kind's parse()
    takes it as it is and answers None, so it is answered as stale)."""
    query = update.callback_query
    return query.data if query is not None else None


async def send_stale(update: Update, context: HotlineContext) -> None:
    """A button no handler knows or whose data is no longer valid (an old message, an update
    of the bot, forged data): say so and show the menu."""
    await send_main_menu(update, context, _("That button no longer works. Here is the menu."))


# -- a verified contact as people read it (data/directory.csv) ---------------------------
def short_contact_line(contact: Contact) -> str:
    return _("☎️ {number}: {who}").format(number=contact.number, who=contact.who)


def contact_line(contact: Contact) -> str:
    return _("☎️ {number}: {who}. {use}.").format(
        number=contact.number, who=contact.who, use=contact.use
    )
