"""First contact, language, main menu, help, about, cancel, and answers to anything else.

/start, /menu, /help, /language and /cancel work from any state: they are among the
exit handlers (flows/__init__.py) every conversation gets for its fallbacks, and these
callbacks return END so the conversation is left.
"""
from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import HotlineContext
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, N_, _
from flows import ui
from flows.callbacks import DeleteAsked, Language, Menu, MyData
from flows.registry import Command, Flow, MenuEntry, exact_pattern
from flows.returnee import understand
from storage import users

END = ConversationHandler.END
LANGUAGE = MenuEntry("language", N_("🌐 Language / ភាសា"), order=900)
HELP = MenuEntry("help", N_("❓ Help"), order=910)
ABOUT = MenuEntry("about", N_("ℹ️ About and privacy"), order=920)


def language_markup() -> InlineKeyboardMarkup:
    return ui.keyboard([[ui.button(LANGUAGE_NAMES[code], Language(code).pack())
                         for code in LANGUAGES]])


async def on_start(update: Update, context: HotlineContext) -> int:
    """Greets the person, says what the hotline does and keeps private, asks for a language."""
    await ui.send(update, context, "\n\n".join([
        _("Hello! This is a hotline for Cambodian workers who came back from Thailand. "
          "Ask about safe migration, recruiters, unpaid wages and services, or report a problem "
          "to hotline staff."),
        privacy_notice(),
        _("Please choose your language below. Choosing it means you agree to this."),
    ]), language_markup())
    return END


def privacy_notice() -> str:
    """What is stored, who sees it, how to see and delete it: shown before any consent."""
    return _(
        "🔒 Privacy: the bot keeps your language, your reports and what you send about them "
        "(messages, photos, files, phone number if you give it). It is kept private and seen "
        "only by hotline staff. "
        "You can report without your name. /mydata shows what is kept; /delete deletes it."
    )


async def on_language_asked(update: Update, context: HotlineContext) -> int:
    """Offers the two languages again (/language or the menu entry); the privacy notice first
    to someone who has not accepted it (choosing a language accepts it)."""
    user = await users.get(context.db, ui.person_id(update))
    if user is None or user.consent_at is None:
        return await on_start(update, context)
    await ui.send(update, context, _("Choose your language:"), language_markup())
    return END


async def on_menu(update: Update, context: HotlineContext) -> int:
    """Shows the main menu (/menu or any Main menu button)."""
    await ui.send_main_menu(update, context)
    return END


async def on_help(update: Update, context: HotlineContext) -> int:
    """Says what the bot can do and gives the verified emergency numbers."""
    lines = [_("This bot can help you with:")]
    lines += [f"• {_(entry.label)}" for entry in context.menu_entries]
    lines += ["", _("Commands: /menu main menu, /language change language, /cancel stop what you are doing.")]
    # Short lines: the menu already names every topic, and "I need help now" explains more.
    lines += ["", _("In an emergency in Cambodia, call:")]
    lines += [ui.short_contact_line(c) for c in context.directory.emergency("KH")]
    lines += ["", _("In an emergency in Thailand, call:")]
    lines += [ui.short_contact_line(c) for c in context.directory.emergency("TH")]
    await ui.send(update, context, "\n".join(lines), ui.keyboard([ui.nav_row()]))
    return END


async def on_about(update: Update, context: HotlineContext) -> int:
    """Who runs the hotline, and privacy in one paragraph."""
    operator = context.settings.operator_name
    who = (
        _("This hotline is run by {operator}.").format(operator=operator)
        if operator
        else _("The hotline staff are case workers from organisations that support migrant workers.")
    )
    privacy = _(
        "Privacy: what you tell this bot is stored on the hotline's own server. Only hotline "
        "staff can read it. We never give it to employers, recruiters or brokers, and we share "
        "your name with a partner organisation only if you allow it."
    )
    rights = _("/mydata shows what is kept about you; /delete deletes it. The personal details "
               "of a report are erased {period} after it is closed; only anonymous figures "
               "stay.").format(period=retention_period(context.settings.retention_days))
    await ui.send(update, context, f"{who}\n\n{privacy}\n\n{rights}",
                  ui.keyboard([[ui.button(_("📄 My data"), MyData().pack()),
                                ui.button(_("🗑 Delete my data"), DeleteAsked().pack())],
                               ui.nav_row()]))
    return END


def retention_period(days: int) -> str:
    """'12 months' for 365 days: long periods in months (three digits read like a phone)."""
    if days < 100:
        return _("{days} days").format(days=days)
    return _("{months} months").format(months=round(days / 30.44))


async def on_cancel(update: Update, context: HotlineContext) -> int:
    """Stops whatever the person was doing and shows the menu."""
    await ui.send_main_menu(update, context, _("Stopped. Nothing more will happen with that.")
                            + "\n\n" + _("What would you like to do? Choose below."))
    return END


async def on_not_understood(update: Update, context: HotlineContext) -> None:
    """Anything no flow took (a sticker, a location): likely topics and the menu, never silence."""
    await understand.not_understood(update, context)


async def on_stale_button(update: Update, context: HotlineContext) -> None:
    """A button no handler knows (old message, after an update of the bot), or one whose
    data no longer parses: every flow answers those here."""
    await ui.send_stale(update, context)


PRIVATE = filters.ChatType.PRIVATE


def exit_handlers() -> list[BaseHandler]:
    """start's handlers that leave any conversation (flows/__init__.py exit_handlers)."""
    return [
        CommandHandler("start", on_start, filters=PRIVATE),
        CommandHandler("menu", on_menu, filters=PRIVATE),
        CommandHandler("help", on_help, filters=PRIVATE),
        CommandHandler("language", on_language_asked, filters=PRIVATE),
        CommandHandler("cancel", on_cancel, filters=PRIVATE),
        CallbackQueryHandler(on_menu, pattern=exact_pattern(Menu())),
    ]


def handlers(exits: Sequence[BaseHandler]) -> list[BaseHandler]:
    """The exit handlers (every flow's) answer outside conversations too."""
    return [
        *exits,
        CallbackQueryHandler(on_language_asked, pattern=LANGUAGE.pattern),
        CallbackQueryHandler(on_help, pattern=HELP.pattern),
        CallbackQueryHandler(on_about, pattern=ABOUT.pattern),
    ]


def catch_all_handlers() -> list[BaseHandler]:
    """Registered after every flow: they answer only what nothing else took."""
    return [
        MessageHandler(PRIVATE, on_not_understood),
        CallbackQueryHandler(on_stale_button),
    ]


FLOW = Flow(
    name="start",
    handlers=handlers,
    menu=(LANGUAGE, HELP, ABOUT),
    commands=(
        Command("start", N_("Start again")),
        Command("menu", N_("Main menu")),
        Command("help", N_("What this bot can do, emergency numbers")),
        Command("language", N_("Change language")),
        Command("cancel", N_("Stop what you are doing")),
    ),
)
