"""Figures for staff and donors: /stats, `python -m bot stats` and `python -m bot export cases`.

Dates are days in TIMEZONE, both ends included. The export leaves out free
text, names and phone numbers unless asked for them (--with-details), and
every export is written to the audit log.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import os
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TextIO

from bot.i18n import _, format_money, use_language
from bot.settings import Settings
from storage import desk, reports
from storage.cases import reference
from storage.privacy import alias_code
from storage.clock import from_text, to_text, utcnow
from storage.db import Database
from storage.desk import DeskCase


@dataclass
class Figures:
    start: date | None
    end: date | None
    total: int = 0
    by_category: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)
    by_province: Counter = field(default_factory=Counter)
    by_gender: Counter = field(default_factory=Counter)
    # Where reporters live now in Cambodia, and that by gender ("battambang/woman").
    by_home_province: Counter = field(default_factory=Counter)
    by_home_province_gender: Counter = field(default_factory=Counter)
    first_response: timedelta | None = None  # median
    responded: int = 0
    closing: timedelta | None = None  # median
    closed: int = 0
    recovered: dict[str, Decimal] = field(default_factory=dict)


def parse_range(args: list[str]) -> tuple[date | None, date | None]:
    """[] / [FROM] / [FROM, TO] as YYYY-MM-DD; ValueError otherwise."""
    if len(args) > 2:
        raise ValueError("at most two dates")
    days = [date.fromisoformat(arg) for arg in args]
    start = days[0] if days else None
    end = days[1] if len(days) > 1 else None
    if start and end and end < start:
        raise ValueError("the end is before the start")
    return start, end


def bounds(settings: Settings, start: date | None,
           end: date | None) -> tuple[str | None, str | None]:
    """Local days -> stored UTC text: [start 00:00, the day after end 00:00)."""
    tz = settings.timezone
    low = to_text(datetime.combine(start, time(0), tzinfo=tz)) if start else None
    high = to_text(datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz)) if end else None
    return low, high


async def gather(db: Database, settings: Settings, start: date | None, end: date | None) -> Figures:
    rows = await reports.cases_between(db, *bounds(settings, start, end))
    figures = Figures(start, end, total=len(rows))
    responses, closings = [], []
    for row in rows:
        figures.by_category[row["category"]] += 1
        figures.by_status[row["status"]] += 1
        figures.by_province[row["province"] or "-"] += 1
        figures.by_gender[row["reporter_gender"] or "-"] += 1
        home = row["home_province"] or "-"
        figures.by_home_province[home] += 1
        figures.by_home_province_gender[f"{home}/{row['reporter_gender'] or '-'}"] += 1
        created = from_text(row["created_at"])
        if row["first_response_at"]:
            responses.append(from_text(row["first_response_at"]) - created)
        if row["status"] == "closed" and row["closed_at"]:
            closings.append(from_text(row["closed_at"]) - created)
        if row["recovered_amount"] and row["recovered_currency"]:
            currency = row["recovered_currency"]
            figures.recovered[currency] = (figures.recovered.get(currency, Decimal(0))
                                           + Decimal(row["recovered_amount"]))
    figures.responded, figures.closed = len(responses), len(closings)
    figures.first_response = _median(responses)
    figures.closing = _median(closings)
    return figures


def _median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    return timedelta(seconds=round(statistics.median(v.total_seconds() for v in values)))


def duration(value: timedelta | None) -> str:
    if value is None:
        return "-"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("{days} d {hours} h").format(days=days, hours=hours)
    if hours:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
    return _("{minutes} min").format(minutes=minutes)


def _counts(counter: Counter) -> str:
    return ", ".join(f"{key} {count}" for key, count in counter.most_common()) or "-"


def render(figures: Figures) -> str:
    """The figures as text, in the current language."""
    period = "{} – {}".format(figures.start or "…", figures.end or "…")
    recovered = "; ".join(format_money(amount, currency)
                          for currency, amount in sorted(figures.recovered.items())) or "-"
    return "\n".join([
        _("📊 Cases received {period}: {total}").format(period=period, total=figures.total),
        _("By category: {counts}").format(counts=_counts(figures.by_category)),
        _("By status: {counts}").format(counts=_counts(figures.by_status)),
        _("By province: {counts}").format(counts=_counts(figures.by_province)),
        _("By reporter's gender: {counts}").format(counts=_counts(figures.by_gender)),
        _("By home province (where the reporter lives now): {counts}").format(
            counts=_counts(figures.by_home_province)),
        _("By home province and gender: {counts}").format(
            counts=_counts(figures.by_home_province_gender)),
        _("Median time to first response: {time} ({count} cases)").format(
            time=duration(figures.first_response), count=figures.responded),
        _("Median time to closing: {time} ({count} cases)").format(
            time=duration(figures.closing), count=figures.closed),
        _("Recovered: {amounts}").format(amounts=recovered),
    ])


def case_line(dc: DeskCase) -> str:
    """'W-0001 · wages · 3 h 5 min 🚨 ⬆️supervisor' for /cases and /mine."""
    age = duration(utcnow() - from_text(dc.case.created_at))
    marks = (" 🚨" if dc.case.urgent else "") + (f" ⬆️{dc.escalation}" if dc.escalation_open else "")
    return f"• {dc.reference} · {dc.case.category} · {age}{marks}"


async def export_cases(db: Database, settings: Settings, out: TextIO, start: date | None,
                       end: date | None, *, with_details: bool, staff_id: int | None) -> int:
    """Write the CSV; returns the number of cases. Audited."""
    rows = await reports.cases_between(db, *bounds(settings, start, end), with_details=with_details)
    columns = ["reference"] + [c for c in reports.REPORT_COLUMNS if c not in ("id", "kind", "seq")]
    if with_details:
        columns += ["reporter", *reports.DETAIL_COLUMNS]
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        if with_details:  # an anonymous reporter appears under the case's alias only
            row["reporter"] = (f"Person {alias_code(row['id'], row['draft_id'])}"
                               if row["anonymous"] else row["reporter_name"])
        writer.writerow(dict(row, reference=reference(row["kind"], row["seq"])))
    detail = f"from={start or '-'} to={end or '-'} rows={len(rows)}" + (
        " with-details" if with_details else "")
    await desk.record(db, staff_id, None, "export", detail)
    return len(rows)


# -- command line -------------------------------------------------------------------------------
def add_parsers(commands) -> None:
    stats = commands.add_parser("stats", help="case figures for a date range")
    _dates(stats)
    export = commands.add_parser("export", help="export cases as CSV for donor reports")
    export.add_argument("what", choices=["cases"])
    _dates(export)
    export.add_argument("--with-details", action="store_true",
                        help="add free text, names and phone numbers (handle with care)")
    export.add_argument("--output", metavar="FILE", help="write here instead of the screen")


def _dates(parser) -> None:
    parser.add_argument("--from", dest="start", type=date.fromisoformat, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="end", type=date.fromisoformat, metavar="YYYY-MM-DD")


def run_stats(settings: Settings, args: argparse.Namespace) -> int:
    async def work() -> str:
        async with await Database.open(settings.database_path) as db:
            figures = await gather(db, settings, args.start, args.end)
        with use_language("en"):
            return render(figures)
    print(asyncio.run(work()))
    return 0


def run_export(settings: Settings, args: argparse.Namespace) -> int:
    async def work(out: TextIO) -> int:
        async with await Database.open(settings.database_path) as db:
            return await export_cases(db, settings, out, args.start, args.end,
                                      with_details=args.with_details, staff_id=None)
    if args.output:
        # Case data: readable by the owner only, like the database.
        descriptor = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(descriptor, "w", encoding="utf-8", newline="") as out:
            count = asyncio.run(work(out))
    else:
        count = asyncio.run(work(sys.stdout))
    print(f"{count} case(s) exported", file=sys.stderr)
    return 0
