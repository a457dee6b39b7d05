"""Time for follow-ups: the sender's clock, quiet hours, and "a date" as a morning hour.

The clock is a callable in bot_data (CLOCK) so tests set it forward instead of
sleeping; by default it is the real UTC time plus FOLLOWUP_CLOCK_SHIFT (zero,
except in tests that run the bot as a separate process).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from bot.state import BotData
from storage.clock import utcnow

CLOCK: Final = "followup_clock"  # bot_data: () -> aware UTC datetime
MORNING = time(9, 0)  # a follow-up set for a date goes out then, in TIMEZONE


def install_clock(bot_data: BotData, shift: timedelta) -> None:
    bot_data[CLOCK] = (lambda: utcnow() + shift) if shift else utcnow


def now(bot_data: BotData) -> datetime:
    clock: Callable[[], datetime] = bot_data.get(CLOCK, utcnow)
    return clock()


def quiet_until(moment: datetime, quiet: tuple[time, time] | None, tz: ZoneInfo) -> datetime | None:
    """When the quiet period `moment` falls in ends (UTC); None when it is not quiet then.
    Quiet hours may run past midnight (21:00-07:00)."""
    if quiet is None:
        return None
    start, end = quiet
    local = moment.astimezone(tz)
    clock = local.time()
    if start < end:
        inside, end_day = start <= clock < end, local.date()
    else:
        inside = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=tz).astimezone(UTC)


def morning_of(day: date, tz: ZoneInfo) -> datetime:
    """MORNING on `day` in the hotline's time zone, as UTC."""
    return datetime.combine(day, MORNING, tzinfo=tz).astimezone(UTC)


def local_text(moment: datetime, tz: ZoneInfo) -> str:
    """'2026-11-24 09:00' in the hotline's time zone (what staff see)."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")
