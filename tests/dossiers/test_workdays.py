"""Working days: weekends and Vietnamese public holidays skipped, counting from the day after receipt."""

from __future__ import annotations

import datetime as dt

import pytest

from api.dossiers.workdays import add_working_days, is_working_day, public_holidays

VN = public_holidays("VN")
NO_HOLIDAYS: frozenset[dt.date] = frozenset()


def test_a_friday_receipt_with_one_working_day_is_due_on_monday() -> None:
    assert add_working_days(dt.date(2026, 3, 6), 1, NO_HOLIDAYS) == dt.date(2026, 3, 9)


def test_weekends_are_skipped_over_several_weeks() -> None:
    # Wed 4 Mar + 7 working days: Thu, Fri, Mon, Tue, Wed, Thu, Fri 13 Mar
    assert add_working_days(dt.date(2026, 3, 4), 7, NO_HOLIDAYS) == dt.date(2026, 3, 13)


def test_tet_is_skipped() -> None:
    """Received Friday 13 Feb 2026; 16-20 Feb are the Lunar New Year holidays, so day 1 is Monday 23 Feb."""
    assert add_working_days(dt.date(2026, 2, 13), 1, VN) == dt.date(2026, 2, 23)
    assert add_working_days(dt.date(2026, 2, 13), 7, VN) == dt.date(2026, 3, 3)


def test_national_day_and_its_substitute_are_skipped() -> None:
    """Fri 28 Aug 2026: Mon 31 Aug (substituted), Tue 1 and Wed 2 Sep are off; day 1 is Thursday 3 Sep."""
    assert add_working_days(dt.date(2026, 8, 28), 1, VN) == dt.date(2026, 9, 3)


def test_a_receipt_on_a_holiday_counts_from_the_next_working_day() -> None:
    assert not is_working_day(dt.date(2026, 4, 30), VN)
    assert add_working_days(dt.date(2026, 4, 30), 1, VN) == dt.date(2026, 5, 4)


def test_zero_days_is_the_same_day_and_negative_is_refused() -> None:
    assert add_working_days(dt.date(2026, 3, 4), 0, VN) == dt.date(2026, 3, 4)
    with pytest.raises(ValueError, match="0 or more"):
        add_working_days(dt.date(2026, 3, 4), -1, VN)
