"""Keeping the gettext catalogs in step with the code.

`python -m bot catalogs update` extracts every _() and N_() string into
locales/messages.pot and merges it into the km and en catalogs (new entries
empty, removed ones dropped). `python -m bot catalogs check` lists what a
translator still has to do; the test suite runs the same check.

Output is sorted, without source locations or dates, so two people adding
strings at once rarely touch the same lines.
"""
from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.content import factcheck
from bot.i18n import DOMAIN, LANGUAGES, LOCALES_DIR

ROOT = LOCALES_DIR.parent
KEYWORDS = {"_": None, "N_": None, "gettext": None}
# A translator comment "# fact: <source>, <YYYY-MM>" right above a string that states a
# fact: bot/content/facts.py lists it with its age; the check below fails without source or date.
FACT_TAG = "fact:"
# "# example: ..." above a string whose amounts are examples of what to type, not facts.
EXAMPLE_TAG = "example:"
_FACT = re.compile(r"^fact:\s*(?P<source>.*\S)\s*,\s*(?P<checked>\d{4}-(0[1-9]|1[0-2]))\s*$")
TEMPLATE = LOCALES_DIR / f"{DOMAIN}.pot"
_FIXED_DATE = datetime(2026, 11, 21, tzinfo=UTC)  # no churn in headers
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def po_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> Catalog:
    """Every translatable string in the code, as a template."""
    template = Catalog(project="returnee-hotline", creation_date=_FIXED_DATE,
                       revision_date=_FIXED_DATE, charset="utf-8")
    method_map = []
    for line in (LOCALES_DIR / "babel.cfg").read_text().splitlines():
        match = re.match(r"^\[python:\s*(.+)\]$", line.strip())
        if match:
            method_map.append((match.group(1), "python"))
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT, method_map=method_map, keywords=KEYWORDS, comment_tags=(FACT_TAG, EXAMPLE_TAG)
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def render(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, sort_output=True, no_location=True, ignore_obsolete=True, width=100)
    return out.getvalue()


def read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as fileobj:
        return read_po(fileobj, locale=language)


def update() -> None:
    template = extract()
    TEMPLATE.write_bytes(render(template))
    for language in LANGUAGES:
        path = po_path(language)
        if path.exists():
            catalog = read(path, language)
            catalog.update(template, no_fuzzy_matching=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language, project="returnee-hotline",
                              creation_date=_FIXED_DATE, revision_date=_FIXED_DATE)
            catalog.update(template, no_fuzzy_matching=True)
        catalog.revision_date = _FIXED_DATE
        catalog.fuzzy = False  # the header; entries keep their own flags
        path.write_bytes(render(catalog))


def msgid_of(message: Message) -> str:
    """The msgid of an entry (the singular one of a plural entry)."""
    return message.id if isinstance(message.id, str) else str(message.id[0])


def fact_of(message: Message) -> tuple[str, str] | None:
    """(source, checked) of a catalog entry marked as a fact; ValueError when malformed."""
    comments = list(message.auto_comments)
    first = next((i for i, c in enumerate(comments) if c.startswith(FACT_TAG)), None)
    if first is None:
        return None
    match = _FACT.match(" ".join(comments[first:]))  # the comment may run over several lines
    if match is None:
        raise ValueError("fact comment must be '# fact: <source>, <YYYY-MM>'")
    return match["source"], match["checked"]


def _quiet_fact(message: Message) -> tuple[str, str] | None:
    try:
        return fact_of(message)
    except ValueError:
        return None


def placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def problems() -> list[str]:
    """Everything that keeps the catalogs from being complete; empty when all is well."""
    found = []
    code_ids = {m.id for m in extract() if m.id}
    template_ids = {m.id for m in read(TEMPLATE) if m.id}
    for msgid in sorted(code_ids - template_ids):
        found.append(f"messages.pot lacks a string the code uses: {msgid!r}")
    for msgid in sorted(template_ids - code_ids):
        found.append(f"messages.pot has a string the code no longer uses: {msgid!r}")
    template = {m.id: m for m in read(TEMPLATE) if m.id}
    for message in extract():
        if not message.id:
            continue
        try:
            fact = fact_of(message)
        except ValueError as exc:
            found.append(f"{exc}: {message.id[:60]!r}")
            continue
        said = factcheck.claims(msgid_of(message))
        if said and fact is None and not any(c.startswith(EXAMPLE_TAG)
                                             for c in message.auto_comments):
            found.append(f"names {', '.join(said)} without '# fact: <source>, <YYYY-MM>' "
                         f"(or '# example:'): {message.id[:60]!r}")
        kept = template.get(message.id)
        if kept is not None and fact != _quiet_fact(kept):
            found.append(f"messages.pot has an old fact comment for {message.id[:60]!r}")
    khmer = {m.id: m for m in read(po_path("km"), "km") if m.id}
    for wanted in sorted(code_ids):
        entry = khmer.get(wanted)
        if entry is None:
            found.append(f"km: missing {wanted!r}")
        elif not entry.string:
            found.append(f"km: untranslated {wanted!r}")
        elif entry.fuzzy:
            found.append(f"km: fuzzy {wanted!r}")
        elif placeholders(str(entry.string)) != placeholders(str(wanted)):
            found.append(f"km: placeholders differ in {wanted!r}")
    english = {m.id for m in read(po_path("en"), "en") if m.id}
    for msgid in sorted(code_ids - english):
        found.append(f"en: missing {msgid!r}")
    return found
