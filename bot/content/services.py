"""Programmes, services and documents the answers name (data/services.csv), loaded at start-up.

One row per programme or document: its name, who runs or issues it, where to ask,
what to bring and a short note, in English and Khmer, with the directory key of
the number to call and the website key to visit. Each row carries its source
and the month it was checked. Staff correct a programme by editing its row; the
text around it lives in the catalogs. A malformed row, an unknown directory key,
or a phone number or web address that the directory has not verified stops
start-up naming the line.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.content import factcheck
from bot.content.datafile import read_rows
from bot.content.directory import Contact, Directory, DirectoryError, Website
from bot.i18n import current_language
from bot.resources import data_file

COLUMNS = ["key", "topic", "when", "name_en", "name_km", "runs_en", "runs_km",
           "where_en", "where_km", "bring_en", "bring_km", "note_en", "note_km",
           "contact", "website", "source", "checked"]
REQUIRED = ["key", "topic", "name_en", "name_km", "runs_en", "runs_km",
            "where_en", "where_km", "source", "checked"]
TEXT_COLUMNS = [c for c in COLUMNS if c.endswith(("_en", "_km"))]
TOPICS = ("benefits", "documents")
# The situations the benefits check can tell apart (flows/returnee/benefits.py decides them).
CONDITIONS = ("wants_job", "wants_skills", "no_card", "household_help", "loan",
              "online_loan", "no_health", "school", "wants_support")


class ContentError(DirectoryError):
    """The content file is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Service:
    key: str
    topic: str
    when: str
    texts: dict[str, str]          # column name -> text, for the *_en/*_km columns
    contact: Contact | None
    website: Website | None
    source: str
    checked: str

    def _text(self, name: str) -> str:
        return self.texts[f"{name}_{'km' if current_language() == 'km' else 'en'}"]

    @property
    def name(self) -> str:
        return self._text("name")

    @property
    def runs(self) -> str:
        return self._text("runs")

    @property
    def where(self) -> str:
        return self._text("where")

    @property
    def bring(self) -> str:
        return self._text("bring")

    @property
    def note(self) -> str:
        return self._text("note")


class Content:
    def __init__(self, services: list[Service]) -> None:
        self.services = services
        self._by_key = {s.key: s for s in services}

    def __getitem__(self, key: str) -> Service:
        return self._by_key[key]

    def get(self, key: str) -> Service | None:
        return self._by_key.get(key)

    def topic(self, topic: str) -> list[Service]:
        return [s for s in self.services if s.topic == topic]


def load_content(directory: Directory, path: Path | None = None) -> Content:
    path = path or data_file("services.csv")
    services: list[Service] = []
    for where, row in read_rows(path, COLUMNS, ContentError, REQUIRED):
        _check_row(row, where, directory)
        services.append(Service(
            key=row["key"], topic=row["topic"], when=row["when"],
            texts={name: row[name] for name in TEXT_COLUMNS},
            contact=directory.get(row["contact"]) if row["contact"] else None,
            website=directory.website(row["website"]) if row["website"] else None,
            source=row["source"], checked=row["checked"],
        ))
    return Content(services)


def _check_row(row: dict, where: str, directory: Directory) -> None:
    for name in ("bring", "note"):
        if bool(row[f"{name}_en"]) != bool(row[f"{name}_km"]):
            raise ContentError(f"{where}: {name}_en and {name}_km must both be filled or both empty")
    if row["topic"] not in TOPICS:
        raise ContentError(f"{where}: topic must be one of {', '.join(TOPICS)}")
    if row["topic"] == "benefits" and row["when"] not in CONDITIONS:
        raise ContentError(f"{where}: when must be one of {', '.join(CONDITIONS)}")
    if row["topic"] != "benefits" and row["when"]:
        raise ContentError(f"{where}: when is only for benefits")
    if row["contact"] and directory.get(row["contact"]) is None:
        raise ContentError(f"{where}: contact {row['contact']!r} is not a key of data/directory.csv")
    if row["website"] and row["website"] not in {w.key for w in directory.websites}:
        raise ContentError(f"{where}: website {row['website']!r} is not a key of data/websites.csv")
    for name in TEXT_COLUMNS:
        bad = factcheck.unverified(row[name], directory.numbers, directory.addresses)
        if bad:
            raise ContentError(
                f"{where}: {name} shows {', '.join(bad)}, which is not in the verified directory"
                " (put numbers in data/directory.csv and refer to them in the contact column)"
            )
