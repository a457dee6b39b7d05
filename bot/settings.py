"""Configuration from environment variables, optionally read from ./.env.

A wrong value stops start-up with one line naming the variable (SettingsError).
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class SettingsError(ValueError):
    """A configuration value is wrong; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    # Secrets are left out of repr (and so out of any log line or traceback that shows it).
    bot_token: str | None = field(default=None, repr=False)
    api_base_url: str | None = None
    database_path: str = "./hotline.sqlite3"
    # PostgreSQL instead of the SQLite file (DATABASE_URL); may hold a password.
    database_url: str | None = field(default=None, repr=False)
    staff_chat_id: int | None = None
    staff_user_ids: frozenset[int] = field(default_factory=frozenset)
    admin_user_ids: frozenset[int] = field(default_factory=frozenset)
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Phnom_Penh"))
    operator_name: str | None = None
    # Staff desk (flows/desk/handlers.py)
    on_duty_usernames: tuple[str, ...] = ()  # without '@'
    escalation_levels: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (level, usernames)
    unclaimed_after: timedelta = timedelta(hours=2)  # in working hours
    working_hours: tuple[time, time] = (time(8, 0), time(17, 0))  # Monday to Friday
    staff_language: str = "km"
    # Safety-alert broadcasts (bot/jobs/alert_lane.py): messages a second, and whether to pay
    # for Telegram's paid broadcasts (allow_paid_broadcast, up to 1000/s).
    broadcast_rate: float = 25.0
    broadcast_paid: bool = False
    # How often the sender looks for queued deliveries (e.g. queued by the CLI) when idle,
    # and how often it edits the admin's progress message. Tests make both small.
    broadcast_poll_seconds: float = 2.0
    broadcast_progress_seconds: float = 5.0
    broadcast_retry_seconds: float = 2.0  # first backoff after a network error or 5xx
    # Follow-ups (bot/jobs/followups.py): when each automatic one falls due, and the quiet hours
    # (start, end in TIMEZONE; None: never quiet) when nothing is sent.
    followup_no_reply_after: timedelta = timedelta(days=1)
    followup_after_referral: timedelta = timedelta(days=7)
    followup_after_close: timedelta = timedelta(days=14)
    quiet_hours: tuple[time, time] | None = (time(21, 0), time(7, 0))
    followup_sweep_seconds: float = 15.0  # how often due follow-ups are looked for
    # For tests only: the follow-up sender's clock runs this far ahead (FOLLOWUP_CLOCK_SHIFT).
    followup_clock_shift: timedelta = timedelta(0)
    # Privacy (bot/jobs/retention.py): personal details of cases closed longer ago are erased.
    retention_days: int = 365
    # Facts (bot/content/facts.py): a fact whose `checked` month is older than this is listed as
    # stale at start-up, in `python -m bot facts` and in /facts.
    facts_max_age_months: int = 12
    # The weekly report and chart in the staff group, Monday 08:00 in TIMEZONE (WEEKLY_REPORT).
    weekly_report: bool = True
    # Webhook mode (bot/web.py): the public https URL Telegram calls (its path is served),
    # the secret Telegram sends back in a header, and where the listener binds.
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: tuple[str, int] = ("127.0.0.1", 8080)
    health_listen: tuple[str, int] | None = None  # /healthz and /metrics in polling mode
    # Backups (bot/jobs/backups.py): a daily copy into backup_dir, the newest backup_keep kept.
    backup_dir: str | None = None
    backup_keep: int = 7
    data_dir: str | None = None  # HOTLINE_DATA_DIR: an operator's own copy of data/

    @property
    def database(self) -> str:
        """What storage.db.Database.open takes: the PostgreSQL URL, else the SQLite file."""
        return self.database_url or self.database_path

    @property
    def staff_enabled(self) -> bool:
        return self.staff_chat_id is not None


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
) -> Settings:
    """Settings from `environ` (default os.environ) over the values in `env_file`."""
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update(read_env_file(Path(env_file)))
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    health_listen = get("HEALTH_LISTEN")
    return Settings(
        bot_token=get("BOT_TOKEN"),
        api_base_url=get("BOT_API_BASE_URL"),
        database_path=get("DATABASE_PATH") or Settings.database_path,
        database_url=_parse_database_url("DATABASE_URL", get("DATABASE_URL")),
        staff_chat_id=_parse_int("STAFF_CHAT_ID", get("STAFF_CHAT_ID")),
        staff_user_ids=_parse_ids("STAFF_USER_IDS", get("STAFF_USER_IDS")),
        admin_user_ids=_parse_ids("ADMIN_USER_IDS", get("ADMIN_USER_IDS")),
        timezone=_parse_timezone("TIMEZONE", get("TIMEZONE") or "Asia/Phnom_Penh"),
        operator_name=get("OPERATOR_NAME"),
        on_duty_usernames=_parse_usernames("ON_DUTY_USERNAMES", get("ON_DUTY_USERNAMES")),
        escalation_levels=_parse_levels("ESCALATION_LEVELS", get("ESCALATION_LEVELS")),
        unclaimed_after=_parse_duration("UNCLAIMED_AFTER", get("UNCLAIMED_AFTER") or "2h"),
        working_hours=_parse_hours("WORKING_HOURS", get("WORKING_HOURS") or "08:00-17:00"),
        staff_language=_parse_language("STAFF_LANGUAGE", get("STAFF_LANGUAGE") or "km"),
        broadcast_rate=_parse_rate("BROADCAST_RATE", get("BROADCAST_RATE")),
        broadcast_paid=_parse_bool("BROADCAST_PAID", get("BROADCAST_PAID")),
        followup_no_reply_after=_parse_duration(
            "FOLLOWUP_NO_REPLY_AFTER", get("FOLLOWUP_NO_REPLY_AFTER") or "1d"),
        followup_after_referral=_parse_duration(
            "FOLLOWUP_AFTER_REFERRAL", get("FOLLOWUP_AFTER_REFERRAL") or "7d"),
        followup_after_close=_parse_duration(
            "FOLLOWUP_AFTER_CLOSE", get("FOLLOWUP_AFTER_CLOSE") or "14d"),
        quiet_hours=_parse_quiet_hours("QUIET_HOURS", get("QUIET_HOURS") or "21:00-07:00"),
        followup_clock_shift=_parse_shift("FOLLOWUP_CLOCK_SHIFT", get("FOLLOWUP_CLOCK_SHIFT")),
        retention_days=_parse_days("RETENTION_DAYS", get("RETENTION_DAYS")),
        facts_max_age_months=_parse_months("FACTS_MAX_AGE", get("FACTS_MAX_AGE")),
        weekly_report=_parse_on_off("WEEKLY_REPORT", get("WEEKLY_REPORT") or "on"),
        **_webhook_settings(get),
        health_listen=(_parse_listen("HEALTH_LISTEN", health_listen) if health_listen else None),
        backup_dir=get("BACKUP_DIR"),
        backup_keep=_parse_count("BACKUP_KEEP", get("BACKUP_KEEP"), Settings.backup_keep),
        data_dir=_parse_data_dir("HOTLINE_DATA_DIR", get("HOTLINE_DATA_DIR")),
    )


