"""Reading the staff-editable CSV files under data/: the checks they all share.

Every file has a fixed header. A malformed file stops start-up with the file and
line at fault; each loader raises its own subclass of DataFileError, and the CLI
prints it as one line.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

KEY = re.compile(r"^[a-z][a-z0-9_]*$")
CHECKED = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$")


class DataFileError(ValueError):
    """A data file is malformed; the message names the file and line."""


def read_rows(path: Path, columns: list[str], error: type[DataFileError],
              required: list[str] | tuple[str, ...] | None = None) -> list[tuple[str, dict]]:
    """(where, row) for every row, values stripped.

    Checked here: the file can be read, the header, the number of columns, that
    `required` (default: every column) is filled, that a `key` column is lower-case
    ASCII and unique, that a `checked` column is a date, and that there is a row.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror})") from None
    # A file object, not splitlines(): a quoted cell may hold a line break and keeps it.
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise error(f"{path}:1: {exc}") from None
    if fieldnames != columns:
        raise error(f"{path}:1: header must be {','.join(columns)}")
    rows: list[tuple[str, dict]] = []
    keys: set[str] = set()
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. a quote that is never closed
            raise error(f"{path}:{reader.line_num}: {exc}") from None
        where = f"{path}:{_first_line(reader.line_num, row)}"
        if None in row or any(value is None for value in row.values()):
            raise error(f"{where}: expected {len(columns)} columns")
        row = {name: value.strip() for name, value in row.items()}
        for name in columns if required is None else required:
            if not row[name]:
                raise error(f"{where}: {name} is empty")
        if "key" in row:
            if not KEY.match(row["key"]):
                raise error(f"{where}: key {row['key']!r} must be lower-case ASCII")
            if row["key"] in keys:
                raise error(f"{where}: key {row['key']!r} appears twice")
            keys.add(row["key"])
        if "checked" in row and not CHECKED.match(row["checked"]):
            raise error(f"{where}: checked must be YYYY-MM or YYYY-MM-DD")
        rows.append((where, row))
    if not rows:
        raise error(f"{path}: no entries")
    return rows


def _first_line(last_line: int, row: dict) -> int:
    """The line a row starts on: line_num is where it ends, after any line breaks in cells."""
    breaks = sum(value.count("\n") for value in row.values() if isinstance(value, str))
    return last_line - breaks
