"""What a safety alert looks like to a subscriber (the sender's alert lane renders it; no handlers)."""
from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.i18n import _, use_language
from flows import ui
from flows.callbacks import StopAlerts, StopAlertsPreview


def alert_body(language: str, text_km: str | None, text_en: str | None) -> str:
    """The admin's text for this reader: their language, else the other one."""
    own, other = (text_km, text_en) if language == "km" else (text_en, text_km)
    return (own or other or "").strip()


def alert_text(language: str, text_km: str | None, text_en: str | None) -> str:
    """The whole alert as a subscriber reading `language` sees it."""
    with use_language(language):
        return "\n\n".join([
            _("🔔 Safety alert from the hotline"),
            alert_body(language, text_km, text_en),
            _("You get these alerts because you said yes. To stop them, press the button below."),
        ])


def alert_markup(language: str, *, preview: bool = False) -> InlineKeyboardMarkup:
    """The Stop alerts button; in a preview it looks the same but unsubscribes nobody."""
    with use_language(language):
        stop = StopAlertsPreview() if preview else StopAlerts()
        return ui.keyboard([[ui.button(_("🔕 Stop alerts"), stop.pack())]])