# Telegram's rule for secret_token: 1-256 characters, letters, digits, _ and -.
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LISTEN = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$")


def _webhook_settings(get: Callable[[str], str | None]) -> dict[str, Any]:
    url, secret = get("WEBHOOK_URL"), get("WEBHOOK_SECRET")
    listen = _parse_listen("WEBHOOK_LISTEN", get("WEBHOOK_LISTEN") or "127.0.0.1:8080")
    if url is None:
        return {"webhook_listen": listen}
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise SettingsError("WEBHOOK_URL: Telegram calls https URLs only, e.g. "
                            "https://bot.example.org/telegram")
    if secret is None:
        raise SettingsError("WEBHOOK_SECRET: needed with WEBHOOK_URL (without it anybody "
                            "could post updates); e.g. the output of `openssl rand -hex 32`")
    if not _SECRET.match(secret):  # the value itself is never repeated in an error
        raise SettingsError("WEBHOOK_SECRET: use 1 to 256 letters, digits, _ or -")
    return {"webhook_url": url, "webhook_secret": secret, "webhook_listen": listen}


def _parse_listen(name: str, raw: str) -> tuple[str, int]:
    """'127.0.0.1:8080', '0.0.0.0:8080', '[::1]:8080' -> (host, port)."""
    match = _LISTEN.match(raw.strip())
    if not match or not 0 < int(match.group(2)) < 65536:
        raise SettingsError(f"{name}: {raw!r} is not host:port, e.g. 127.0.0.1:8080")
    return match.group(1).strip("[]"), int(match.group(2))


