"""Cambodia's provinces (data/provinces_kh.csv), for subscribers' home province.

Checked at start-up like the directory: a malformed file stops the bot naming the line.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from bot.content.datafile import DataFileError, read_rows
from bot.i18n import current_language
from bot.resources import data_file
from domain.khmer import comparison_form

COLUMNS = ["key", "iso", "name_en", "name_km", "source", "checked"]
_ISO = re.compile(r"^KH-\d{1,2}$")


class ProvinceError(DataFileError):
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


def load_provinces(path: Path | None = None) -> Provinces:
    path = path or data_file("provinces_kh.csv")
    found: list[Province] = []
    for where, row in read_rows(path, COLUMNS, ProvinceError):
        if len(row["key"]) > 30:  # it goes into callback data
            raise ProvinceError(f"{where}: key {row['key']!r} must be at most 30 characters")
        if not _ISO.match(row["iso"]):
            raise ProvinceError(f"{where}: iso {row['iso']!r} must look like KH-12")
        if any(p.iso == row["iso"] for p in found):
            raise ProvinceError(f"{where}: iso code {row['iso']} appears twice")
        found.append(Province(row["key"], row["iso"], row["name_en"], row["name_km"]))
    return Provinces(found)
