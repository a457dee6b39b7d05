"""Time counted in working hours (Monday to Friday, WORKING_HOURS, in TIMEZONE).

A case that arrives on Friday evening is not 'unclaimed for two hours' on
Saturday morning: only the hours when staff are at work count.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo

WORKING_DAYS = range(5)  # Monday (0) to Friday (4)


def working_time_between(start: datetime, end: datetime, hours: tuple[time, time],
                         tz: tzinfo) -> timedelta:
    """The working time from `start` to `end` (aware datetimes); zero if end <= start."""
    if end <= start:
        return timedelta(0)
    start, end = start.astimezone(tz), end.astimezone(tz)
    total = timedelta(0)
    day = start.date()
    while day <= end.date():
        if day.weekday() in WORKING_DAYS:
            opens = datetime.combine(day, hours[0], tzinfo=tz)
            closes = datetime.combine(day, hours[1], tzinfo=tz)
            overlap = min(closes, end) - max(opens, start)
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return total


def next_opening(now: datetime, hours: tuple[time, time], tz: tzinfo) -> datetime | None:
    """When staff are next at work: None while they are (now is in working hours)."""
    local = now.astimezone(tz)
    day = local.date()
    for _ in range(8):
        if day.weekday() in WORKING_DAYS:
            opens = datetime.combine(day, hours[0], tzinfo=tz)
            closes = datetime.combine(day, hours[1], tzinfo=tz)
            if opens <= local < closes:
                return None
            if local < opens:
                return opens
        day += timedelta(days=1)
    return None  # not reached: a working day comes within a week