def _parse_count(name: str, raw: str | None, default: int) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"{name}: {raw!r} is not a whole number, 1 or more")
    return int(raw)


def _parse_data_dir(name: str, raw: str | None) -> str | None:
    if raw is None:
        return None
    if not (Path(raw) / "directory.csv").is_file():
        raise SettingsError(f"{name}: {raw!r} is not a copy of data/ (no directory.csv in it)")
    return raw


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; blank lines and # comments skipped; surrounding quotes removed."""
    values = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ")
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise SettingsError(f"{path}: line {number} is not KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def _parse_int(name: str, raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name}: {raw!r} is not a number") from None


def _parse_ids(name: str, raw: str | None) -> frozenset[int]:
    if raw is None:
        return frozenset()
    ids = set()
    for part in raw.split(","):
        part = part.strip()
        if part:
            value = _parse_int(name, part)
            assert value is not None
            ids.add(value)
    return frozenset(ids)


def _parse_months(name: str, raw: str | None) -> int:
    """A whole number of months, '12' or '12m'."""
    if raw is None:
        return Settings.facts_max_age_months
    value = raw.lower().removesuffix("m")
    if not value.isdigit() or int(value) < 1:
        raise SettingsError(f"{name}: {raw!r} must be a whole number of months, 1 or more (e.g. 12)")
    return int(value)


def _parse_days(name: str, raw: str | None) -> int:
    if raw is None:
        return Settings.retention_days
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"{name}: {raw!r} is not a whole number of days, 1 or more")
    return int(raw)


MAX_BROADCAST_RATE = 1000.0  # Telegram's paid-broadcast ceiling, messages a second


def _parse_rate(name: str, raw: str | None) -> float:
    if raw is None:
        return Settings.broadcast_rate
    try:
        rate = float(raw)
    except ValueError:
        rate = float("nan")
    if not 0 < rate <= MAX_BROADCAST_RATE:  # also false for nan
        raise SettingsError(
            f"{name}: {raw!r} is not a number of messages a second between 0 and 1000"
        )
    return rate


def _parse_on_off(name: str, raw: str) -> bool:
    value = raw.lower()
    if value in ("on", "1", "yes", "true"):
        return True
    if value in ("off", "0", "no", "false"):
        return False
    raise SettingsError(f"{name}: {raw!r} is not on or off")


def _parse_bool(name: str, raw: str | None) -> bool:
    if raw is None:
        return False
    value = raw.lower()
    if value in ("1", "yes", "true", "on"):
        return True
    if value in ("0", "no", "false", "off"):
        return False
    raise SettingsError(f"{name}: {raw!r} is not 1 or 0 (yes or no)")


def _parse_timezone(name: str, raw: str) -> ZoneInfo:
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"{name}: {raw!r} is not a known time zone (e.g. Asia/Phnom_Penh)") from None


_USERNAME = re.compile(r"^@?([A-Za-z][A-Za-z0-9_]{0,31})$")
_LEVEL = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
_DURATION = re.compile(r"^(?:\d+\s*[wdhms]\s*)+$")
_DURATION_PART = re.compile(r"(\d+)\s*([wdhms])")
_DURATION_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


