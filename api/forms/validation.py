"""Validation of one answer against a field: pure functions, a normalised value or `InvalidValue`.

Each refusal says what was wrong, in Vietnamese and English, without repeating the value
(the reason is shown in the chat, and chat transcripts must not carry personal data).

>>> validate(Field("d", {"vi": "Ngày sinh"}, "date"), "31/02/2020", today=dt.date(2026, 1, 1))
Traceback (most recent call last):
...
api.forms.validation.InvalidValue: tháng 2 năm 2020 chỉ có 29 ngày
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from typing import Any

from api.forms.templates import Field
from api.phones import national, parse_vn_phone
from knowledge.normalize import fold, nfc

MAX_TEXT = {"text": 300, "long_text": 2000}
CHOICE_ALIASES = {"male": "nam", "man": "nam", "female": "nu", "woman": "nu", "other": "khac", "yes": "co", "no": "khong"}
_DATE_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
# Invisible control characters (tab and newline stay): PostgreSQL refuses NUL in text and JSON.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class InvalidValue(ValueError):
    def __init__(self, vi: str, en: str) -> None:
        super().__init__(vi)
        self.reasons = {"vi": vi, "en": en}

    def reason(self, lang: str) -> str:
        return self.reasons.get(lang, self.reasons["vi"])


def validate(field: Field, text: str, *, today: dt.date | None = None) -> Any:
    """The value to store for `text` typed as the answer to `field` (tables: one row)."""
    text = _CONTROLS.sub("", nfc(text)).strip()
    if not text:
        raise InvalidValue("câu trả lời đang trống", "the answer is empty")
    check = _CHECKS.get(field.type, _text)
    return check(field, text, today or dt.date.today())


def _text(field: Field, text: str, _today: dt.date) -> str:
    limit = MAX_TEXT.get(field.type, 300)
    if len(text) > limit:
        raise InvalidValue(f"tối đa {limit} ký tự; câu trả lời có {len(text)} ký tự", f"at most {limit} characters; yours has {len(text)}")
    return " ".join(text.split()) if field.type == "text" else text


def _ascii_digits(text: str) -> str:
    """Decimal digits of any script as ASCII ("١٢" → "12", full width too); other characters as they are."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def _date(_field: Field, text: str, today: dt.date) -> str:
    text = _ascii_digits(text)
    if m := _DATE_DMY.match(text):
        day, month, year = (int(g) for g in m.groups())
    elif m := _DATE_ISO.match(text):
        year, month, day = (int(g) for g in m.groups())
    else:
        raise InvalidValue("ngày cần viết theo dạng ngày/tháng/năm, ví dụ 05/09/1990", "write the date as day/month/year, e.g. 05/09/1990")
    if not 1 <= month <= 12:
        raise InvalidValue(f"tháng {month} không tồn tại (tháng từ 1 đến 12)", f"there is no month {month} (months are 1 to 12)")
    if year < 1900:  # before the month's length: the calendar has no year 0
        raise InvalidValue("năm cần từ 1900 trở đi", "the year must be 1900 or later")
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise InvalidValue(f"tháng {month} năm {year} chỉ có {days} ngày", f"month {month} of {year} has only {days} days")
    date = dt.date(year, month, day)
    if date > today:
        raise InvalidValue("ngày này còn ở tương lai", "that date is in the future")
    return date.strftime("%d/%m/%Y")


def _personal_id(_field: Field, text: str, _today: dt.date) -> str:
    digits = _ascii_digits(re.sub(r"[\s.]", "", text))
    if not (digits.isascii() and digits.isdigit()):
        raise InvalidValue("số định danh cá nhân chỉ gồm chữ số", "a personal ID number has digits only")
    if len(digits) != 12:
        raise InvalidValue(
            f"số định danh cá nhân gồm đúng 12 chữ số; bạn nhập {len(digits)} chữ số",
            f"a personal ID number has exactly 12 digits; you typed {len(digits)}",
        )
    return digits


def _phone(_field: Field, text: str, _today: dt.date) -> str:
    """A Vietnamese mobile or landline (api.phones), written back as its national digits ("0912345678")."""
    if any(c.isalpha() for c in text):
        raise InvalidValue("số điện thoại chỉ gồm chữ số, không có chữ cái", "a phone number has digits only, no letters")
    e164 = parse_vn_phone(text)
    if e164 is None:
        typed = sum(c.isdigit() for c in text)
        raise InvalidValue(
            f"số điện thoại di động gồm 10 chữ số và bắt đầu bằng 0 (số cố định: mã vùng và số máy); bạn nhập {typed} chữ số",
            f"a mobile number has 10 digits starting with 0 (a landline: area code and number); you typed {typed}",
        )
    return national(e164)


def _email(_field: Field, text: str, _today: dt.date) -> str:
    address = text.lower()  # checked lower-cased: "İ" lowers to "i" and a combining dot
    if not _EMAIL.match(address):
        raise InvalidValue("email chưa đúng dạng, ví dụ ten@example.vn", "that is not an e-mail address, e.g. name@example.vn")
    return address


def _choice(field: Field, text: str, _today: dt.date) -> str:
    key = fold(text).strip(" .")
    key = CHOICE_ALIASES.get(key, key)
    for number, option in enumerate(field.options, start=1):
        if key in (fold(option), str(number)):
            return option
    options = ", ".join(field.options)
    raise InvalidValue(f"vui lòng chọn một trong: {options}", f"please choose one of: {options}")


def _number(field: Field, text: str, _today: dt.date) -> int:
    text = _ascii_digits(text)
    if not (text.isascii() and text.isdigit()):  # "²" is a digit that int() does not read
        raise InvalidValue("vui lòng nhập một số", "please type a number")
    value = int(text)
    low, high = field.min if field.min is not None else 0, field.max if field.max is not None else 10**6
    if not low <= value <= high:
        raise InvalidValue(f"số cần từ {low} đến {high}", f"the number must be between {low} and {high}")
    return value


def validate_row(field: Field, text: str, *, row_number: int, today: dt.date | None = None) -> dict[str, Any]:
    """One row of a table field, columns separated by ';' (or ',' when there is no ';')."""
    columns = [c for c in field.columns if not c.auto]
    sep = ";" if ";" in text else ","
    parts = [p.strip() for p in nfc(text).split(sep)]
    if len(parts) != len(columns):
        labels = "; ".join(c.label["vi"] for c in columns)
        labels_en = "; ".join(c.label_in("en") for c in columns)
        raise InvalidValue(
            f"mỗi dòng cần {len(columns)} mục cách nhau bởi dấu chấm phẩy ({labels}); dòng này có {len(parts)} mục",
            f"each row needs {len(columns)} items separated by semicolons ({labels_en}); this one has {len(parts)}",
        )
    row: dict[str, Any] = {c.id: row_number for c in field.columns if c.auto}
    for column, part in zip(columns, parts, strict=True):
        try:
            row[column.id] = validate(column, part, today=today)
        except InvalidValue as exc:
            raise InvalidValue(
                f"cột “{column.label['vi']}”: {exc.reasons['vi']}", f"column “{column.label_in('en')}”: {exc.reasons['en']}"
            ) from exc
    return row


_CHECKS = {
    "text": _text,
    "long_text": _text,
    "date": _date,
    "personal_id": _personal_id,
    "phone": _phone,
    "email": _email,
    "choice": _choice,
    "number": _number,
}
