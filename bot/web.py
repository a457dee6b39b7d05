"""The HTTP listener: Telegram's webhook, /healthz and /metrics.

In the style of python-telegram-bot's custom-webhook example: a small Starlette app
served by uvicorn inside the bot's own event loop. A webhook update is stored in the
durable inbox before Telegram gets its 200 (an update Telegram sends again is answered
200 and not handled twice); an update without the right X-Telegram-Bot-Api-Secret-Token
gets 403 and is dropped. PTB's Updater is not used (build_application sets none).
"""
from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.error import BadRequest

from bot import context as services
from bot.context import HotlineApplication
from bot.inbox import Inbox
from bot.metrics import CONTENT_TYPE, METRICS, Metrics
from bot.ratelimit import TelegramBudget
from bot.settings import Settings
from storage import health

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_TIMEOUT = 3.0  # seconds the database may take to answer /healthz
MAX_UPDATE_BYTES = 1 << 20  # Telegram's updates are far smaller


class ListenerError(Exception):
    """The listener cannot start: the port is taken, or Telegram refused WEBHOOK_URL."""


def webhook_path(url: str) -> str:
    return urlsplit(url).path or "/"


def build_web_app(app: HotlineApplication, settings: Settings) -> Starlette:
    inbox: Inbox = app.bot_data[services.INBOX]
    metrics: Metrics = app.bot_data[METRICS]
    secret = (settings.webhook_secret or "").encode()

    async def webhook(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not secret or not hmac.compare_digest(given, secret):
            return Response(status_code=403)
        body = await request.body()
        try:
            data = json.loads(body) if len(body) <= MAX_UPDATE_BYTES else None
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError
            update = Update.de_json(data, app.bot)
        except Exception:  # not an update: nothing to keep, and Telegram need not retry
            return Response(status_code=400)
        try:
            await inbox.receive(app, [data], [update])
        except Exception as exc:  # not stored: a 500 makes Telegram send it again
            log.error("could not store a webhook update (%s)", type(exc).__name__)
            return Response(status_code=500)
        return Response(status_code=200)

    async def healthz(request: Request) -> Response:
        body, ok = await health_report(app, settings)
        return JSONResponse(body, status_code=200 if ok else 503)

    async def metrics_page(request: Request) -> Response:
        await metrics.refresh(app.bot_data[services.DATABASE], app.update_processor,
                              app.bot_data.get(services.SENDER))
        return Response(metrics.export(), media_type=CONTENT_TYPE)

    routes = [Route("/healthz", healthz, methods=["GET"]),
              Route("/metrics", metrics_page, methods=["GET"])]
    if settings.webhook_url:
        routes.append(Route(webhook_path(settings.webhook_url), webhook, methods=["POST"]))
    return Starlette(routes=routes)


async def health_report(app: HotlineApplication, settings: Settings) -> tuple[dict, bool]:
    """What /healthz answers (no personal data, no secrets), and whether all is well."""
    db = app.bot_data[services.DATABASE]
    inbox: Inbox = app.bot_data[services.INBOX]
    sender = app.bot_data.get(services.SENDER)
    try:
        reachable = await asyncio.wait_for(health.reachable(db), HEALTH_TIMEOUT)
    except Exception:
        reachable = False
    backlog = failed = None
    if reachable:
        with contextlib.suppress(Exception):
            backlog = await asyncio.wait_for(health.outbox_backlog(db), HEALTH_TIMEOUT)
            failed = await asyncio.wait_for(health.outbox_failed(db), HEALTH_TIMEOUT)
    now = asyncio.get_running_loop().time()
    limiter = app.bot.rate_limiter
    body = {
        "status": "ok" if reachable else "database unreachable",
        "database": "ok" if reachable else "unreachable",
        "mode": "webhook" if settings.webhook_url else "polling",
        "last_update_seconds_ago": (None if inbox.last_received is None
                                    else round(now - inbox.last_received, 1)),
        "outbox_backlog": backlog,  # by priority: relays ... alerts
        "outbox_failed": failed,  # rows given up, ever
        "sender": {
            "state": "paused (429)" if isinstance(limiter, TelegramBudget) and limiter.paused
                     else "sending",
            "retry_afters": limiter.retry_afters if isinstance(limiter, TelegramBudget) else None,
            # outbox rows since start (bot/jobs/sender.py)
            "sent": getattr(sender, "sent", None),
            "failed": getattr(sender, "failed", None),
        },
    }
    return body, reachable


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # bot/runner.py handles SIGTERM and SIGINT itself
        yield


class Listener:
    """uvicorn serving the web app on a socket bound before it starts (a port in use
    is an OSError here, not uvicorn's exit)."""

    def __init__(self, web_app: Starlette, host: str, port: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.socket.bind((host, port))
        except OSError as exc:
            self.socket.close()
            raise ListenerError(f"cannot listen on {host}:{port} ({exc.strerror}); "
                                "check WEBHOOK_LISTEN and HEALTH_LISTEN") from None
        config = uvicorn.Config(web_app, log_level="warning", access_log=False,
                                lifespan="off", timeout_graceful_shutdown=5)
        self.server = _Server(config)
        self._task: asyncio.Task | None = None

    @property
    def port(self) -> int:
        return self.socket.getsockname()[1]

    async def start(self) -> None:
        self._task = asyncio.create_task(self.server.serve(sockets=[self.socket]))
        while not self.server.started:
            if self._task.done():
                await self._task
                raise RuntimeError("the web listener stopped at start-up")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self._task is not None:
            await self._task
        self.socket.close()


@contextlib.asynccontextmanager
async def serving(app: HotlineApplication, settings: Settings) -> AsyncIterator[Listener | None]:
    """The listener for the running application: WEBHOOK_LISTEN in webhook mode (and the
    webhook registered with Telegram), else HEALTH_LISTEN if set, else none."""
    if settings.webhook_url:
        host, port = settings.webhook_listen
    elif settings.health_listen:
        host, port = settings.health_listen
    else:
        yield None
        return
    listener = Listener(build_web_app(app, settings), host, port)
    await listener.start()
    try:
        log.info("listening on %s:%d (/healthz, /metrics%s)", host, listener.port,
                 ", webhook" if settings.webhook_url else "")
        if settings.webhook_url:
            try:
                await app.bot.set_webhook(settings.webhook_url,
                                          secret_token=settings.webhook_secret,
                                          allowed_updates=Update.ALL_TYPES)
            except BadRequest as exc:  # Telegram's reason names the URL, never the token
                raise ListenerError(f"Telegram refused WEBHOOK_URL: {exc.message}") from None
            log.info("webhook registered with Telegram for %s",
                     urlsplit(settings.webhook_url).hostname)
        yield listener
    finally:
        await listener.stop()
