"""Every fact the bot states, with its source and the month it was last checked, and
which of them are older than FACTS_MAX_AGE.

Facts live in the data files (each row has `source` and `checked`), in catalog texts
marked with a "# fact: <source>, <YYYY-MM>" translator comment, and in the recruiter
registry (the `as_of` date of the official list that was imported). Age is the
operator's call: stale facts are listed at start-up, by `python -m bot facts` and by
/facts in the staff group; only a missing source or date is an error.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.admin import catalogs
from bot.content import provinces, provinces_kh
from bot.content.datafile import CHECKED, DataFileError, read_rows
from bot.content.directory import Directory
from bot.content.services import Content
from bot.i18n import _
from bot.resources import data_file
from storage import recruiters
from storage.db import Database


@dataclass(frozen=True)
class Fact:
    key: str      # "directory:mlvt", "services:passport", "catalog:⏳ Act quickly" ...
    source: str
    checked: str  # YYYY-MM or YYYY-MM-DD

    def months_old(self, today: date) -> int:
        year, month = int(self.checked[:4]), int(self.checked[5:7])
        return (today.year - year) * 12 + today.month - month


def data_facts(directory: Directory, content: Content) -> list[Fact]:
    found = [Fact(f"directory:{c.key}", c.source, c.checked) for c in directory.contacts]
    found += [Fact(f"websites:{w.key}", w.source, w.checked) for w in directory.websites]
    found += [Fact(f"partners:{p.key}", p.source, p.checked) for p in directory.partners]
    found += [Fact(f"services:{s.key}", s.source, s.checked) for s in content.services]
    return found


def province_facts() -> list[Fact]:
    """The two province lists: one fact per file, its oldest row (the rows share a source)."""
    found = []
    for name, columns in (("thai_provinces", provinces.COLUMNS),
                          ("provinces_kh", provinces_kh.COLUMNS)):
        path = data_file(f"{name}.csv")  # HOTLINE_DATA_DIR's copy when set
        rows = [row for _where, row in read_rows(path, columns, DataFileError,
                                                 required=["source", "checked"])]
        oldest = min(rows, key=lambda row: row["checked"])
        found.append(Fact(f"data:{name}", oldest["source"], oldest["checked"]))
    return found


def catalog_facts() -> list[Fact]:
    """Catalog texts marked as facts (read from messages.pot, which the check keeps in step)."""
    found = []
    for message in catalogs.read(catalogs.TEMPLATE):
        if not message.id:
            continue
        try:
            fact = catalogs.fact_of(message)
        except ValueError:
            fact = None  # `catalogs check` reports it; here it is listed without a date
            found.append(Fact(f"catalog:{_label(catalogs.msgid_of(message))}", "", ""))
        if fact is not None:
            found.append(Fact(f"catalog:{_label(catalogs.msgid_of(message))}", *fact))
    return found


def _label(msgid: str) -> str:
    first = msgid.split("\n", 1)[0]
    return first if len(first) <= 50 else first[:49] + "…"


async def registry_fact(db: Database) -> Fact | None:
    """The official recruiter list's as_of date; None without an official import."""
    latest = await recruiters.latest_import(db)
    if latest is None or latest.is_sample or not latest.as_of:
        return None
    return Fact("registry:recruiters", latest.source, latest.as_of)


async def all_facts(db: Database | None, directory: Directory, content: Content) -> list[Fact]:
    found = data_facts(directory, content) + province_facts() + catalog_facts()
    if db is not None:
        registry = await registry_fact(db)
        if registry is not None:
            found.append(registry)
    return found


def problems(facts: list[Fact]) -> list[Fact]:
    """Facts without a source or a valid checked date (CI fails on these)."""
    return [f for f in facts if not f.source or not CHECKED.match(f.checked)]


def stale(facts: list[Fact], today: date, max_age_months: int) -> list[Fact]:
    """Facts checked longer ago than max_age_months, oldest first."""
    old = [f for f in facts if f not in problems(facts) and f.months_old(today) > max_age_months]
    return sorted(old, key=lambda f: (f.checked, f.key))


def render(facts: list[Fact], today: date, max_age_months: int, *, everything: bool = False) -> str:
    """The listing, in the current language: stale facts (or every fact) with their sources."""
    old, bad = stale(facts, today, max_age_months), problems(facts)
    lines = [_("📚 {count} facts with a source; {stale} checked more than {months} months ago.")
             .format(count=len(facts) - len(bad), stale=len(old), months=max_age_months)]
    if bad:
        lines += ["", _("Without a source or a checked date (fix these):")]
        lines += [f"• {f.key}" for f in bad]
    shown = sorted(facts, key=lambda f: f.key) if everything else old
    if shown:
        lines += ["", _("Every fact:") if everything else _("Older than {months} months:")
                  .format(months=max_age_months)]
        lines += [f"• {f.key} · {f.checked} · {f.source}" for f in shown if f not in bad]
    return "\n".join(lines)
