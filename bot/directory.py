"""The verified phone directory (data/directory.csv), loaded and checked at start-up.

Only numbers marked verified in shared/reference/domain-facts.md §1a belong in
the file; each row carries its source and the month it was checked. Staff
correct a number by editing that one row.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from bot.i18n import current_language

DIRECTORY_PATH = Path(__file__).resolve().parent.parent / "data" / "directory.csv"
COLUMNS = ["key", "number", "country", "emergency", "who_en", "who_km",
           "use_en", "use_km", "source", "checked"]
COUNTRIES = {"KH": "Cambodia", "TH": "Thailand"}
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_NUMBER = re.compile(r"^\d{3,15}$")
_CHECKED = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$")


class DirectoryError(ValueError):
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


class Directory:
    def __init__(self, contacts: list[Contact]) -> None:
        self.contacts = contacts
        self._by_key = {c.key: c for c in contacts}

    def __getitem__(self, key: str) -> Contact:
        return self._by_key[key]

    def get(self, key: str) -> Contact | None:
        return self._by_key.get(key)

    def emergency(self, country: str) -> list[Contact]:
        return [c for c in self.contacts if c.emergency and c.country == country]

    @property
    def numbers(self) -> frozenset[str]:
        return frozenset(c.number for c in self.contacts)


def load_directory(path: Path = DIRECTORY_PATH) -> Directory:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DirectoryError(f"{path}: cannot read ({exc.strerror})") from None
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames != COLUMNS:
        raise DirectoryError(f"{path}:1: header must be {','.join(COLUMNS)}")
    contacts: list[Contact] = []
    for row in reader:
        contacts.append(_parse_row(row, f"{path}:{reader.line_num}", contacts))
    if not contacts:
        raise DirectoryError(f"{path}: no entries")
    return Directory(contacts)


def _parse_row(row: dict, where: str, seen: list[Contact]) -> Contact:
    if None in row or any(value is None for value in row.values()):
        raise DirectoryError(f"{where}: expected {len(COLUMNS)} columns")
    row = {name: value.strip() for name, value in row.items()}
    for name in COLUMNS:
        if not row[name]:
            raise DirectoryError(f"{where}: {name} is empty")
    if not _KEY.match(row["key"]):
        raise DirectoryError(f"{where}: key {row['key']!r} must be lower-case ASCII")
    if not _NUMBER.match(row["number"]):
        raise DirectoryError(f"{where}: number {row['number']!r} must be digits only")
    if row["country"] not in COUNTRIES:
        raise DirectoryError(f"{where}: country must be one of {', '.join(COUNTRIES)}")
    if row["emergency"] not in ("yes", "no"):
        raise DirectoryError(f"{where}: emergency must be yes or no")
    if not _CHECKED.match(row["checked"]):
        raise DirectoryError(f"{where}: checked must be YYYY-MM or YYYY-MM-DD")
    if any(c.key == row["key"] for c in seen):
        raise DirectoryError(f"{where}: key {row['key']!r} appears twice")
    if any(c.number == row["number"] for c in seen):
        raise DirectoryError(f"{where}: number {row['number']} appears twice")
    return Contact(**{**row, "emergency": row["emergency"] == "yes"})
