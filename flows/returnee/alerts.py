"""Safety alerts for subscribers: the onboarding question, /alerts, home province, Stop alerts.

Also what an alert looks like (alert_text, alert_markup): the sender, the
admin's preview and the command line all use these, so the preview is exact.
"""
from __future__ import annotations

from collections.abc import Sequence

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    filters,
)

from bot.content.provinces_kh import provinces
from bot.context import HotlineContext
from bot.i18n import N_, _
from flows import ui
from flows.callbacks import (
    AlertsOff,
    AlertsOn,
    AlertsProvince,
    AlertsShown,
    AlertsWanted,
    StopAlerts,
    StopAlertsPreview,
)
from flows.registry import Command, Flow, MenuEntry
from storage import subscribers

ALERTS = MenuEntry("alerts", N_("🔔 Safety alerts"), order=800)
# StopAlerts is the button under every alert; StopAlertsPreview the same button in an
# admin's preview: it changes nothing.
PROVINCES_PER_ROW = 2
NO_PROVINCE = "none"  # AlertsProvince: "I prefer not to say"


# -- onboarding ----------------------------------------------------------------------
async def offer_once(update: Update, context: HotlineContext) -> None:
    """Asks whether the person wants safety alerts, the first time only (onboarding)."""
    if not await subscribers.mark_asked(context.db, ui.person_id(update)):
        return
    text = _(
        "Would you like safety alerts from the hotline? We send warnings about fake job "
        "offers and human trafficking, and important announcements. Not often."
    )
    markup = ui.keyboard([[ui.button(_("✅ Yes, send me alerts"), AlertsWanted("yes").pack()),
                           ui.button(_("No, thank you"), AlertsWanted("no").pack())]])
    await ui.send(update, context, text, markup)


async def on_alerts_answered(update: Update, context: HotlineContext) -> None:
    """Stores the answer to the onboarding question and shows the main menu."""
    button = AlertsWanted.parse(ui.query_data(update))
    wanted = button is not None and button.answer == "yes"
    await subscribers.set_subscribed(context.db, ui.person_id(update), wanted)
    if wanted:
        intro = _("Thank you. You will get safety alerts. To get alerts for your home "
                  "province too, choose it in 🔔 Safety alerts (/alerts).")
    else:
        intro = _("OK, no alerts. You can turn them on any time with /alerts.")
    await ui.send_main_menu(update, context, intro + "\n\n" + _("What would you like to do? Choose below."))


# -- /alerts ---------------------------------------------------------------------------
async def on_alerts_shown(update: Update, context: HotlineContext) -> None:
    """Shows whether alerts are on, the home province, and buttons to change them."""
    await show_settings(update, context)


async def show_settings(update: Update, context: HotlineContext, intro: str | None = None) -> None:
    choice = await subscribers.get(context.db, ui.person_id(update))
    lines = [intro] if intro else []
    if choice is not None and choice.subscribed:
        province = provinces().get(choice.province) if choice.province else None
        lines.append(_("🔔 Safety alerts are ON."))
        lines.append(
            _("Home province: {province}.").format(province=province.name)
            if province else _("Home province: not given.")
        )
        rows = [[ui.button(_("📍 Home province"), AlertsProvince().pack())],
                [ui.button(_("🔕 Turn alerts off"), AlertsOff().pack())]]
    else:
        lines.append(_("🔕 Safety alerts are OFF."))
        rows = [[ui.button(_("🔔 Turn alerts on"), AlertsOn().pack())]]
    lines.append(_("Alerts warn about fake job offers and human trafficking, and bring "
                   "important announcements."))
    await ui.send(update, context, "\n".join(lines), ui.keyboard([*rows, ui.nav_row()]))


async def on_alerts_turned_on(update: Update, context: HotlineContext) -> None:
    """Turns alerts on and offers the home province."""
    await subscribers.set_subscribed(context.db, ui.person_id(update), True)
    await show_settings(update, context, _("Done: you will get safety alerts."))


