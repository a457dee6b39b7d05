"""build_application: the one place that assembles python-telegram-bot."""
from __future__ import annotations

import logging
import warnings
from typing import Any, cast

from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    BaseRateLimiter,
    ContextTypes,
    Defaults,
    TypeHandler,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot import context as services
from bot import desk_setup, inbox, metrics
from bot.content.directory import Directory, load_directory
from bot.content.services import load_content
from bot.context import HotlineApplication, HotlineContext
from bot.errors import on_error
from bot.i18n import LANGUAGES, _, use_language
from bot.jobs import alert_lane, followups, installer
from bot.jobs.sender import Clock, Sender
from bot.persistence import UPDATE_INTERVAL_SECONDS as PERSISTENCE_INTERVAL
from bot.persistence import SQLitePersistence
from bot.polling import UpdatesRequest
from bot.processor import MAX_IN_FLIGHT, PerPersonProcessor
from bot.ratelimit import TelegramBudget
from bot.settings import Settings
from bot.state import BotData, UserData
from flows import FLOWS, exit_handlers
from flows.desk import outbox as desk_outbox
from flows.returnee import consent, recruiters, start
from storage.db import Database

log = logging.getLogger(__name__)

# Conversations with buttons track each person, not each message, on purpose; PTB
# says so with a warning at every start, which would only confuse console users.
warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)

# PTB needs a token even when no Telegram is involved (console, benchmarks).
OFFLINE_TOKEN = "0:offline"


def build_application(
    settings: Settings,
    db: Database,
    *,
    request: BaseRequest | None = None,
    rate_limiter: BaseRateLimiter | None = None,
    directory: Directory | None = None,
    persistence_interval: float | None = None,
    sequential: bool = False,
) -> HotlineApplication:
    """The hotline bot, ready for `async with app:`; `request` replaces Telegram (offline).

    Updates arrive through the durable inbox (bot/polling.py feeds it) and run through the
    per-person processor; `sequential` lets only one update run at a time, as before the
    processor, for the benchmark's comparison only."""
    updates_inbox = inbox.Inbox(db)
    # ContextTypes(context=...) is typed with plain dicts, whatever the context's parameters; at
    # run time they are plain dicts, which UserData and BotData describe (passing the TypedDicts
    # themselves would break PTB's isinstance check of bot_data).
    context_types = cast("ContextTypes[HotlineContext, UserData, dict[Any, Any], BotData]",
                         ContextTypes(context=HotlineContext))
    builder = (
        Application.builder()
        .token(settings.bot_token or OFFLINE_TOKEN)
        .context_types(context_types)
        .defaults(Defaults(tzinfo=settings.timezone))
        .rate_limiter(rate_limiter or TelegramBudget())
        .concurrent_updates(PerPersonProcessor(max_in_flight=1 if sequential else MAX_IN_FLIGHT,
                                               on_done=updates_inbox.done))
        .updater(None)  # bot/polling.py polls: it confirms updates only once stored
    )
    builder.persistence(SQLitePersistence(db, persistence_interval or PERSISTENCE_INTERVAL))
    if settings.api_base_url:
        base = settings.api_base_url.rstrip("/")
        builder.base_url(base).base_file_url(_file_url(base))
    updates_request = UpdatesRequest()
    if request is not None:
        builder.request(request).get_updates_request(request)
    else:
        builder.get_updates_request(updates_request)
    app = builder.build()

    directory = directory or load_directory()
    menu = sorted((entry for flow in FLOWS for entry in flow.menu), key=lambda e: e.order)
    app.bot_data.update({
        services.SETTINGS: settings,
        services.DATABASE: db,
        services.DIRECTORY: directory,
        services.CONTENT: load_content(directory),
        services.MENU: menu,
        services.INBOX: updates_inbox,
        services.UPDATES_REQUEST: updates_request,
    })
    # The person's language, then consent first (flows/returnee/consent.py), before every flow.
    app.add_handler(TypeHandler(Update, consent.before_flows), group=-1)
    exits = exit_handlers()  # every conversation's way out (flows/__init__.py)
    for flow in FLOWS:
        app.add_handlers(flow.handlers(exits))
    app.add_handlers(start.catch_all_handlers())
    app.add_error_handler(on_error)
    app.bot_data[services.SENDER] = make_sender(app, settings)
    installer.install(app, settings)  # every background job (bot/jobs/installer.py)
    metrics.install(app)  # counts updates and sends for /metrics
    return app


def make_sender(app: HotlineApplication, settings: Settings, *, clock: Clock | None = None,
                budget: bool = True) -> Sender:
    """The one sender of the outbox (started by running()): every kind of row it knows, and
    its lane for safety alerts (a simulated `clock` and no `budget` for the benchmark)."""
    return Sender(app, {**desk_outbox.KINDS, **followups.KINDS},
                  alerts=alert_lane.for_app(app, settings, budget=budget), clock=clock)


async def warm_up(app: HotlineApplication) -> None:
    """Build what the first people would otherwise wait for (the recruiter index)."""
    try:
        await recruiters.registry(HotlineContext(app))
    except Exception:  # the first lookup tries again
        log.exception("the recruiter index could not be built at start-up")


async def prepare(app: HotlineApplication) -> None:
    """Start-up work after initialize(): commands, descriptions, warnings."""
    settings: Settings = app.bot_data[services.SETTINGS]
    if not settings.staff_enabled:
        log.info("STAFF_CHAT_ID is not set: staff features are off")
    await desk_setup.prepare(app, settings)
    try:
        await register_commands(app)
    except TelegramError as exc:
        log.warning("could not register commands and descriptions: %s", exc)


async def register_commands(app: HotlineApplication) -> None:
    """Commands, description and short description in Khmer ('km') and English (default)."""
    for language in LANGUAGES:
        code = "km" if language == "km" else None
        with use_language(language):
            commands = [
                BotCommand(command.name, _(command.description))
                for flow in FLOWS
                for command in flow.commands
            ]
            description = _(
                "A hotline for Cambodian workers who came back from Thailand: safe migration, "
                "recruiter licences, unpaid wages, benefits and services, and reports that "
                "hotline staff follow up. In Khmer and English. Press Start."
            )
            short = _("Help for Cambodian workers back from Thailand.")
        await app.bot.set_my_commands(
            commands, scope=BotCommandScopeAllPrivateChats(), language_code=code
        )
        await app.bot.set_my_description(description, language_code=code)
        await app.bot.set_my_short_description(short, language_code=code)


def _file_url(base_url: str) -> str:
    """http://host/bot -> http://host/file/bot (the Bot API server's file path)."""
    root, sep, tail = base_url.rpartition("/")
    return f"{root}/file/{tail}" if sep else f"{base_url}/file"
