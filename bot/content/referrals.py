"""Organisations staff can refer a case to (data/partners.csv), confirmed by the operator.

Each row names an organisation, what it takes referrals for, its contact (a key of
data/directory.csv or data/websites.csv, or none), and `agreement`: yes only when
the operator has confirmed that a referral arrangement with this hotline exists.
Only those rows appear under Refer and as "we can pass your report to" in the
answers; the others are named as organisations "such as" staff can put people in
touch with, never as a promise. Every row carries its source and checked month.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.content.datafile import DataFileError, read_rows
from bot.i18n import _, current_language
from bot.resources import data_file

if TYPE_CHECKING:
    from bot.content.directory import Directory

COLUMNS = ["key", "organisation_en", "organisation_km", "takes_en", "takes_km", "topics",
           "contact", "agreement", "source", "checked"]
REQUIRED = [c for c in COLUMNS if c != "contact"]
# What a partner takes referrals for; the answers ask for one of these.
TOPICS = ("wages", "trafficking", "jobs", "women", "support", "children", "health", "recruiter")


class PartnerFileError(DataFileError):
    """data/partners.csv is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Partner:
    key: str
    name_en: str
    name_km: str
    takes_en: str
    takes_km: str
    topics: tuple[str, ...]
    number: str | None
    address: str | None
    agreement: bool
    source: str
    checked: str

    @property
    def name(self) -> str:
        return self.name_km if current_language() == "km" else self.name_en

    @property
    def takes(self) -> str:
        return self.takes_km if current_language() == "km" else self.takes_en


def load_partners(directory: Directory, path: Path | None = None) -> list[Partner]:
    path = path or data_file("partners.csv")  # HOTLINE_DATA_DIR's copy when set
    found = []
    numbers = {c.key: c.number for c in directory.contacts}
    sites = {w.key: w.address for w in directory.websites}
    for where, row in read_rows(path, COLUMNS, PartnerFileError, REQUIRED):
        topics = tuple(t.strip() for t in row["topics"].split(";") if t.strip())
        unknown = [t for t in topics if t not in TOPICS]
        if unknown or not topics:
            raise PartnerFileError(f"{where}: topics must be ;-separated from {', '.join(TOPICS)}")
        if row["agreement"] not in ("yes", "no"):
            raise PartnerFileError(f"{where}: agreement must be yes or no")
        contact = row["contact"]
        if contact and contact not in numbers and contact not in sites:
            raise PartnerFileError(
                f"{where}: contact {contact!r} is not a key of data/directory.csv or websites.csv")
        found.append(Partner(
            key=row["key"], name_en=row["organisation_en"], name_km=row["organisation_km"],
            takes_en=row["takes_en"], takes_km=row["takes_km"], topics=topics,
            number=numbers.get(contact), address=sites.get(contact),
            agreement=row["agreement"] == "yes", source=row["source"], checked=row["checked"]))
    return found


def partners(directory: Directory) -> list[Partner]:
    """Every organisation in the file, with or without an agreement (names for old cases)."""
    return directory.partners


def referable(directory: Directory) -> list[Partner]:
    """The organisations staff may refer to: a referral arrangement is confirmed."""
    return [p for p in directory.partners if p.agreement]


def partner(directory: Directory, key: str | None) -> Partner | None:
    return next((p for p in partners(directory) if p.key == key), None) if key else None


def contact_text(p: Partner) -> str:
    parts = [f"☎️ {p.number}" if p.number else "", f"🌐 {p.address}" if p.address else ""]
    return " · ".join(part for part in parts if part)


def who_can_help(directory: Directory, topic: str) -> str:
    """For the answers: who takes this kind of problem, without promising what they do.

    With a confirmed arrangement: "with your permission, staff can pass your report to";
    without: "staff can put you in touch with organisations such as".
    """
    rows = [p for p in directory.partners if topic in p.topics]
    agreed = [p for p in rows if p.agreement]
    if agreed:
        lines = [_("With your permission, hotline staff can pass your report to:")]
        rows = agreed
    else:
        lines = [_("Hotline staff can put you in touch with organisations such as:")]
    for p in rows:
        contact = contact_text(p)
        line = _("• {organisation}: {what}").format(organisation=p.name, what=p.takes)
        lines.append(line + (f" ({contact})" if contact else ""))
    return "\n".join(lines)
