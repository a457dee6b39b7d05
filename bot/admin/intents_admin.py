"""`python -m bot intents unmatched`: what people typed that data/intents.csv did not catch."""
from __future__ import annotations

import argparse
import asyncio

from bot.admin.recruiter_admin import since_time
from bot.settings import Settings
from storage import intent_log
from storage.clock import to_text
from storage.db import Database


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `intents` subcommand, for bot/cli.py."""
    parser = commands.add_parser("intents", help="typed messages: what nothing understood")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    unmatched = actions.add_parser(
        "unmatched", help="the most typed messages that matched no intent, with counts")
    unmatched.add_argument("--since", default="30d", help="how far back: 30d (days) or 12h (hours)")
    unmatched.add_argument("--limit", type=int, default=20)


def run(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_unmatched(settings, args))


async def _unmatched(settings: Settings, args: argparse.Namespace) -> int:
    since = since_time(args.since)
    if since is None:
        return 2
    async with await Database.open(settings.database) as db:
        typed = await intent_log.unmatched(db, to_text(since), args.limit)
        counts = await intent_log.counts(db, to_text(since))
    total = sum(count for _, count in counts)
    missed = sum(count for intent, count in counts if intent is None)
    print(f"typed messages since {to_text(since)}: {total}, understood {total - missed}, "
          f"not understood {missed}")
    print("most typed messages that matched no intent (normalised, digits as #):")
    for phrase, count in typed:
        print(f"{count:6d}  {phrase}")
    if not typed:
        print("(none)")
    return 0
