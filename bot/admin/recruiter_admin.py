"""`python -m bot recruiters import | export | unlisted`: the registry for admins."""
from __future__ import annotations

import argparse
import asyncio
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path

from bot.content.recruiter_registry import RegistryFileError, parse_registry, render_registry
from bot.settings import Settings
from storage import recruiters as registry_store
from storage.clock import to_text, utcnow
from storage.db import Database

_SINCE = re.compile(r"^(\d{1,4})([dh])$")


def since_time(text: str) -> datetime | None:
    """`--since 30d` / `12h` as a UTC time; None (after saying why) when it is neither."""
    match = _SINCE.match(text)
    if not match:
        print(f"error: --since {text!r}: use a number of days or hours, like 30d or 12h",
              file=sys.stderr)
        return None
    amount, unit = int(match.group(1)), match.group(2)
    return utcnow() - (timedelta(days=amount) if unit == "d" else timedelta(hours=amount))


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `recruiters` subcommand and its actions, for bot/cli.py."""
    parser = commands.add_parser(
        "recruiters", help="the recruiter licence registry: import, export, unlisted")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    imports = actions.add_parser("import", help="replace the registry with a CSV file (all or nothing)")
    imports.add_argument("file", type=Path)
    imports.add_argument("--dry-run", action="store_true", help="check the file, import nothing")
    export = actions.add_parser("export", help="write the registry as CSV (the import format)")
    export.add_argument("--output", type=Path, help="file to write (default: standard output)")
    unlisted = actions.add_parser("unlisted", help="the most asked names that are not on the list")
    unlisted.add_argument("--since", default="30d", help="how far back: 30d (days) or 12h (hours)")
    unlisted.add_argument("--limit", type=int, default=20)


def run(settings: Settings, args: argparse.Namespace) -> int:
    action = {"import": _import, "export": _export, "unlisted": _unlisted}[args.action]
    return asyncio.run(action(settings, args))


async def _import(settings: Settings, args: argparse.Namespace) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"error: {args.file}: cannot read ({exc.strerror})", file=sys.stderr)
        return 2
    try:
        registry = parse_registry(data)
    except RegistryFileError as exc:
        for fault in exc.faults:
            print(f"{args.file}: {fault}", file=sys.stderr)
        print(f"{len(exc.faults)} problem(s); nothing imported", file=sys.stderr)
        return 1
    count = len(registry.recruiters)
    kind = "SAMPLE (fictional) agencies" if registry.is_sample else "agencies"
    if args.dry_run:
        print(f"{args.file}: {count} {kind}, no problems; nothing imported (dry run)")
        return 0
    async with await Database.open(settings.database) as db:
        import_id = await registry_store.replace_registry(
            db, registry.recruiters, file_name=args.file.name, is_sample=registry.is_sample
        )
    print(f"imported {count} {kind} from {args.file} (import {import_id}); the registry was replaced")
    if registry.is_sample:
        print("note: sample data is never shown as the official list; the bot tells people "
              "that the official list has not been loaded")
    return 0


async def _export(settings: Settings, args: argparse.Namespace) -> int:
    async with await Database.open(settings.database) as db:
        text = render_registry(await registry_store.all_recruiters(db))
    if args.output:
        args.output.write_bytes(text.encode("utf-8"))
    else:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
    return 0


async def _unlisted(settings: Settings, args: argparse.Namespace) -> int:
    since = since_time(args.since)
    if since is None:
        return 2
    async with await Database.open(settings.database) as db:
        asked = await registry_store.most_asked(db, "unlisted", to_text(since), args.limit)
    print(f"names asked about that are not on the list, since {to_text(since)}:")
    for query, count in asked:
        print(f"{count:6d}  {query}")
    if not asked:
        print("(none)")
    return 0
