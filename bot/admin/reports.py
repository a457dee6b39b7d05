"""Figures for staff and donors: /stats, `python -m bot stats` and `python -m bot export cases`.

Dates are days in TIMEZONE, both ends included. Every key is shown through its
label in the staff language (flows/desk/labels.py); the export keeps the key columns
and adds a label column beside each. The export leaves out free text, names and phone
numbers unless asked for them (--with-details), and every export is written to the
audit log. Export files are safe to open in a spreadsheet: a cell that would start a
formula is prefixed with ', the file is UTF-8 with a BOM (Excel then reads Khmer), and
it is written to a new file readable by its owner only and renamed into place.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import io
import math
import os
import statistics
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TextIO

from bot.i18n import _, format_money, format_number, use_language
from bot.settings import Settings
from flows.desk import labels as desk_labels
from storage import desk, outbox, reports
from storage.cases import reference
from storage.clock import from_text, to_text, utcnow
from storage.db import Database
from storage.desk import DeskCase
from storage.privacy import alias_code


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
    not_sent: int = 0  # outbox rows Telegram refused for good (bot/jobs/sender.py), all time
    by_home_province: Counter = field(default_factory=Counter)
    by_home_province_gender: Counter = field(default_factory=Counter)
    first_response: timedelta | None = None  # median
    first_response_p90: timedelta | None = None
    responded: int = 0
    closing: timedelta | None = None  # median
    closing_p90: timedelta | None = None
    closed: int = 0
    recovered: dict[str, Decimal] = field(default_factory=dict)
    # Answers to "Is the problem solved?" (after closing) and "Did the organisation contact
    # you?" (after a referral): 'yes', 'no', 'help', or None for no answer yet.
    after_close: Counter = field(default_factory=Counter)
    after_referral: Counter = field(default_factory=Counter)
    satisfaction: list[int] = field(default_factory=list)  # 3 happy, 2 OK, 1 not happy


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
    figures = Figures(start, end, total=len(rows), not_sent=await outbox.failed_count(db))
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
    figures.first_response, figures.first_response_p90 = _median(responses), _p90(responses)
    figures.closing, figures.closing_p90 = _median(closings), _p90(closings)
    for answer in await reports.followup_answers(db, *bounds(settings, start, end)):
        counter = figures.after_close if answer["kind"] == "after_close" else (
            figures.after_referral)
        counter[answer["answer"]] += 1
        if answer["satisfaction"] is not None:
            figures.satisfaction.append(answer["satisfaction"])
    return figures


def _median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    return timedelta(seconds=round(statistics.median(v.total_seconds() for v in values)))


def _p90(values: list[timedelta]) -> timedelta | None:
    """The 90th percentile (nearest rank): 9 in 10 cases took at most this long."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


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


def _counts(counter: Counter[str], label: Callable[[str | None], str]) -> str:
    """'Unpaid wages 3, Passport or documents kept 1' (labels in the current language)."""
    return ", ".join(f"{label(None if key == '-' else key)} {count}"
                     for key, count in counter.most_common()) or "-"


def _answers(counter: Counter, yes: str, no: str) -> str:
    return _("{yes} {n_yes}, {no} {n_no}, needs help {n_help}, no answer {n_none}").format(
        yes=yes, n_yes=counter["yes"], no=no, n_no=counter["no"], n_help=counter["help"],
        n_none=counter[None])


def render(figures: Figures) -> str:
    """The figures as text, in the current language."""
    period = "{} – {}".format(figures.start or "…", figures.end or "…")
    recovered = "; ".join(format_money(amount, currency)
                          for currency, amount in sorted(figures.recovered.items())) or "-"
    if figures.satisfaction:
        average = format_number(round(Decimal(statistics.mean(figures.satisfaction)), 1))
        satisfaction = _("{count} answers, average {average} (3 happy, 2 OK, 1 not "
                         "happy)").format(count=len(figures.satisfaction), average=average)
    else:
        satisfaction = "-"
    return "\n".join([
        _("📊 Cases received {period}: {total}").format(period=period, total=figures.total),
        _("By category: {counts}").format(
            counts=_counts(figures.by_category, desk_labels.category)),
        _("By status: {counts}").format(counts=_counts(figures.by_status, desk_labels.status)),
        _("By province: {counts}").format(
            counts=_counts(figures.by_province, desk_labels.province)),
        _("By reporter's gender: {counts}").format(
            counts=_counts(figures.by_gender, desk_labels.gender)),
        _("By home province (where the reporter lives now): {counts}").format(
            counts=_counts(figures.by_home_province, desk_labels.home_province)),
        _("By home province and gender: {counts}").format(
            counts=_counts(figures.by_home_province_gender,
                           desk_labels.home_province_and_gender)),
        _("Time to first response: median {time}, 9 in 10 within {p90} ({count} "
          "cases)").format(time=duration(figures.first_response),
                           p90=duration(figures.first_response_p90), count=figures.responded),
        _("Time to closing: median {time}, 9 in 10 within {p90} ({count} cases)").format(
            time=duration(figures.closing), p90=duration(figures.closing_p90),
            count=figures.closed),
        _("Recovered: {amounts}").format(amounts=recovered),
        _("After closing, is the problem solved? {answers}").format(
            answers=_answers(figures.after_close, _("solved"), _("not solved"))),
        _("After a referral, did the organisation make contact? {answers}").format(
            answers=_answers(figures.after_referral, _("yes"), _("no"))),
        _("Satisfaction: {satisfaction}").format(satisfaction=satisfaction),
        _("Messages about cases that Telegram refused for good (all time): {count}").format(
            count=figures.not_sent),
    ])


