"""Skills from guide domains, working hours with Vietnamese public holidays, phone numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from api.handoff.callbacks import normalize_phone
from api.handoff.config import HandoffConfig
from api.handoff.errors import Invalid
from api.handoff.hours import is_open
from api.handoff.skills import skill_for_domain


@pytest.mark.parametrize(
    ("domain", "skill"),
    [("Đăng ký, quản lý cư trú", "residence"), ("Cấp, quản lý căn cước", "identity"), ("Quản lý xuất nhập cảnh", "identity"),
     ("Hộ tịch", "civil_status"), ("Chứng thực", "civil_status"), ("Thuế", "general"), ("", "general"), (None, "general")],
)  # fmt: skip
def test_skill_for_domain(domain: str | None, skill: str) -> None:
    assert skill_for_domain(domain) == skill


def at(local: str) -> dt.datetime:
    """A Hanoi wall-clock time (UTC+7) as an aware UTC datetime."""
    return (dt.datetime.fromisoformat(local) - dt.timedelta(hours=7)).replace(tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-11-23 08:00", True),  # Monday morning
        ("2026-11-23 07:29", False),  # before opening
        ("2026-11-23 17:00", False),  # closing time
        ("2026-11-22 10:00", False),  # Sunday
        ("2026-09-02 10:00", False),  # National Day (a Wednesday)
        ("2026-02-17 10:00", False),  # Lunar New Year (Tết)
        ("2026-04-30 10:00", False),  # Reunification Day
    ],
)
def test_working_hours_and_holidays(moment: str, expected: bool) -> None:
    assert is_open(at(moment), HandoffConfig()) is expected


def test_always_open_and_custom_hours() -> None:
    assert is_open(at("2026-09-02 23:00"), HandoffConfig(always_open=True))
    assert is_open(at("2026-11-22 10:00"), HandoffConfig(open_days=[6]))


def test_phone_numbers() -> None:
    assert normalize_phone("+84 912 345 678") == "0912345678"
    assert normalize_phone("(024) 3825 1234") == "02438251234"
    with pytest.raises(Invalid):
        normalize_phone("1900 1234")  # a hotline is nobody's callback number
    with pytest.raises(Invalid, match="10 digits"):
        normalize_phone("12345")
