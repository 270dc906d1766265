"""api/phones.py: one reading of Vietnamese phone numbers (phonenumbers, region VN)."""

from __future__ import annotations

import pytest

from api.phones import find_phones, national, parse_vn_phone


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("0912 345 678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("091-234-5678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("024 3825 1234", "+842438251234"),
        ("(028) 3829 5555", "+842838295555"),
    ],
)
def test_parses_mobiles_and_landlines_to_e164(written: str, e164: str) -> None:
    assert parse_vn_phone(written) == e164


@pytest.mark.parametrize("written", ["12345", "0912 345 67", "0112345678", "1900 1234", "1800 1234", "+1 202 555 0143", "09l2345678", ""])
def test_refuses_short_unassigned_service_and_foreign_numbers(written: str) -> None:
    assert parse_vn_phone(written) is None


def test_national_form() -> None:
    assert national("+84912345678") == "0912345678"
    assert national("+842438251234") == "02438251234"


def found(text: str) -> list[str]:
    return [text[a:b] for a, b in find_phones(text)]


def test_finds_numbers_in_free_text() -> None:
    assert found("gọi 0912345678, 0987654321 hoặc (024) 3825-1234.") == ["0912345678", "0987654321", "(024) 3825-1234"]
    assert found("ngày 05/03/2024 0912345678") == ["0912345678"]  # the matcher alone reads a date here
    assert found("số cũ 0168 123 4567") == ["0168 123 4567"]  # pre-2018 11-digit mobile: still someone's number


@pytest.mark.parametrize(
    "text",
    [
        "lệ phí 100.000.000 đồng",
        "lệ phí 20.000 đồng trong 7 ngày",
        "thủ tục 1.004194",
        "tổng đài 1900 1234",
        "mã 000.00.12.H26-240305-0001",
    ],
)
def test_money_codes_and_hotlines_are_no_phones(text: str) -> None:
    assert found(text) == []