def _parse_usernames(name: str, raw: str | None) -> tuple[str, ...]:
    """'@ana, bo' -> ('ana', 'bo')."""
    if raw is None:
        return ()
    names = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        match = _USERNAME.match(part)
        if not match:
            raise SettingsError(f"{name}: {part!r} is not a Telegram username (e.g. @ana)")
        names.append(match.group(1))
    return tuple(names)


def _parse_levels(name: str, raw: str | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """'supervisor=@ana,@bo;legal=@chan'
    -> (('supervisor', ('ana', 'bo')), ('legal', ('chan',)))."""
    if raw is None:
        return ()
    levels: dict[str, tuple[str, ...]] = {}
    for part in raw.split(";"):
        part = part.strip()
        if not part:
            continue
        level, sep, people = part.partition("=")
        level = level.strip()
        if not sep or not _LEVEL.match(level):
            raise SettingsError(
                f"{name}: {part!r} is not level=@user,@user (level: lower-case letters, digits, _)"
            )
        if level in levels:
            raise SettingsError(f"{name}: level {level!r} is given twice")
        usernames = _parse_usernames(name, people)
        if not usernames:
            raise SettingsError(f"{name}: level {level!r} names nobody")
        levels[level] = usernames
    return tuple(levels.items())


def parse_duration(text: str) -> timedelta | None:
    """'30s', '90m', '2h', '1h30m', '1d', '1w' -> the timedelta; None if it is not one
    (also used for what staff type: /followup 3d)."""
    text = text.strip().lower()
    if not _DURATION.match(text):
        return None
    total = timedelta(0)
    for number, unit in _DURATION_PART.findall(text):
        total += timedelta(**{_DURATION_UNITS[unit]: int(number)})
    return total


def _parse_duration(name: str, raw: str) -> timedelta:
    value = parse_duration(raw)
    if value is None:
        raise SettingsError(
            f"{name}: {raw!r} is not a duration like 30s, 90m, 2h, 1h30m, 1d or 1w")
    if value <= timedelta(0):
        raise SettingsError(f"{name}: {raw!r} must be more than zero")
    return value


def _parse_shift(name: str, raw: str | None) -> timedelta:
    return timedelta(0) if raw is None else _parse_duration(name, raw)


def _parse_time_range(name: str, raw: str, example: str) -> tuple[time, time]:
    """'HH:MM-HH:MM' as two times (in TIMEZONE)."""
    match = _HOURS.match(raw.strip())
    try:
        if not match:
            raise ValueError
        h1, m1, h2, m2 = (int(value) for value in match.groups())
        return time(h1, m1), time(h2, m2)
    except ValueError:
        raise SettingsError(f"{name}: {raw!r} is not a range like {example}") from None


def _parse_quiet_hours(name: str, raw: str) -> tuple[time, time] | None:
    """'21:00-07:00' (may run past midnight), or 'off'."""
    if raw.strip().lower() == "off":
        return None
    start, end = _parse_time_range(name, raw, "21:00-07:00 (or off)")
    if start == end:
        raise SettingsError(f"{name}: {raw!r} starts and ends at the same time")
    return start, end


def _parse_hours(name: str, raw: str) -> tuple[time, time]:
    """'08:00-17:00' (start before end, both in TIMEZONE)."""
    start, end = _parse_time_range(name, raw, "08:00-17:00")
    if start >= end:
        raise SettingsError(f"{name}: {raw!r} must start before it ends")
    return start, end


def _parse_language(name: str, raw: str) -> str:
    if raw not in ("km", "en"):
        raise SettingsError(f"{name}: {raw!r} is not km or en")
    return raw


def _parse_database_url(name: str, raw: str | None) -> str | None:
    if raw is None:
        return None
    if not raw.startswith(("postgresql://", "postgres://")):
        # The value may hold a password: never quote it.
        raise SettingsError(f"{name}: not a postgresql:// URL")
    return raw
