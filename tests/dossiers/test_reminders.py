"""Reminders at the edges: the birthday itself, the first and last day of each window, a 29 February birthday."""

from __future__ import annotations

import datetime as dt

import pytest

from api.dossiers.reminders import birthday, due_reminders, load_rules
from tests.conftest import ROOT

RULES = load_rules(ROOT / "data" / "reminders.yaml")


def kinds(profile: dict[str, str], today: dt.date, lang: str = "vi") -> list[str]:
    return [r.kind for r in due_reminders(profile, today=today, rules=RULES, lang=lang)]


@pytest.mark.parametrize("age", [14, 25, 40, 60])
def test_each_renewal_age_is_reminded_on_the_birthday_itself(age: int) -> None:
    born = dt.date(1990, 3, 14)
    [reminder] = due_reminders({"date_of_birth": "14/03/1990"}, today=birthday(born, 1990 + age), rules=RULES)
    assert reminder.kind == "id_card_renewal" and f"tròn {age} tuổi" in reminder.text and reminder.guide == "1.014063"


def test_the_window_opens_90_days_before_and_closes_a_year_after() -> None:
    profile, due = {"date_of_birth": "14/03/1990"}, dt.date(2030, 3, 14)  # 40
    assert kinds(profile, due - dt.timedelta(days=91)) == []
    assert kinds(profile, due - dt.timedelta(days=90)) == ["id_card_renewal"]
    assert kinds(profile, due + dt.timedelta(days=365)) == ["id_card_renewal"]
    assert kinds(profile, due + dt.timedelta(days=366)) == []


def test_no_renewal_after_60_and_none_at_other_ages() -> None:
    assert kinds({"date_of_birth": "14/03/1950"}, dt.date(2026, 12, 2)) == []
    assert kinds({"date_of_birth": "14/03/1990"}, dt.date(2026, 12, 2)) == []  # 36


def test_a_leap_day_birthday_counts_from_1_march_in_other_years() -> None:
    profile = {"date_of_birth": "29/02/2012"}  # 14 in 2026, not a leap year
    assert birthday(dt.date(2012, 2, 29), 2026) == dt.date(2026, 3, 1)
    [reminder] = due_reminders(profile, today=dt.date(2026, 3, 1), rules=RULES, lang="en")
    assert reminder.due_on == dt.date(2026, 3, 1) and "You turn 14 on 2026-03-01" in reminder.text
    assert birthday(dt.date(2000, 2, 29), 2040) == dt.date(2040, 2, 29)  # 40 in a leap year: the day itself


def test_passport_within_six_months_and_temporary_residence_within_30_days() -> None:
    profile = {"passport_expiry": "15/03/2027", "temporary_residence_until": "31/12/2026"}
    assert kinds(profile, dt.date(2026, 9, 12)) == []  # 184 days before the passport expires
    assert kinds(profile, dt.date(2026, 9, 13)) == ["passport_expiry"]
    both = due_reminders(profile, today=dt.date(2026, 12, 1), rules=RULES)
    assert [r.kind for r in both] == ["temporary_residence", "passport_expiry"]  # soonest first
    assert both[0].form == "CT01" and both[1].form == "TK01-HC"
    assert kinds(profile, dt.date(2027, 1, 1)) == ["passport_expiry"]  # the residence ended yesterday


def test_missing_or_malformed_dates_give_nothing() -> None:
    assert kinds({"date_of_birth": "1990-03-14", "passport_expiry": ""}, dt.date(2030, 3, 14)) == []