def case_line(dc: DeskCase) -> str:
    """'🚨 W-0001 · Unpaid wages · Claimed · 3 h 5 min ⬆️supervisor' for the case lists."""
    age = duration(utcnow() - from_text(dc.case.created_at))
    urgent = "🚨 " if dc.case.urgent else ""
    escalated = f" ⬆️{dc.escalation}" if dc.escalation_open else ""
    category = _("Unpaid wages") if dc.case.kind == "W" else desk_labels.category(dc.case.category)
    return (f"• {urgent}{dc.reference} · {category} · {desk_labels.status(dc.case.status)}"
            f" · {age}{escalated}")


# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A cell that a spreadsheet shows as text: a leading ' before a formula start."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_private(path: str, data: bytes) -> None:
    """Write a new file readable by its owner only (0600), then rename it into place, so
    an existing file's permissions never carry over and a reader never sees half a file."""
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".export-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


async def export_cases(db: Database, settings: Settings, out: TextIO, start: date | None,
                       end: date | None, *, with_details: bool, staff_id: int | None) -> int:
    """Write the CSV; returns the number of cases. Audited."""
    rows = await reports.cases_between(db, *bounds(settings, start, end), with_details=with_details)
    columns = ["reference"]
    for column in reports.REPORT_COLUMNS:
        if column not in ("id", "kind", "seq"):
            columns.append(column)
            if column in desk_labels.BY_KIND:  # the key for machines, the label for people
                columns.append(f"{column}_label")
    if with_details:
        columns += ["reporter", *reports.DETAIL_COLUMNS]
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        if with_details:  # an anonymous reporter appears under the case's alias only
            row["reporter"] = (f"Person {alias_code(row['id'], row['draft_id'])}"
                               if row["anonymous"] else row["reporter_name"])
        for column, label in desk_labels.BY_KIND.items():
            row[f"{column}_label"] = label(row[column]) if row[column] is not None else ""
        row["reference"] = reference(row["kind"], row["seq"])
        writer.writerow({column: safe_cell(row.get(column)) for column in columns})
    detail = f"from={start or '-'} to={end or '-'} rows={len(rows)}" + (
        " with-details" if with_details else "")
    await desk.record(db, staff_id, None, "export", detail)
    return len(rows)


# -- command line -------------------------------------------------------------------------------
def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    stats = commands.add_parser("stats", help="case figures for a date range")
    _dates(stats)
    stats.add_argument("--chart", metavar="FILE.png",
                       help="also draw the chart (cases per week, open cases by status)")
    export = commands.add_parser("export", help="export cases as CSV for donor reports")
    export.add_argument("what", choices=["cases"])
    _dates(export)
    export.add_argument("--with-details", action="store_true",
                        help="add free text, names and phone numbers (handle with care)")
    export.add_argument("--output", metavar="FILE", help="write here instead of the screen")


def _dates(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="start", type=date.fromisoformat, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="end", type=date.fromisoformat, metavar="YYYY-MM-DD")
    parser.add_argument("--language", choices=["km", "en"],
                        help="language of the labels (default: STAFF_LANGUAGE)")


def run_stats(settings: Settings, args: argparse.Namespace) -> int:
    from bot.admin import charts

    async def work() -> tuple[str, bytes | None]:
        with use_language(args.language or settings.staff_language):
            async with await Database.open(settings.database) as db:
                figures = await gather(db, settings, args.start, args.end)
                png = await charts.chart_png(db, settings, utcnow()) if args.chart else None
            return render(figures), png
    text, png = asyncio.run(work())
    print(text)
    if png is not None:
        write_private(args.chart, png)
        print(f"chart written to {args.chart}", file=sys.stderr)
    return 0


def run_export(settings: Settings, args: argparse.Namespace) -> int:
    async def work(out: TextIO) -> int:
        with use_language(args.language or settings.staff_language):
            async with await Database.open(settings.database) as db:
                return await export_cases(db, settings, out, args.start, args.end,
                                          with_details=args.with_details, staff_id=None)
    if args.output:
        buffer = io.StringIO()
        count = asyncio.run(work(buffer))
        # Case data: a new file readable by the owner only, with a BOM for spreadsheets.
        write_private(args.output, buffer.getvalue().encode("utf-8-sig"))
    else:
        count = asyncio.run(work(sys.stdout))
    print(f"{count} case(s) exported", file=sys.stderr)
    return 0
