"""Configuration from environment variables, optionally read from ./.env.

A wrong value stops start-up with one line naming the variable (SettingsError).
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class SettingsError(ValueError):
    """A configuration value is wrong; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    bot_token: str | None = None
    api_base_url: str | None = None
    database_path: str = "./hotline.sqlite3"
    staff_chat_id: int | None = None
    staff_user_ids: frozenset[int] = field(default_factory=frozenset)
    admin_user_ids: frozenset[int] = field(default_factory=frozenset)
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Phnom_Penh"))
    operator_name: str | None = None
    # Safety-alert broadcasts (bot/broadcaster.py): messages a second, and whether to pay
    # for Telegram's paid broadcasts (allow_paid_broadcast, up to 1000/s).
    broadcast_rate: float = 25.0
    broadcast_paid: bool = False
    # How often the sender looks for queued deliveries (e.g. queued by the CLI) when idle,
    # and how often it edits the admin's progress message. Tests make both small.
    broadcast_poll_seconds: float = 2.0
    broadcast_progress_seconds: float = 5.0
    broadcast_retry_seconds: float = 2.0  # first backoff after a network error or 5xx

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

    return Settings(
        bot_token=get("BOT_TOKEN"),
        api_base_url=get("BOT_API_BASE_URL"),
        database_path=get("DATABASE_PATH") or Settings.database_path,
        staff_chat_id=_parse_int("STAFF_CHAT_ID", get("STAFF_CHAT_ID")),
        staff_user_ids=_parse_ids("STAFF_USER_IDS", get("STAFF_USER_IDS")),
        admin_user_ids=_parse_ids("ADMIN_USER_IDS", get("ADMIN_USER_IDS")),
        timezone=_parse_timezone("TIMEZONE", get("TIMEZONE") or "Asia/Phnom_Penh"),
        operator_name=get("OPERATOR_NAME"),
        broadcast_rate=_parse_rate("BROADCAST_RATE", get("BROADCAST_RATE")),
        broadcast_paid=_parse_bool("BROADCAST_PAID", get("BROADCAST_PAID")),
    )


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; blank lines and # comments skipped; surrounding quotes removed."""
    values = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):]
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
