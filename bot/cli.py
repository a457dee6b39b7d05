"""Command line: `python -m bot run | console`, and the admin commands."""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import date

from bot.admin import intents_admin, recruiter_admin, reports
from bot.content.datafile import DataFileError
from bot.content.directory import load_directory
from bot.content.intents import load_intents
from bot.content.provinces import load_provinces
from bot.content.provinces_kh import load_provinces as load_cambodian_provinces
from bot.content.screener import load_phrases
from bot.content.services import load_content
from bot.jobs import backups
from bot.resources import use_data_dir
from bot.settings import Settings, SettingsError, load_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Telegram hotline bot for Cambodian workers who came back from Thailand.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="run the bot against Telegram (long polling, or a webhook "
                                    "with WEBHOOK_URL; needs BOT_TOKEN)")
    commands.add_parser(
        "console", help="chat with the bot in this terminal: no Telegram, no token needed"
    )
    broadcast = commands.add_parser(
        "broadcast", help="queue a safety alert for subscribers; the running bot sends it"
    )
    from bot.admin.broadcast_cli import add_arguments

    add_arguments(broadcast)
    catalogs = commands.add_parser("catalogs", help="for translators: update or check catalogs")
    catalogs.add_argument("action", choices=["update", "check"])
    recruiter_admin.add_parser(commands)
    intents_admin.add_parser(commands)
    reports.add_parsers(commands)
    facts = commands.add_parser(
        "facts", help="facts checked longer ago than FACTS_MAX_AGE, with their sources")
    facts.add_argument("--all", action="store_true", help="list every fact, not only old ones")
    backups.add_parsers(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every request URL, and URLs carry the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings = load_settings()
        use_data_dir(settings.data_dir)  # HOTLINE_DATA_DIR: the operator's copy of data/
        load_content(load_directory())  # a malformed data file stops start-up naming the line
        load_provinces()  # the same for the province lists
        load_cambodian_provinces()
        load_intents()
        load_phrases()  # and the screener's phrases
    except (SettingsError, DataFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return COMMANDS[args.command](settings, args)


def _run(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.bot_token:
        print("error: BOT_TOKEN is not set (get one from @BotFather); "
              "or try `python -m bot console`, which needs none", file=sys.stderr)
        return 2
    asyncio.run(_log_stale_facts(settings))
    from telegram.error import InvalidToken, NetworkError

    from bot.runner import LeadershipLost, serve
    from bot.web import ListenerError

    try:
        asyncio.run(serve(settings))
    except LeadershipLost:
        print("error: lost the database session that made this the active instance; "
              "stopped (a standby may have taken over; restart to become one)", file=sys.stderr)
        return 3
    except ListenerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except InvalidToken:  # PTB's message quotes the token: never print it
        print("error: Telegram rejected BOT_TOKEN (check it, and BOT_API_BASE_URL if set)",
              file=sys.stderr)
        return 2
    except NetworkError as exc:
        print(f"error: cannot reach the Bot API ({type(exc).__name__}); "
              "check the network and BOT_API_BASE_URL", file=sys.stderr)
        return 2
    return 0


async def _gather_facts(settings: Settings) -> list:
    from bot.content import facts
    from storage.db import Database

    directory = load_directory()
    db = await Database.open(settings.database)
    try:
        return await facts.all_facts(db, directory, load_content(directory))
    finally:
        await db.close()


def _today(settings: Settings) -> date:
    from datetime import datetime

    return datetime.now(settings.timezone).date()


async def _log_stale_facts(settings: Settings) -> None:
    """At start-up: one warning per fact older than FACTS_MAX_AGE (the operator decides)."""
    from bot.content import facts

    found = await _gather_facts(settings)
    log = logging.getLogger("bot.content.facts")
    for fact in facts.problems(found):
        log.warning("fact without a source or checked date: %s", fact.key)
    old = facts.stale(found, _today(settings), settings.facts_max_age_months)
    if old:
        log.warning("%d fact(s) checked more than %d months ago (python -m bot facts):",
                    len(old), settings.facts_max_age_months)
    for fact in old:
        log.warning("stale fact %s, checked %s, source: %s", fact.key, fact.checked, fact.source)


def _facts(settings: Settings, args: argparse.Namespace) -> int:
    """Lists stale facts (or all); exit code 1 only when a fact has no source or date."""
    from bot.content import facts
    from bot.i18n import use_language

    logging.getLogger().setLevel(logging.WARNING)
    found = asyncio.run(_gather_facts(settings))
    with use_language("en"):
        print(facts.render(found, _today(settings), settings.facts_max_age_months,
                           everything=args.all))
    return 1 if facts.problems(found) else 0


def _console(settings: Settings, args: argparse.Namespace) -> int:
    from bot.devtools.console import run_console
    from storage.backup import in_use

    logging.getLogger().setLevel(logging.WARNING)  # keep the conversation readable
    with in_use(settings.database):  # `restore` refuses while the console runs
        asyncio.run(run_console(settings))
    return 0


def _catalogs(settings: Settings, args: argparse.Namespace) -> int:
    from bot.admin import catalogs

    if args.action == "update":
        catalogs.update()
    found = catalogs.problems()
    for problem in found:
        print(problem)
    print(f"{len(found)} problem(s) in the catalogs")
    return 1 if found and args.action == "check" else 0


def _broadcast(settings: Settings, args: argparse.Namespace) -> int:
    from bot.admin.broadcast_cli import BroadcastInputError, queue_broadcast

    logging.getLogger().setLevel(logging.WARNING)
    try:
        return asyncio.run(queue_broadcast(settings, args, sys.stdin, sys.stdout))
    except BroadcastInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


COMMANDS = {"run": _run, "console": _console, "catalogs": _catalogs,
            "recruiters": recruiter_admin.run, "intents": intents_admin.run,
            "stats": reports.run_stats,
            "export": reports.run_export, "broadcast": _broadcast, "facts": _facts,
            "backup": backups.run_backup, "restore": backups.run_restore}
