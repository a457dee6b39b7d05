"""Figures and listings for staff in the staff group: /stats [FROM TO] (with a chart),
/recruiters_unlisted [DAYS], /facts [all], and the admin command /export FROM TO."""
from __future__ import annotations

import io
from datetime import datetime, timedelta

from telegram import Update

from bot.admin import charts, reports
from bot.content import facts
from bot.context import HotlineContext
from bot.i18n import _
from domain.khmer import clean_input
from flows import ui
from flows.desk import access as desk_access
from storage import desk, recruiters
from storage.clock import to_text, utcnow

EXAMPLE_RANGE = "2026-01-01 2026-03-31"  # how to type a range, outside the catalogs
UNLISTED_DAYS, UNLISTED_LIMIT = 30, 20
PART = 4000  # characters per message of a long listing (Telegram allows 4096)


async def on_stats(update: Update, context: HotlineContext) -> None:
    """/stats [FROM TO]: figures for a date range (default: everything)."""
    if not await desk_access.staff_only(update, context):
        return
    message = ui.message_of(update)
    try:
        start_day, end_day = reports.parse_range(context.args or [])
    except ValueError:
        await message.reply_text(_("Write it like /stats {example}.").format(
            example=EXAMPLE_RANGE))
        return
    figures = await reports.gather(context.db, context.settings, start_day, end_day)
    await message.reply_text(reports.render(figures)[:PART])
    await desk.record(context.db, ui.user_of(update).id, None, "stats")
    png = await charts.chart_png(context.db, context.settings, utcnow())
    await message.reply_photo(
        png, caption=_("📈 Cases per week by category, and open cases by status"),
        filename="hotline-chart.png")


async def on_recruiters_unlisted(update: Update, context: HotlineContext) -> None:
    """/recruiters_unlisted [DAYS]: names people looked up that are not on the licence list."""
    if not await desk_access.staff_only(update, context):
        return
    message = ui.message_of(update)
    typed = clean_input(" ".join(context.args or []))
    days = int(typed) if typed.isdigit() and 0 < int(typed) <= 3650 else None
    if typed and days is None:
        await message.reply_text(
            # example: how to type the command, not a fact
            _("Write it like /recruiters_unlisted 30 (the last 30 days)."))
        return
    days = days or UNLISTED_DAYS
    since = to_text(utcnow() - timedelta(days=days))
    asked = await recruiters.most_asked(context.db, "unlisted", since, UNLISTED_LIMIT)
    lines = [_("🔎 Recruiters people asked about that are not on the licence list, last "
               "{days} days (most asked first):").format(days=days)]
    lines += [f"{count} × {name}" for name, count in asked] or [_("None.")]
    await message.reply_text("\n".join(lines)[:PART])


async def on_facts(update: Update, context: HotlineContext) -> None:
    """/facts [all]: facts checked longer ago than FACTS_MAX_AGE (or all), with sources."""
    if not await desk_access.staff_only(update, context):
        return
    found = await facts.all_facts(context.db, context.directory, context.content)
    today = datetime.now(context.settings.timezone).date()
    text = facts.render(found, today, context.settings.facts_max_age_months,
                        everything=(context.args or [""])[0] == "all")
    for offset in range(0, len(text), PART):  # a long listing in several messages
        await ui.message_of(update).reply_text(text[offset:offset + PART])


async def on_export(update: Update, context: HotlineContext) -> None:
    """/export FROM TO (admins): the donor CSV, without free text, names or phones."""
    if not await desk_access.staff_only(update, context, admin=True):
        return
    message = ui.message_of(update)
    try:
        start_day, end_day = reports.parse_range(context.args or [])
    except ValueError:
        await message.reply_text(_("Write it like /export {example}.").format(
            example=EXAMPLE_RANGE))
        return
    buffer = io.StringIO()
    count = await reports.export_cases(context.db, context.settings, buffer, start_day, end_day,
                                       with_details=False,
                                       staff_id=ui.user_of(update).id)
    today = datetime.now(context.settings.timezone).date()
    name = f"cases-{start_day or 'start'}-{end_day or today}.csv"
    # A BOM, so that Excel reads the Khmer labels as UTF-8.
    await message.reply_document(buffer.getvalue().encode("utf-8-sig"), filename=name,
                                 caption=_("{count} cases").format(count=count))


COMMANDS = {"stats": on_stats, "recruiters_unlisted": on_recruiters_unlisted,
            "facts": on_facts, "export": on_export}
