"""Prometheus metrics of one application (prometheus-client, a registry of its own, so
several applications in one process, as in the tests, keep their figures apart).

Labels are kinds, outcomes, priorities and statuses: never a person, chat or text.
Counters are counted where things happen (the update processor, the sending budget);
figures kept in the database are read when /metrics is asked for (`refresh`).
"""
from __future__ import annotations

import logging
from typing import Final

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.context import HotlineApplication
from bot.jobs.sender import Sender
from bot.processor import PerPersonProcessor
from bot.ratelimit import TelegramBudget
from storage import health
from storage.db import Database

log = logging.getLogger(__name__)

METRICS: Final = "metrics"  # the key in bot_data
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def update_kind(update: object) -> str:
    """'message', 'callback_query', ... (the field of the update that is set)."""
    if not isinstance(update, Update):
        return "other"
    for kind in Update.ALL_TYPES:
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


def send_outcome(exc: BaseException | None) -> str:
    """ok, retry (429, network, timeout: tried again), 403, 400 or error."""
    if exc is None:
        return "ok"
    if isinstance(exc, BadRequest):  # a NetworkError subclass in PTB: test it first
        return "400"
    if isinstance(exc, Forbidden):
        return "403"
    if isinstance(exc, (RetryAfter, NetworkError)):
        return "retry"
    return "error"


class Metrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.updates = Counter("hotline_updates_handled", "Updates whose handlers finished",
                               ["kind"], registry=registry)
        self.latency = Histogram(
            "hotline_answer_latency_seconds",
            "From an update's arrival at the processor to the end of its handlers",
            buckets=LATENCY_BUCKETS, registry=registry)
        self.sends = Counter("hotline_telegram_sends", "Bot API calls to a chat, by outcome",
                             ["outcome"], registry=registry)
        self.retry_afters = Counter("hotline_telegram_429", "429 answers (RetryAfter)",
                                    registry=registry)
        self.outbox_backlog = Gauge("hotline_outbox_backlog",
                                    "Proactive messages waiting to be sent", ["priority"],
                                    registry=registry)
        self.outbox_messages = Gauge("hotline_outbox_messages",
                                     "Outbox rows the sender sent or gave up since start",
                                     ["outcome"], registry=registry)
        self.outbox_failed = Gauge("hotline_outbox_failed",
                                   "Outbox rows given up, in the database", registry=registry)
        self.followups_due = Gauge("hotline_followups_due",
                                   "Follow-ups due and not yet sent", registry=registry)
        self.unannounced = Gauge("hotline_cases_unannounced",
                                 "Cases committed but not yet posted to the staff group",
                                 registry=registry)
        self.open_cases = Gauge("hotline_cases_open", "Cases not closed, by status",
                                ["status"], registry=registry)
        self.people_waiting = Gauge("hotline_people_waiting",
                                    "People with an update running or waiting",
                                    registry=registry)
        self.database_up = Gauge("hotline_database_up", "1 if the database answers",
                                 registry=registry)
        for outcome in ("ok", "retry", "403", "400", "error"):
            self.sends.labels(outcome)  # every outcome shows, also at 0
        for status in ("new", "claimed", "waiting", "referred"):
            self.open_cases.labels(status)
        for priority in (*health.LANE_NAMES.values(), "alerts"):
            self.outbox_backlog.labels(priority)
        for outcome in ("sent", "failed"):
            self.outbox_messages.labels(outcome)

    def update_finished(self, update: object, seconds: float) -> None:
        self.updates.labels(update_kind(update)).inc()
        self.latency.observe(seconds)

    def request_finished(self, exc: BaseException | None) -> None:
        self.sends.labels(send_outcome(exc)).inc()
        if isinstance(exc, RetryAfter):
            self.retry_afters.inc()

    async def refresh(self, db: Database, processor: object, sender: object = None) -> None:
        """Read the figures kept in the database and by the sender (before each export)."""
        if isinstance(processor, PerPersonProcessor):
            self.people_waiting.set(processor.waiting_people)
        if isinstance(sender, Sender):
            self.outbox_messages.labels("sent").set(sender.sent)
            self.outbox_messages.labels("failed").set(sender.failed)
        try:
            backlog = await health.outbox_backlog(db)
            failed = await health.outbox_failed(db)
            cases = await health.case_figures(db)
        except Exception as exc:
            self.database_up.set(0)
            log.warning("metrics: the database did not answer (%s)", type(exc).__name__)
            return
        self.database_up.set(1)
        for priority, count in backlog.items():
            self.outbox_backlog.labels(priority).set(count)
        self.outbox_failed.set(failed)
        self.followups_due.set(cases.followups_due)
        self.unannounced.set(cases.unannounced)
        for status in ("new", "claimed", "waiting", "referred"):
            self.open_cases.labels(status).set(cases.open_by_status.get(status, 0))

    def export(self) -> bytes:
        return generate_latest(self.registry)


def install(app: HotlineApplication) -> Metrics:
    """Count the application's updates and sends (called by build_application)."""
    metrics = Metrics()
    app.bot_data[METRICS] = metrics
    processor = app.update_processor
    if isinstance(processor, PerPersonProcessor):
        processor.on_finished = metrics.update_finished
    limiter = app.bot.rate_limiter
    if isinstance(limiter, TelegramBudget):
        limiter.on_request = metrics.request_finished
    return metrics
