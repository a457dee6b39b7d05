"""The verified directory, loaded and checked at start-up: phone numbers
(data/directory.csv) and web addresses (data/websites.csv).

Only entries marked verified in shared/reference/domain-facts.md belong in the
files; each row carries its source and the month it was checked. Staff correct
a number or address by editing that one row.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.datafile import DataFileError, read_rows
from bot.i18n import current_language
from bot.resources import data_file

COLUMNS = ["key", "number", "country", "emergency", "who_en", "who_km",
           "use_en", "use_km", "source", "checked"]
WEBSITE_COLUMNS = ["key", "address", "who_en", "who_km", "source", "checked"]
COUNTRIES = {"KH": "Cambodia", "TH": "Thailand"}
_NUMBER = re.compile(r"^\d{3,15}$")
_ADDRESS = re.compile(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+(/[\w./-]*)?$")


class DirectoryError(DataFileError):
    """The directory file is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Contact:
    key: str
    number: str
    country: str
    emergency: bool
    who_en: str
    who_km: str
    use_en: str
    use_km: str
    source: str
    checked: str

    @property
    def who(self) -> str:
        return self.who_km if current_language() == "km" else self.who_en

    @property
    def use(self) -> str:
        return self.use_km if current_language() == "km" else self.use_en


@dataclass(frozen=True)
class Website:
    key: str
    address: str
    who_en: str
    who_km: str
    source: str
    checked: str

    @property
    def who(self) -> str:
        return self.who_km if current_language() == "km" else self.who_en


class Directory:
    def __init__(self, contacts: list[Contact], websites: list[Website]) -> None:
        self.contacts = contacts
        self.websites = websites
        self.partners: list = []  # bot.content.referrals.Partner rows, set by load_directory
        self._by_key = {c.key: c for c in contacts}
        self._websites = {w.key: w for w in websites}

    def __getitem__(self, key: str) -> Contact:
        return self._by_key[key]

    def get(self, key: str) -> Contact | None:
        return self._by_key.get(key)

    def website(self, key: str) -> Website:
        return self._websites[key]

    def emergency(self, country: str) -> list[Contact]:
        return [c for c in self.contacts if c.emergency and c.country == country]

    @property
    def numbers(self) -> frozenset[str]:
        return frozenset(c.number for c in self.contacts)

    @property
    def addresses(self) -> frozenset[str]:
        return frozenset(w.address for w in self.websites)


def load_directory(path: Path | None = None, websites_path: Path | None = None,
                   partners_path: Path | None = None) -> Directory:
    """The numbers, the web addresses, and the referral partners that use them: data/'s
    directory.csv, websites.csv and partners.csv (HOTLINE_DATA_DIR's if set), or these."""
    from bot.content.referrals import load_partners  # it refers to the directory's keys

    path = path or data_file("directory.csv")
    websites_path = websites_path or data_file("websites.csv")
    contacts = _load_rows(path, COLUMNS, _parse_contact)
    websites = _load_rows(websites_path, WEBSITE_COLUMNS, _parse_website)
    directory = Directory(contacts, websites)
    directory.partners = load_partners(directory, partners_path)
    return directory


def _load_rows(path: Path, columns: list[str], parse_row: Callable[..., Any]) -> list[Any]:
    entries: list[Any] = []
    for where, row in read_rows(path, columns, DirectoryError):
        entries.append(parse_row(row, where, entries))
    return entries


def _parse_website(row: dict, where: str, seen: list[Website]) -> Website:
    if not _ADDRESS.match(row["address"]):
        raise DirectoryError(f"{where}: address {row['address']!r} is not a web address like www.example.org")
    return Website(**row)


def _parse_contact(row: dict, where: str, seen: list[Contact]) -> Contact:
    if not _NUMBER.match(row["number"]):
        raise DirectoryError(f"{where}: number {row['number']!r} must be digits only")
    if row["country"] not in COUNTRIES:
        raise DirectoryError(f"{where}: country must be one of {', '.join(COUNTRIES)}")
    if row["emergency"] not in ("yes", "no"):
        raise DirectoryError(f"{where}: emergency must be yes or no")
    if any(c.number == row["number"] for c in seen):
        raise DirectoryError(f"{where}: number {row['number']} appears twice")
    return Contact(**{**row, "emergency": row["emergency"] == "yes"})
