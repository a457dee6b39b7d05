"""Every background job, installed one way: `install(app, settings)` once, from bot/app.py.

Each job module has `install(app, settings)`: a repeating JobQueue job, or (the alert
sender) a task that runs while the application runs. The outbox sender is made by the
wiring (it needs every kind of row the flows queue) and started by bot/runner.py.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from bot import inbox
from bot.context import HotlineApplication
from bot.jobs import backups, followups, retention, weekly_report
from bot.settings import Settings
from flows.desk import thread as desk_thread

log = logging.getLogger(__name__)
FIRST_DESK_SWEEP_SECONDS = 2


def install_desk_sweep(app: HotlineApplication, settings: Settings) -> None:
    """Cards not yet announced and cases nobody claimed (flows/desk/thread.py)."""
    if not settings.staff_enabled:
        return
    if app.job_queue is None:
        log.warning("no job queue: unannounced and unclaimed cases are not swept")
        return
    # First run soon after start: a case stored just before a crash, but not yet
    # announced, reaches the staff group within seconds of the restart.
    app.job_queue.run_repeating(desk_thread.run_sweep, interval=desk_thread.SWEEP_SECONDS,
                                first=FIRST_DESK_SWEEP_SECONDS, name="staff-desk-sweep")


JOBS: tuple[Callable[[HotlineApplication, Settings], None], ...] = (
    followups.install,  # the repeating sweep that hands due follow-ups to the outbox
    install_desk_sweep,  # announcements and reminders in the staff group
    retention.install,  # erases details of cases closed RETENTION_DAYS ago, daily
    inbox.install,  # forgets handled updates after a day
    weekly_report.install,  # Monday's figures and chart in the staff group
    backups.install,  # a daily copy into BACKUP_DIR, when set
)


def install(app: HotlineApplication, settings: Settings) -> None:
    for job in JOBS:
        job(app, settings)
