"""Thailand's provinces in English and Khmer (data/thai_provinces.csv), for reports.

Checked at start-up like the directory: a malformed row stops the bot naming
the file and line. Staff fix a name or add an alias by editing its row.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from bot.content.datafile import DataFileError, read_rows
from bot.i18n import current_language
from bot.resources import data_file
from domain.khmer import comparison_form

COLUMNS = ["key", "name_en", "name_km", "aliases", "common", "source", "checked"]
MIN_PARTIAL = 3  # typed letters needed before a part of a name counts as a match
FUZZY_THRESHOLD = 0.8  # difflib similarity from which a misspelt name counts...
FUZZY_MARGIN = 0.05    # ...when no other province comes this close to it


class ProvinceError(DataFileError):
    """The province file is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Province:
    key: str
    name_en: str
    name_km: str
    aliases: tuple[str, ...]
    common: bool

    @property
    def name(self) -> str:
        return self.name_km if current_language() == "km" else self.name_en

    @property
    def forms(self) -> tuple[str, ...]:
        """Every name this province may be typed as, in comparison form."""
        names = (self.name_en, self.name_km, *self.aliases)
        return tuple(comparison_form(n).replace(" ", "") for n in names)


class Provinces:
    def __init__(self, provinces: list[Province]) -> None:
        self.all = provinces
        self._by_key = {p.key: p for p in provinces}

    def get(self, key: str | None) -> Province | None:
        return self._by_key.get(key or "")

    @property
    def common(self) -> list[Province]:
        return [p for p in self.all if p.common]

    def match(self, typed: str) -> Province | None:
        """The one province the typed text names (whole name, alias or a clear part), or None."""
        form = comparison_form(typed).replace(" ", "")
        if not form:
            return None
        exact = [p for p in self.all if form in p.forms]
        if len(exact) == 1:
            return exact[0]
        if len(form) < MIN_PARTIAL:
            return None
        partial = [p for p in self.all if any(form in name for name in p.forms)]
        if len(partial) == 1:
            return partial[0]
        return None if partial else self._closest(form)

    def _closest(self, form: str) -> Province | None:
        """A misspelling ("chon bury", "ឈូនបូរី"): the one province clearly closest, like the
        recruiter check's near matches."""
        scored = sorted(((max(SequenceMatcher(None, form, name).ratio() for name in p.forms), i)
                         for i, p in enumerate(self.all)), reverse=True)
        (best, index), (second, _) = scored[0], scored[1]
        if best >= FUZZY_THRESHOLD and best - second >= FUZZY_MARGIN:
            return self.all[index]
        return None


@functools.cache
def load_provinces(path: Path | None = None) -> Provinces:
    path = path or data_file("thai_provinces.csv")
    provinces: list[Province] = []
    required = ("key", "name_en", "name_km", "common", "source", "checked")  # aliases optional
    for where, row in read_rows(path, COLUMNS, ProvinceError, required):
        if row["common"] not in ("yes", "no"):
            raise ProvinceError(f"{where}: common must be yes or no")
        aliases = tuple(a.strip() for a in row["aliases"].split(";") if a.strip())
        provinces.append(Province(row["key"], row["name_en"], row["name_km"], aliases,
                                  row["common"] == "yes"))
    return Provinces(provinces)
