"""Cambodia's provinces (data/provinces_kh.csv), for subscribers' home province.

Checked at start-up like the directory: a malformed file stops the bot naming the line.
"""
from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from bot.directory import DATA_DIR, DirectoryError
from bot.i18n import current_language
from bot.khmer import comparison_form

PROVINCES_PATH = DATA_DIR / "provinces_kh.csv"
COLUMNS = ["key", "iso", "name_en", "name_km", "source", "checked"]
_KEY = re.compile(r"^[a-z][a-z_]{1,30}$")  # short: it goes into callback data
_ISO = re.compile(r"^KH-\d{1,2}$")
_CHECKED = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$")


class ProvinceError(DirectoryError):
    """The provinces file is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Province:
    key: str
    iso: str
    name_en: str
    name_km: str

    @property
    def name(self) -> str:
        """The name in the current language."""
        return self.name_km if current_language() == "km" else self.name_en


class Provinces:
    def __init__(self, provinces: list[Province]) -> None:
        self.all = provinces
        self._by_key = {p.key: p for p in provinces}

    def get(self, key: str | None) -> Province | None:
        return self._by_key.get(key) if key else None

    def find(self, name: str) -> Province | None:
        """By key, English or Khmer name (case, spaces and zero-width characters ignored)."""
        wanted = comparison_form(name).replace(" ", "").replace("_", "")
        for province in self.all:
            for candidate in (province.key, province.name_en, province.name_km):
                if comparison_form(candidate).replace(" ", "").replace("_", "") == wanted:
                    return province
        return None


@functools.cache
def provinces() -> Provinces:
    return load_provinces()


def load_provinces(path: Path = PROVINCES_PATH) -> Provinces:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ProvinceError(f"{path}: cannot read ({exc.strerror})") from None
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames != COLUMNS:
        raise ProvinceError(f"{path}:1: header must be {','.join(COLUMNS)}")
    found: list[Province] = []
    for row in reader:
        where = f"{path}:{reader.line_num}"
        if None in row or any(value is None for value in row.values()):
            raise ProvinceError(f"{where}: expected {len(COLUMNS)} columns")
        row = {name: value.strip() for name, value in row.items()}
        for name in COLUMNS:
            if not row[name]:
                raise ProvinceError(f"{where}: {name} is empty")
        if not _KEY.match(row["key"]):
            raise ProvinceError(f"{where}: key {row['key']!r} must be short lower-case ASCII")
        if not _ISO.match(row["iso"]):
            raise ProvinceError(f"{where}: iso {row['iso']!r} must look like KH-12")
        if not _CHECKED.match(row["checked"]):
            raise ProvinceError(f"{where}: checked must be YYYY-MM or YYYY-MM-DD")
        if any(p.key == row["key"] or p.iso == row["iso"] for p in found):
            raise ProvinceError(f"{where}: key or iso code appears twice")
        found.append(Province(row["key"], row["iso"], row["name_en"], row["name_km"]))
    if not found:
        raise ProvinceError(f"{path}: no entries")
    return Provinces(found)
