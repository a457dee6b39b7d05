"""`python -m bot broadcast --km FILE --en FILE [--province NAME] [--yes]`.

Queues a safety alert in the database (the broadcast and its outbox rows); the
running bot's sender delivers it and it shows in /broadcasts. Without --yes the
preview and the number of recipients are shown and the operator is asked first.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from bot.content import factcheck
from bot.content.directory import load_directory
from bot.content.provinces_kh import provinces
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, _, use_language
from bot.settings import Settings
from flows import ui
from flows.admin.broadcast_texts import audience_name, fallback_notes
from flows.returnee.alert_texts import alert_markup, alert_text
from storage import broadcasts
from storage.broadcasts import Audience
from storage.db import Database


class BroadcastInputError(ValueError):
    """A file or option is wrong; the message says which."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--km", type=Path, metavar="FILE", help="the alert in Khmer (UTF-8 text)")
    parser.add_argument("--en", type=Path, metavar="FILE", help="the alert in English (UTF-8 text)")
    parser.add_argument("--province", metavar="NAME",
                        help="only subscribers from this home province (English or Khmer name)")
    parser.add_argument("--yes", action="store_true", help="queue without asking")


def read_texts(km: Path | None, en: Path | None) -> tuple[str | None, str | None]:
    texts: list[str | None] = []
    for path in (km, en):
        if path is None:
            texts.append(None)
            continue
        try:
            texts.append(path.read_text(encoding="utf-8-sig").strip() or None)
        except (OSError, UnicodeDecodeError) as exc:
            raise BroadcastInputError(f"{path}: cannot read ({exc})") from None
    if not any(texts):
        raise BroadcastInputError("give the alert text with --km FILE and/or --en FILE")
    for language in LANGUAGES:
        size = len(alert_text(language, *texts))
        if size > ui.MESSAGE_LIMIT:
            raise BroadcastInputError(
                f"the alert is {size - ui.MESSAGE_LIMIT} characters too long for one message")
    return texts[0], texts[1]


def audience_for(province: str | None) -> Audience:
    if province is None:
        return Audience("all")
    found = provinces().find(province)
    if found is None:
        raise BroadcastInputError(f"--province: {province!r} is not one of Cambodia's provinces")
    return Audience("province", found.key)


async def queue_broadcast(settings: Settings, args: argparse.Namespace, stdin: TextIO,
                          out: TextIO) -> int:
    text_km, text_en = read_texts(args.km, args.en)
    directory = load_directory()
    bad = [item for text in (text_km, text_en) if text
           for item in factcheck.unverified(text, directory.numbers, directory.addresses)]
    if bad:
        raise BroadcastInputError(
            f"the alert shows {', '.join(dict.fromkeys(bad))}, which is not in the verified "
            "directory (data/directory.csv, data/websites.csv): add it there first, with its "
            "source, or change the text")
    audience = audience_for(args.province)
    async with await Database.open(settings.database) as db:
        count = await broadcasts.count_recipients(db, audience)
        with use_language("en"):
            for language in LANGUAGES:
                out.write(f"--- {LANGUAGE_NAMES[language]} readers will see ---\n")
                out.write(alert_text(language, text_km, text_en) + "\n")
                with use_language(language):
                    labels = [b.text for row in alert_markup(language).inline_keyboard for b in row]
                out.write("".join(f"[{label}]" for label in labels) + "\n\n")
            out.writelines(note + "\n" for note in fallback_notes(text_km, text_en))
            out.write(_("Audience: {audience}.").format(audience=audience_name(audience)) + "\n")
        if count == 0:
            out.write("Nobody would get it: no subscriber matches this audience. Nothing queued.\n")
            return 1
        out.write(f"Recipients: {count}\n")
        if not args.yes:
            out.write(f"Queue this alert for {count} people? [y/N] ")
            out.flush()
            if stdin.readline().strip().lower() not in ("y", "yes"):
                out.write("Nothing queued.\n")
                return 1
        broadcast_id, queued = await broadcasts.create(
            db, audience=audience, text_km=text_km, text_en=text_en)
    out.write(f"Broadcast #{broadcast_id} queued for {queued} people. The running bot "
              "(python -m bot run) sends it; admins follow it with /broadcasts.\n")
    return 0