async def on_alerts_turned_off(update: Update, context: HotlineContext) -> None:
    """Turns alerts off (from /alerts or the Stop alerts button under an alert)."""
    await subscribers.set_subscribed(context.db, ui.person_id(update), False)
    await show_settings(update, context, _("Done: no more alerts. You can turn them on again "
                                           "here any time."))


async def on_preview_button_pressed(update: Update, context: HotlineContext) -> None:
    """The Stop alerts button of a preview: says what it does for subscribers."""
    if update.callback_query is not None:
        await update.callback_query.answer(
            _("This is the preview: for subscribers this button stops the alerts."),
            show_alert=True)


async def on_province_asked(update: Update, context: HotlineContext) -> None:
    """Offers the 25 provinces as buttons."""
    buttons = [ui.button(p.name, AlertsProvince(p.key).pack()) for p in provinces().all]
    rows = [buttons[i:i + PROVINCES_PER_ROW] for i in range(0, len(buttons), PROVINCES_PER_ROW)]
    rows.append([ui.button(_("I prefer not to say"), AlertsProvince(NO_PROVINCE).pack())])
    await ui.send(update, context, _("Which province is your home?"),
                  ui.keyboard([*rows, ui.nav_row(back=AlertsShown().pack())]))


async def on_province_button(update: Update, context: HotlineContext) -> None:
    """"📍 Home province" (the list of provinces) or one of them chosen."""
    button = AlertsProvince.parse(ui.query_data(update))
    if button is None or not button.key:
        await on_province_asked(update, context)
        return
    await on_province_chosen(update, context, button.key)


async def on_province_chosen(update: Update, context: HotlineContext, key: str) -> None:
    """Stores the home province (or none) and shows the alert settings."""
    province = provinces().get(key)
    if province is None and key != NO_PROVINCE:
        await show_settings(update, context)  # an old or forged button
        return
    await subscribers.set_province(context.db, ui.person_id(update),
                                   province.key if province else None)
    await show_settings(update, context, _("Saved."))


async def on_bot_blocked_or_unblocked(update: Update, context: HotlineContext) -> None:
    """Telegram says the person blocked (or unblocked) the bot in their private chat."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    if change.new_chat_member.status == ChatMember.BANNED:
        await subscribers.mark_unreachable(context.db, change.chat.id)
    elif change.new_chat_member.status == ChatMember.MEMBER:
        await subscribers.mark_reachable(context.db, change.chat.id)


PRIVATE = filters.ChatType.PRIVATE


def handlers(exits: Sequence[BaseHandler]) -> list[BaseHandler]:
    provinces()  # a malformed data/provinces_kh.csv stops start-up here, naming the line
    return [
        CommandHandler("alerts", on_alerts_shown, filters=PRIVATE),
        CallbackQueryHandler(on_alerts_shown, pattern=ALERTS.pattern),
        CallbackQueryHandler(on_alerts_shown, pattern=AlertsShown.pattern),
        CallbackQueryHandler(on_alerts_answered, pattern=AlertsWanted.pattern),
        CallbackQueryHandler(on_alerts_turned_on, pattern=AlertsOn.pattern),
        CallbackQueryHandler(on_alerts_turned_off, pattern=AlertsOff.pattern),
        CallbackQueryHandler(on_alerts_turned_off, pattern=StopAlerts.pattern),
        CallbackQueryHandler(on_preview_button_pressed, pattern=StopAlertsPreview.pattern),
        CallbackQueryHandler(on_province_button, pattern=AlertsProvince.pattern),
        ChatMemberHandler(on_bot_blocked_or_unblocked, ChatMemberHandler.MY_CHAT_MEMBER),
    ]


FLOW = Flow(
    name="alerts",
    handlers=handlers,
    menu=(ALERTS,),
    commands=(Command("alerts", N_("Safety alerts: on or off, home province")),),
)
