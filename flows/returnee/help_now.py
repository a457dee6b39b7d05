"""I need help now: where are you, then the emergency numbers there and what to say.

The numbers are the directory's emergency entries for that country
(data/directory.csv, column emergency), so staff change them in one place.
Buttons: HelpNow() asks the question again, HelpNow("KH") / HelpNow("TH") answer it.
"""
from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.content.directory import COUNTRIES
from bot.context import HotlineContext
from bot.i18n import N_, _
from flows import ui
from flows.callbacks import HelpNow
from flows.desk import thread as desk_thread
from flows.registry import Flow, MenuEntry

ENTRY = MenuEntry("now", N_("🆘 I need help now"), order=10)


async def on_help_now(update: Update, context: HotlineContext) -> None:
    """Asks where the person is, so the right numbers can be given."""
    text = _("If you or someone else is in danger or hurt, call for help now.\n\nWhere are you now?")
    await ui.send(update, context, text, ui.keyboard([country_row(), ui.nav_row()]))


def country_row() -> list[InlineKeyboardButton]:
    return [ui.button(_("🇰🇭 In Cambodia"), HelpNow("KH").pack()),
            ui.button(_("🇹🇭 In Thailand"), HelpNow("TH").pack())]


async def on_help_now_button(update: Update, context: HotlineContext) -> None:
    """"Where are you now?" answered, or asked again (a Back button)."""
    button = HelpNow.parse(ui.query_data(update))
    if button is None or button.country not in COUNTRIES:
        await on_help_now(update, context)
        return
    await on_country_chosen(update, context, button.country)


async def on_country_chosen(update: Update, context: HotlineContext, country: str) -> None:
    """Gives the emergency numbers of that country and what to say when calling."""
    lines = [_("In Cambodia, call:") if country == "KH" else _("In Thailand, call:")]
    lines += [ui.contact_line(contact) for contact in context.directory.emergency(country)]
    # The numbers first, in a message of their own: easy to find and tap in a hurry.
    await ui.send(update, context, "\n".join(lines))
    advice = [_(
        "When you call, say:\n"
        "• that you need help, and your name\n"
        "• where you are: province, district, village, or a place people know nearby\n"
        "• what is happening, and if someone is hurt\n"
        "• a phone number where they can call you back\n"
        "Speak slowly and stay on the line until they tell you to hang up."
    )]
    if country == "TH":
        # fact: no Khmer support confirmed on Thai hotlines; 191 has no foreign-language
        # service (thethaiger.com 2023); domain-facts §0.3 and §1a, 2026-02
        advice += ["", _(
            "These lines may have no one who speaks Khmer. If you can, ask someone who "
            "speaks Thai to call with you or for you."
        )]
    else:
        # fact: Child Helpline Cambodia up to 25, free, 24h (childhelplinecambodia.org); ILO
        # psychosocial support and women's peer network (miragenews 1578951); domain-facts §1a
        # and §2, 2026-02
        advice += ["", _(
            "Not in danger, but it is too much? Children and young people up to 25 can call "
            "{child_helpline} (free, day and night). Hotline staff can also put you in touch "
            "with counselling, and with a network of women who came back: write to them under "
            "📣 Report a problem."
        ).format(child_helpline=context.directory["child_helpline"].number)]
    if await desk_thread.alert_help_now(context, ui.user_of(update), country):
        advice += ["", told_text()]
    # Not ui.send: the button was already acknowledged with the first message.
    await context.bot.send_message(ui.chat_id(update), "\n".join(advice),
                                   reply_markup=ui.keyboard([ui.nav_row(back=HelpNow().pack())]))


def told_text() -> str:
    return _("🔔 Hotline staff have been told. They will write to you here as soon as they can; "
             "if you are in danger, do not wait: call a number above.")


async def answer_typed(update: Update, context: HotlineContext,
                       also: list[list[InlineKeyboardButton]] | None = None) -> None:
    """Typed words of danger ("help", "ជួយផង", "locked in"): every emergency number at once,
    before any question, and staff alerted as the menu entry does."""
    lines = [_("If you or someone else is in danger or hurt, call for help now."),
             "", _("In Cambodia, call:")]
    lines += [ui.contact_line(contact) for contact in context.directory.emergency("KH")]
    lines += ["", _("In Thailand, call:")]
    lines += [ui.contact_line(contact) for contact in context.directory.emergency("TH")]
    await ui.send(update, context, "\n".join(lines))
    told = await desk_thread.alert_help_now(context, ui.user_of(update), None)
    text = told_text() if told else ""
    text += ("\n\n" if text else "") + _("Where are you now? I will tell you what to say "
                                         "when you call.")
    rows = [country_row(), *(also or []), ui.nav_row()]
    await context.bot.send_message(ui.chat_id(update), text, reply_markup=ui.keyboard(rows))


def handlers(exits: Sequence[BaseHandler]) -> list[BaseHandler]:
    return [
        CallbackQueryHandler(on_help_now, pattern=ENTRY.pattern),
        CallbackQueryHandler(on_help_now_button, pattern=HelpNow.pattern),
    ]


FLOW = Flow(name="help_now", handlers=handlers, menu=(ENTRY,))
