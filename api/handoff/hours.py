"""Working hours of the call center: open days, opening times, and public holidays (`holidays`)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from api.handoff.config import HandoffConfig


@lru_cache(maxsize=8)
def _holidays(country: str) -> holidays.HolidayBase:
    return holidays.country_holidays(country)


def holiday_name(day: dt.date, country: str = "VN") -> str | None:
    return _holidays(country).get(day)


def is_open(now: dt.datetime, config: HandoffConfig) -> bool:
    """Whether agents work at `now` (an aware datetime): an open weekday, not a holiday, within hours."""
    if config.always_open:
        return True
    local = now.astimezone(ZoneInfo(config.timezone))
    if local.weekday() not in config.open_days or holiday_name(local.date(), config.holidays_country):
        return False
    return config.opens_at <= local.time() < config.closes_at
