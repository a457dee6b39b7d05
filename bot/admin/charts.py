"""The staff chart: cases received per week by category (the last 12 weeks) and open
cases by status, as a PNG, in the current language.

Figures only: what goes into the picture is counts per category and status key and the
week's date, with their labels from the catalogs; never a name or any text from a
report. Drawn with matplotlib (Agg, no display; matplotlib 3.11+ shapes text with
libraqm, which Khmer needs) in a worker thread. The Khmer font is looked for among the
system's fonts (Debian and Ubuntu: `apt-get install fonts-khmeros`; any font whose
family is one of KHMER_FAMILIES works); without one, Khmer labels show as boxes and a
warning is logged.
"""
from __future__ import annotations

import asyncio
import functools
import io
import logging
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.i18n import _, current_language
from bot.settings import Settings
from flows.desk import labels as desk_labels
from storage import reports
from storage.clock import from_text, to_text
from storage.db import Database
from storage.desk import OPEN_STATUSES

log = logging.getLogger(__name__)
# matplotlib's font caches are process-wide: one chart is drawn at a time.
_DRAWING = threading.Lock()

WEEKS = 12
# Fonts with Khmer glyphs, best first: Khmer OS System (fonts-khmeros) is made for screens.
KHMER_FAMILIES = ("Khmer OS System", "Khmer OS", "Khmer OS Content", "Noto Sans Khmer",
                  "Noto Serif Khmer", "Khmer OS Battambang")
# One colour per category, readable by colour-blind people too (Okabe-Ito).
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#999999")


@dataclass(frozen=True)
class ChartData:
    """Everything the picture shows: counts and labels, nothing from a report."""

    title: str
    weeks: tuple[date, ...]                         # the Monday of each week, oldest first
    week_labels: tuple[str, ...]
    per_week: tuple[tuple[str, tuple[int, ...]], ...]  # (category label, count per week)
    weekly_title: str
    open_title: str
    open_by_status: tuple[tuple[str, int], ...]     # (status label, open cases)
    language: str


async def gather(db: Database, settings: Settings, now: datetime) -> ChartData:
    """The chart's figures, labelled in the current language."""
    tz = settings.timezone
    today = now.astimezone(tz).date()
    this_monday = today - timedelta(days=today.weekday())
    weeks = tuple(this_monday - timedelta(weeks=WEEKS - 1 - i) for i in range(WEEKS))
    since = datetime.combine(weeks[0], datetime.min.time(), tzinfo=tz)
    counts: Counter = Counter()
    for created_at, category in await reports.weekly_counts(db, to_text(since)):
        day = from_text(created_at).astimezone(tz).date()
        counts[(category, (day - weeks[0]).days // 7)] += 1
    categories = sorted({category for category, _week in counts},
                        key=lambda c: -sum(n for (k, _w), n in counts.items() if k == c))
    per_week = tuple((desk_labels.category(category),
                      tuple(counts[(category, week)] for week in range(WEEKS)))
                     for category in categories)
    open_counts = await reports.open_by_status(db)
    return ChartData(
        title=_("Hotline cases, as of {day}").format(day=today.isoformat()),
        weeks=weeks, week_labels=tuple(f"{w.day:02d}/{w.month:02d}" for w in weeks),
        per_week=per_week,
        weekly_title=_("Cases received per week (week starting), by category"),
        open_title=_("Open cases by status"),
        open_by_status=tuple((desk_labels.status(s), open_counts.get(s, 0))
                             for s in OPEN_STATUSES),
        language=current_language(),
    )


@functools.cache
def khmer_font() -> str | None:
    """The file of the best Khmer font installed (made known to matplotlib), or None."""
    from matplotlib import font_manager

    found: dict[str, str] = {}
    for path in font_manager.findSystemFonts():
        try:
            family = font_manager.FontProperties(fname=path).get_name()
        except (OSError, RuntimeError, ValueError):
            continue
        found.setdefault(family, path)
    for family in KHMER_FAMILIES:
        if family in found:
            font_manager.fontManager.addfont(found[family])
            return found[family]
    log.warning("no Khmer font found (install fonts-khmeros): Khmer chart labels show as boxes")
    return None


def render_png(data: ChartData) -> bytes:
    """The PNG (1500 x 1125 pixels)."""
    with _DRAWING:
        return _draw(data)


def _draw(data: ChartData) -> bytes:
    from matplotlib import font_manager
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    font_path = khmer_font()
    families = ["DejaVu Sans"]  # matplotlib's own font, for Latin and digits
    if font_path is not None:
        families.insert(0, font_manager.FontProperties(fname=font_path).get_name())
    text = {"family": families, "language": data.language}
    figure = Figure(figsize=(10, 7.5), dpi=150, layout="constrained")
    FigureCanvasAgg(figure)
    weekly, by_status = figure.subplots(2, 1, height_ratios=(3, 2))
    figure.suptitle(data.title, fontsize=15, **text)

    positions = range(len(data.weeks))
    bottom = [0] * len(data.weeks)
    for (label, counts), colour in zip(data.per_week, COLOURS * 4, strict=False):  # the colours, repeated
        weekly.bar(positions, counts, bottom=bottom, label=label, color=colour)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    weekly.set_title(data.weekly_title, **text)
    weekly.set_xticks(list(positions), data.week_labels, fontsize=8, **text)
    weekly.yaxis.get_major_locator().set_params(integer=True)
    weekly.set_ylim(0, max(max(bottom), 1) * 1.15)  # room above the highest week
    if data.per_week:
        weekly.legend(prop=font_manager.FontProperties(family=families, size=8),
                      loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=2, frameon=False)

    labels = [label for label, _count in data.open_by_status]
    values = [count for _label, count in data.open_by_status]
    bars = by_status.barh(range(len(labels)), values, color=COLOURS[0])
    by_status.set_yticks(range(len(labels)), labels, **text)
    by_status.invert_yaxis()
    by_status.bar_label(bars, padding=3)
    by_status.set_title(data.open_title, **text)
    by_status.xaxis.get_major_locator().set_params(integer=True)
    for axes in (weekly, by_status):
        axes.spines[["top", "right"]].set_visible(False)
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


async def chart_png(db: Database, settings: Settings, now: datetime) -> bytes:
    """Gather (in the current language) and draw, off the event loop."""
    data = await gather(db, settings, now)
    return await asyncio.to_thread(render_png, data)
