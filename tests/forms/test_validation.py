"""Answers refused with the reason, and normalised when accepted."""

from __future__ import annotations

import datetime as dt

import pytest

from api.forms.templates import Field
from api.forms.validation import InvalidValue, validate, validate_row

TODAY = dt.date(2026, 11, 22)
DATE = Field("ngay_sinh", {"vi": "Ngày sinh", "en": "Date of birth"}, "date")
PID = Field("so_dinh_danh", {"vi": "Số định danh cá nhân"}, "personal_id")
PHONE = Field("dien_thoai", {"vi": "Số điện thoại"}, "phone")
SEX = Field("gioi_tinh", {"vi": "Giới tính"}, "choice", options=("Nam", "Nữ", "Khác"))
MEMBERS = Field(
    "thanh_vien",
    {"vi": "Thành viên"},
    "table",
    columns=(
        Field("tt", {"vi": "TT"}, "number", auto=True),
        Field("ho_ten", {"vi": "Họ và tên"}, "text"),
        DATE,
        SEX,
        PID,
        Field("quan_he", {"vi": "Quan hệ"}, "text"),
    ),
)


def refusal(field: Field, text: str) -> InvalidValue:
    with pytest.raises(InvalidValue) as info:
        validate(field, text, today=TODAY)
    return info.value


@pytest.mark.parametrize(("text", "value"), [("5/9/1990", "05/09/1990"), ("29-02-2020", "29/02/2020"), ("1990-09-05", "05/09/1990")])
def test_dates_are_normalised(text: str, value: str) -> None:
    assert validate(DATE, text, today=TODAY) == value


def test_an_impossible_date_says_why() -> None:
    exc = refusal(DATE, "31/02/2020")
    assert exc.reason("vi") == "tháng 2 năm 2020 chỉ có 29 ngày"
    assert exc.reason("en") == "month 2 of 2020 has only 29 days"
    assert "13" in refusal(DATE, "01/13/2020").reason("vi")
    assert "tương lai" in refusal(DATE, "01/01/2030").reason("vi")
    assert "ngày/tháng/năm" in refusal(DATE, "hôm qua").reason("vi")


def test_personal_id_numbers_have_twelve_digits() -> None:
    assert validate(PID, "0011 9000 0011") == "001190000011"
    assert "bạn nhập 10 chữ số" in refusal(PID, "0011900000").reason("vi")
    assert "chỉ gồm chữ số" in refusal(PID, "00119000001A").reason("vi")


def test_phones() -> None:
    assert validate(PHONE, "0912 345 678") == "0912345678"
    assert validate(PHONE, "+84 912.345.678") == "0912345678"
    assert "không có chữ cái" in refusal(PHONE, "09l2345678").reason("vi")
    assert "10 chữ số" in refusal(PHONE, "091234").reason("vi")
    assert validate(PHONE, "024 3825 1234") == "02438251234"  # a landline, with its area code
    assert "bạn nhập 10 chữ số" in refusal(PHONE, "0112345678").reason("vi")  # no such prefix


def test_choices_accept_folded_numbers_and_english() -> None:
    assert validate(SEX, "nu") == "Nữ"
    assert validate(SEX, "2") == "Nữ"
    assert validate(SEX, "female") == "Nữ"
    assert "Nam, Nữ, Khác" in refusal(SEX, "không rõ").reason("vi")


def test_household_rows() -> None:
    row = validate_row(MEMBERS, "Trần Minh Khôi; 21/06/2018; Nam; 001218000013; Con", row_number=2, today=TODAY)
    assert row == {
        "tt": 2,
        "ho_ten": "Trần Minh Khôi",
        "ngay_sinh": "21/06/2018",
        "gioi_tinh": "Nam",
        "so_dinh_danh": "001218000013",
        "quan_he": "Con",
    }
    with pytest.raises(InvalidValue, match="Ngày sinh"):
        validate_row(MEMBERS, "Trần Minh Khôi; 31/02/2018; Nam; 001218000013; Con", row_number=1, today=TODAY)
    with pytest.raises(InvalidValue, match="5 mục"):
        validate_row(MEMBERS, "Trần Minh Khôi; Con", row_number=1, today=TODAY)
