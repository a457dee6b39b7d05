"""The recruiter registry file: reading (with every fault reported), writing, sample data.

Format (README "Recruiter registry"): UTF-8 CSV, BOM optional, header
    licence_no,name_latin,name_khmer,aliases,status,valid_until,destinations,address,source,as_of
`aliases` and `destinations` are lists separated by ";"; dates are YYYY-MM-DD.

Sample data: a row whose source starts with "SAMPLE" is fictional. A file is
either all sample or all official (mixing is a fault); an import of a sample
file is recorded with is_sample, and the bot then says the official list has
not been loaded instead of presenting the rows as real.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from domain.khmer import comparison_form
from storage.recruiters import LIST_SEPARATOR, STATUSES, Recruiter

COLUMNS = ["licence_no", "name_latin", "name_khmer", "aliases", "status", "valid_until",
           "destinations", "address", "source", "as_of"]
SAMPLE_MARK = "SAMPLE"


class RegistryFileError(ValueError):
    """The file cannot be imported; `faults` lists every problem, one per line."""

    def __init__(self, faults: list[str]) -> None:
        super().__init__("\n".join(faults))
        self.faults = faults


@dataclass(frozen=True)
class RegistryFile:
    recruiters: list[Recruiter]
    is_sample: bool


def is_sample_source(source: str) -> bool:
    return source.strip().upper().startswith(SAMPLE_MARK)


def licence_key(text: str) -> str:
    """A licence number for comparing: ASCII digits, letters and digits only, case-folded."""
    return "".join(ch for ch in comparison_form(text) if ch.isalnum())


def parse_registry(data: bytes) -> RegistryFile:
    """The agencies in a registry file, or RegistryFileError naming every bad line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegistryFileError([f"the file is not UTF-8 text (byte {exc.start})"]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise RegistryFileError(["line 1: the file is empty; expected the header " + ",".join(COLUMNS)])
    if [name.strip() for name in header] != COLUMNS:
        raise RegistryFileError(["line 1: the header must be exactly " + ",".join(COLUMNS)])

    faults: list[str] = []
    recruiters: list[tuple[int, Recruiter]] = []
    licences: dict[str, int] = {}
    line = reader.line_num
    for fields in reader:
        start, line = line + 1, reader.line_num  # a quoted field may span lines
        if not any(field.strip() for field in fields):
            continue  # blank line
        if len(fields) != len(COLUMNS):
            faults.append(f"line {start}: {len(fields)} columns, expected {len(COLUMNS)}")
            continue
        recruiter, row_faults = _parse_row(dict(zip(COLUMNS, fields, strict=True)))
        faults += [f"line {start}: {fault}" for fault in row_faults]
        key = licence_key(recruiter.licence_no)
        if key:
            if key in licences:
                faults.append(f"line {start}: duplicate licence number {recruiter.licence_no!r}"
                              f" (also on line {licences[key]})")
            else:
                licences[key] = start
        if not row_faults:
            recruiters.append((start, recruiter))

    if not faults and not recruiters:
        faults.append("the file has no agencies")
    sample_lines = [n for n, r in recruiters if is_sample_source(r.source)]
    if sample_lines and len(sample_lines) != len(recruiters):
        faults += [f"line {n}: sample row (source starts with {SAMPLE_MARK}) in a file of"
                   " official rows" for n in sample_lines]
    if faults:
        raise RegistryFileError(faults)
    return RegistryFile([r for _, r in recruiters], is_sample=bool(sample_lines))


def _parse_row(row: dict[str, str]) -> tuple[Recruiter, list[str]]:
    row = {name: _clean_field(value) for name, value in row.items()}
    faults = []
    if not row["name_latin"] and not row["name_khmer"]:
        faults.append("no name (name_latin and name_khmer are both empty)")
    status = row["status"].lower()
    if status not in STATUSES:
        faults.append(f"unknown status {row['status']!r} (use one of {', '.join(STATUSES)})")
    for name, required in (("valid_until", False), ("as_of", True)):
        if not row[name] and not required:
            continue
        if not _is_date(row[name]):
            faults.append(f"bad date in {name}: {row[name]!r} (use YYYY-MM-DD)")
    if not row["source"]:
        faults.append("no source")
    recruiter = Recruiter(
        licence_no=row["licence_no"],
        name_latin=row["name_latin"],
        name_khmer=row["name_khmer"],
        aliases=_split_list(row["aliases"]),
        status=status,
        valid_until=row["valid_until"],
        destinations=_split_list(row["destinations"]),
        address=row["address"],
        source=row["source"],
        as_of=row["as_of"],
    )
    return recruiter, faults


def _clean_field(value: str) -> str:
    """Outer spaces trimmed; display text is otherwise kept as written (ZWSP included, §9)."""
    return value.strip()


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(LIST_SEPARATOR) if part.strip())


def _is_date(text: str) -> bool:
    if len(text) != 10:
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def render_registry(recruiters: list[Recruiter]) -> str:
    """The registry in the import format (no BOM, "\\n" line ends): import(render(x)) == x."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in recruiters:
        writer.writerow([
            r.licence_no, r.name_latin, r.name_khmer, LIST_SEPARATOR.join(r.aliases), r.status,
            r.valid_until, LIST_SEPARATOR.join(r.destinations), r.address, r.source, r.as_of,
        ])
    return out.getvalue()


def effective_status(recruiter: Recruiter, today: date) -> str:
    """The listed status, except that an active licence past its valid-until date is expired."""
    if (recruiter.status == "active" and recruiter.valid_until
            and date.fromisoformat(recruiter.valid_until) < today):
        return "expired"
    return recruiter.status
