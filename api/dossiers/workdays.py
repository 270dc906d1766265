"""Expected result dates in working days: weekends and Vietnamese public holidays (`holidays`) skipped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Container
from functools import lru_cache

import holidays as holiday_calendars

WEEKEND = (5, 6)  # Saturday, Sunday


def is_working_day(day: dt.date, holidays: Container[dt.date]) -> bool:
    return day.weekday() not in WEEKEND and day not in holidays


def add_working_days(received: dt.date, days: int, holidays: Container[dt.date]) -> dt.date:
    """The date `days` working days after `received`: counting starts the next working day, so a dossier
    received on Friday with 1 working day is due on Monday, and one received on a holiday counts from the next
    working day too. `days` = 0 gives `received` itself (same-day results)."""
    if days < 0:
        raise ValueError(f"days is {days}; a processing time is 0 or more working days")
    day, counted = received, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays):
            counted += 1
    return day


def public_holidays(country: str = "VN") -> Container[dt.date]:
    """The country's public holidays (the `holidays` calendar the call center's hours use, api/handoff/hours.py)."""
    return _calendar(country)


@lru_cache(maxsize=4)
def _calendar(country: str) -> holiday_calendars.HolidayBase:
    return holiday_calendars.country_holidays(country)
