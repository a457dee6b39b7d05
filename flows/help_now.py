"""I need help now: where are you, then the emergency numbers there and what to say.

The numbers are the directory's emergency entries for that country
(data/directory.csv, column emergency), so staff change them in one place.
Callback data: "now" asks the question again, "now:KH" / "now:TH" answer it.
"""
from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import HotlineContext
from bot.directory import COUNTRIES
from bot.i18n import N_, _
from flows import desk_thread, ui
from flows.registry import Flow, MenuEntry
from flows.start import contact_line

ENTRY = MenuEntry("now", N_("🆘 I need help now"), order=10)


async def on_help_now(update: Update, context: HotlineContext) -> None:
    """Asks where the person is, so the right numbers can be given."""
    text = _("If you or someone else is in danger or hurt, call for help now.\n\nWhere are you now?")
    markup = ui.keyboard([
        [ui.button(_("🇰🇭 In Cambodia"), "now:KH"), ui.button(_("🇹🇭 In Thailand"), "now:TH")],
        ui.nav_row(),
    ])
    await ui.send(update, context, text, markup)


async def on_country_chosen(update: Update, context: HotlineContext) -> None:
    """Gives the emergency numbers of that country and what to say when calling."""
    country = update.callback_query.data.partition(":")[2]
    if country not in COUNTRIES:
        await on_help_now(update, context)
        return
    if country == "KH":
        lines = [_("In Cambodia, call:")]
    else:
        lines = [_("In Thailand, call:")]
    lines += [contact_line(contact) for contact in context.directory.emergency(country)]
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
    # Not ui.send: the button was already acknowledged with the first message.
    await context.bot.send_message(update.effective_chat.id, "\n".join(advice),
                                   reply_markup=ui.keyboard([ui.nav_row(back="now")]))
    await desk_thread.alert_help_now(context, update.effective_user, country)


def handlers() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(on_help_now, pattern=ENTRY.pattern),
        CallbackQueryHandler(on_help_now, pattern="^now$"),
        CallbackQueryHandler(on_country_chosen, pattern="^now:"),
    ]


FLOW = Flow(name="help_now", handlers=handlers, menu=(ENTRY,))
