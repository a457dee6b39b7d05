"""What an admin reads about a safety-alert broadcast: its audience, figures, progress and
control buttons. Shared by the composer (flows/admin/broadcast.py), /broadcasts
(flows/admin/broadcast_control.py), the progress message the sender edits
(bot/jobs/alert_lane.py) and the command line (bot/admin/broadcast_cli.py); this module imports no handlers.
"""
from __future__ import annotations

from datetime import timedelta

from babel.dates import format_timedelta
from telegram import InlineKeyboardMarkup

from bot import i18n
from bot.content.provinces_kh import provinces
from bot.i18n import N_, _
from flows import ui
from flows.callbacks import BroadcastControl
from storage.broadcasts import Audience, Broadcast, Figures

STATUS_NAMES = {
    "sending": N_("sending"),
    "paused": N_("paused"),
    "cancelled": N_("cancelled"),
    "done": N_("finished"),
}


def audience_name(broadcast_or_audience: Broadcast | Audience) -> str:
    audience = broadcast_or_audience.audience if isinstance(
        broadcast_or_audience, Broadcast) else broadcast_or_audience
    if audience.kind == "province":
        province = provinces().get(audience.value)
        name = province.name if province else audience.value
        return _("subscribers from {province}").format(province=name)
    if audience.kind == "language":
        return _("subscribers who read Khmer") if audience.value == "km" else _(
            "subscribers who read English")
    return _("all subscribers")


def fallback_notes(text_km: str | None, text_en: str | None) -> list[str]:
    """What readers of the missing language get instead."""
    if not text_km:
        return [_("There is no Khmer text: people who read Khmer will get the English text.")]
    if not text_en:
        return [_("There is no English text: people who read English will get the Khmer text.")]
    return []


def figures_text(figures: Figures) -> str:
    return _("Sent {sent} · failed {failed} · blocked {blocked} · not sent yet {queued} "
             "(of {total})").format(
        sent=i18n.format_number(figures.sent), failed=i18n.format_number(figures.failed),
        blocked=i18n.format_number(figures.blocked), queued=i18n.format_number(figures.queued),
        total=i18n.format_number(figures.total))


def progress_text(broadcast: Broadcast, figures: Figures, rate: float) -> str:
    lines = [
        _("📣 Broadcast #{id} to {audience}: {status}").format(
            id=broadcast.id, audience=audience_name(broadcast),
            status=_(STATUS_NAMES[broadcast.status])),
        figures_text(figures),
    ]
    if broadcast.status == "sending" and figures.queued:
        left = timedelta(seconds=figures.queued / rate if rate > 0 else 0)
        lines.append(_("Rate: {rate} a second · time left: about {left}").format(
            rate=i18n.format_number(round(rate, 1)),
            left=format_timedelta(left, locale=i18n.current_language())))
    return "\n".join(lines)


def control_markup(broadcast: Broadcast) -> InlineKeyboardMarkup | None:
    """Pause or Resume, and Cancel, while the broadcast is not finished."""
    if broadcast.status == "sending":
        row = [ui.button(_("⏸ Pause"), BroadcastControl("pause", broadcast.id).pack()),
               ui.button(_("⏹ Cancel"), BroadcastControl("cancel", broadcast.id).pack())]
    elif broadcast.status == "paused":
        row = [ui.button(_("▶️ Resume"), BroadcastControl("resume", broadcast.id).pack()),
               ui.button(_("⏹ Cancel"), BroadcastControl("cancel", broadcast.id).pack())]
    else:
        return None
    return ui.keyboard([row])
