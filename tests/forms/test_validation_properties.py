"""Properties of form answer validation (api/forms/validation.py) on generated answers.

For every field kind: any text is a stored value or an `InvalidValue` with a reason in both
languages, never another exception; well-formed answers are accepted whatever their spacing;
a stored value validates to itself; a refusal never repeats the answer (chat transcripts are
kept without personal data).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from api.forms.templates import Field
from api.forms.validation import MAX_TEXT, InvalidValue, validate, validate_row
from knowledge.normalize import fold

PROPERTY = settings(max_examples=200, deadline=None)
TODAY = dt.date(2026, 11, 22)
SEX = Field("gioi_tinh", {"vi": "Giới tính", "en": "Sex"}, "choice", options=("Nam", "Nữ", "Khác"))
FIELDS = {
    "text": Field("ho_ten", {"vi": "Họ và tên"}, "text"),
    "long_text": Field("ly_do", {"vi": "Lý do"}, "long_text"),
    "date": Field("ngay_sinh", {"vi": "Ngày sinh"}, "date"),
    "personal_id": Field("so_dinh_danh", {"vi": "Số định danh cá nhân"}, "personal_id"),
    "phone": Field("dien_thoai", {"vi": "Số điện thoại"}, "phone"),
    "email": Field("email", {"vi": "Email"}, "email"),
    "choice": SEX,
    "number": Field("so_nguoi", {"vi": "Số người"}, "number", min=1, max=20),
}
MEMBERS = Field(
    "thanh_vien",
    {"vi": "Thành viên"},
    "table",
    columns=(Field("tt", {"vi": "TT"}, "number", auto=True), FIELDS["text"], FIELDS["date"], SEX, FIELDS["personal_id"]),
)
# Controls a stored value must not carry (PostgreSQL refuses NUL in text and JSON; the others are invisible).
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Answers as citizens type them, and the odd ones: digits of other scripts (Arabic-Indic, full width,
# superscripts), separators, controls, marks; any text besides.
DIGITS = "0123456789"
ODD_DIGITS = "٠١٢٣٤٥٦٧٨٩０１２３４５６７８９²³¹⁰½"
answer_like = st.text(alphabet=DIGITS + ODD_DIGITS + " ./-+()@_,;:\t\n\x00\x1f\u0301aAđĐİß", max_size=40)
any_answer = st.one_of(st.text(max_size=80), answer_like, st.text(max_size=10).map(lambda s: s * 300))


def outcome(field: Field, text: str) -> object:
    """The stored value, or the refusal (checked to carry a reason in both languages)."""
    try:
        return validate(field, text, today=TODAY)
    except InvalidValue as exc:
        assert exc.reason("vi") and exc.reason("en") and exc.reason("fr") == exc.reason("vi")
        return exc


def stored(field: Field, text: str) -> object:
    value = outcome(field, text)
    assert not isinstance(value, InvalidValue), f"{text!r} refused: {value.reason('en')}"
    return value


@pytest.mark.parametrize("kind", list(FIELDS))
@PROPERTY
@given(text=any_answer)
@example(text="01/01/0000")
@example(text="0000-02-29")
@example(text="²")
@example(text="a\x00b")
@example(text="İ@x.vn")
@example(text="١٢٣٤٥٦٧٨٩٠١٢")
@example(text="²" * 12)
def test_any_answer_is_a_value_or_a_reason_and_a_value_validates_to_itself(kind: str, text: str) -> None:
    field = FIELDS[kind]
    value = outcome(field, text)
    if isinstance(value, InvalidValue):
        return
    assert outcome(field, str(value)) == value  # idempotent: what is stored is accepted as it is
    if isinstance(value, str):
        assert value and value == value.strip() and unicodedata.is_normalized("NFC", value)
        assert not CONTROLS.search(value), repr(value)
        assert len(value) <= MAX_TEXT.get(kind, 300)
        if kind in ("date", "personal_id", "phone"):
            assert value.isascii()


@pytest.mark.parametrize("kind", list(FIELDS))
@PROPERTY
@given(digits=st.from_regex(r"[1-9][0-9]{7,14}", fullmatch=True), sep=st.sampled_from(["", " ", "x", "/", "-"]))
def test_a_refusal_does_not_repeat_the_answer(kind: str, digits: str, sep: str) -> None:
    text = f"{digits[:4]}{sep}{digits[4:]}"
    value = outcome(FIELDS[kind], text)
    if isinstance(value, InvalidValue):
        for reason in value.reasons.values():
            assert digits not in re.sub(r"\D", "", reason) and text not in reason


written_date = st.tuples(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    st.sampled_from(
        [
            "{d:02d}/{m:02d}/{y}",
            "{d}/{m}/{y}",
            "{d}-{m}-{y}",
            "{d:02d}.{m:02d}.{y}",
            "{d} / {m} / {y}",
            "{y}-{m:02d}-{d:02d}",
            "{y}-{m}-{d}",
        ]
    ),
    st.sampled_from(["", " ", "\t"]),
)


@PROPERTY
@given(written_date)
def test_a_past_date_is_accepted_in_any_usual_writing(case: tuple[dt.date, str, str]) -> None:
    date, pattern, pad = case
    text = pad + pattern.format(d=date.day, m=date.month, y=date.year) + pad
    assert stored(FIELDS["date"], text) == date.strftime("%d/%m/%Y")


@PROPERTY
@given(st.dates(min_value=TODAY + dt.timedelta(days=1)) | st.dates(max_value=dt.date(1899, 12, 31)))
def test_future_dates_and_years_before_1900_are_refused(date: dt.date) -> None:
    text = f"{date.day:02d}/{date.month:02d}/{date.year:04d}"
    assert isinstance(outcome(FIELDS["date"], text), InvalidValue)


@PROPERTY
@given(
    st.integers(min_value=1900, max_value=TODAY.year - 1),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=29, max_value=99),
)
def test_a_day_past_the_end_of_its_month_is_refused_with_the_month_length(year: int, month: int, day: int) -> None:
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    refusal = outcome(FIELDS["date"], f"{day}/{month}/{year}")
    if day <= last:
        assert refusal == dt.date(year, month, day).strftime("%d/%m/%Y")
    else:
        assert isinstance(refusal, InvalidValue) and f"has only {last} days" in refusal.reason("en")


@PROPERTY
@given(st.from_regex(r"[0-9]{12}", fullmatch=True), st.lists(st.sampled_from(["", " ", ".", "  "]), min_size=11, max_size=11))
def test_a_twelve_digit_id_number_is_accepted_with_any_spacing(digits: str, gaps: list[str]) -> None:
    text = digits[0] + "".join(gap + digit for gap, digit in zip(gaps, digits[1:], strict=True))
    assert stored(FIELDS["personal_id"], text) == digits


@PROPERTY
@given(st.from_regex(r"[0-9]{1,11}|[0-9]{13,20}", fullmatch=True))
def test_an_id_number_of_another_length_says_how_many_digits_were_typed(digits: str) -> None:
    refusal = outcome(FIELDS["personal_id"], digits)
    assert isinstance(refusal, InvalidValue) and f"you typed {len(digits)}" in refusal.reason("en")


# Mobile prefixes the carriers hand out (Viettel, VinaPhone, MobiFone, Vietnamobile, Gmobile, Itel).
MOBILE_PREFIXES = "32 33 34 35 36 37 38 39 86 96 97 98 88 91 94 81 82 83 84 85 90 93 70 76 77 78 79 92 56 58 59 87".split()


@st.composite
def written_phone(draw: st.DrawFn) -> tuple[str, str]:
    """(as typed, its national digits): a mobile or a Hà Nội / TP.HCM landline, in a usual writing."""
    if draw(st.booleans()):
        subscriber = draw(st.sampled_from(MOBILE_PREFIXES)) + draw(st.from_regex(r"[0-9]{7}", fullmatch=True))
        groups = [subscriber[:3], subscriber[3:6], subscriber[6:]]
    else:
        subscriber = draw(st.sampled_from(["24", "28"])) + "3" + draw(st.from_regex(r"[0-9]{7}", fullmatch=True))
        groups = [subscriber[:2], subscriber[2:6], subscriber[6:]]
    sep = draw(st.sampled_from(["", " ", ".", "-"]))
    prefix = draw(st.sampled_from(["0", "+84 ", "+84", "84", "(0)"]))
    if prefix == "(0)":
        groups[0], prefix = f"(0{groups[0]})", ""
    return prefix + sep.join(groups), "0" + subscriber


@PROPERTY
@given(written_phone())
def test_a_vietnamese_phone_number_is_accepted_as_its_national_digits(phone: tuple[str, str]) -> None:
    typed, national = phone
    assert stored(FIELDS["phone"], typed) == national


@PROPERTY
@given(st.from_regex(r"[a-z0-9]([a-z0-9._+-]{0,15}[a-z0-9])?@[a-z0-9-]{1,12}(\.[a-z]{2,6}){1,3}", fullmatch=True), st.booleans())
def test_an_email_address_is_accepted_in_lower_case(address: str, upper: bool) -> None:
    assert stored(FIELDS["email"], address.upper() if upper else address) == address


@PROPERTY
@given(st.sampled_from(SEX.options), st.sampled_from(["as is", "upper", "folded", "number", "padded"]))
def test_a_choice_is_accepted_by_name_number_or_folded_name(option: str, writing: str) -> None:
    number = str(SEX.options.index(option) + 1)
    text = {"as is": option, "upper": option.upper(), "folded": fold(option), "number": number, "padded": f" {option}. "}[writing]
    assert stored(SEX, text) == option


@PROPERTY
@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_a_number_is_accepted_exactly_within_its_bounds(value: int) -> None:
    field = FIELDS["number"]
    result = outcome(field, str(value))
    assert (result == value) == (field.min <= value <= field.max)  # type: ignore[operator]


@PROPERTY
@given(st.text(min_size=1, max_size=400))
def test_text_is_kept_up_to_its_limit_with_its_spacing_collapsed(text: str) -> None:
    value = outcome(FIELDS["text"], text)
    if isinstance(value, InvalidValue):
        return
    assert isinstance(value, str) and len(value) <= MAX_TEXT["text"] and "  " not in value
    assert value.split() == CONTROLS.sub("", unicodedata.normalize("NFC", text)).split()


@PROPERTY
@given(st.text(max_size=200), st.sampled_from([";", ","]))
def test_any_table_row_is_a_row_or_a_reason(text: str, sep: str) -> None:
    try:
        row = validate_row(MEMBERS, text, row_number=3, today=TODAY)
    except InvalidValue as exc:
        assert exc.reason("vi") and exc.reason("en")
        return
    assert list(row) == ["tt", "ho_ten", "ngay_sinh", "gioi_tinh", "so_dinh_danh"] and row["tt"] == 3


@PROPERTY
@given(
    st.text(alphabet="abcdeghiklmnopqrstuvxyàáạăâđêôơư ", min_size=1, max_size=30).filter(str.strip),
    written_date,
    st.sampled_from(SEX.options),
)
def test_a_well_formed_row_is_read_column_by_column(name: str, date: tuple[dt.date, str, str], sex: str) -> None:
    day = date[0]
    row = validate_row(MEMBERS, f"{name}; {day:%d/%m/%Y}; {sex}; 001218000013", row_number=1, today=TODAY)
    assert row == {
        "tt": 1,
        "ho_ten": " ".join(name.split()),
        "ngay_sinh": f"{day:%d/%m/%Y}",
        "gioi_tinh": sex,
        "so_dinh_danh": "001218000013",
    }
