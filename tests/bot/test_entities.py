"""The regex entities of bot/data/entities.yml, applied the way RegexEntityExtractor applies them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from api.phones import parse_vn_phone
from api.privacy import redact

ENTITIES = Path(__file__).resolve().parents[2] / "bot" / "data" / "entities.yml"


def patterns(name: str) -> list[re.Pattern[str]]:
    data = yaml.safe_load(ENTITIES.read_text(encoding="utf-8"))
    [block] = [b for b in data["nlu"] if b.get("regex") == name]
    return [re.compile(line[2:], re.IGNORECASE) for line in block["examples"].splitlines() if line.startswith("- ")]


def extract(name: str, text: str) -> list[str]:
    return [m.group(0) for p in patterns(name) for m in p.finditer(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("CCCD 001203004567 bị mất", ["001203004567"]),
        ("CMND số 123456789", ["123456789"]),
        ("gọi 0912345678", []),  # a phone, not an ID
        ("mã 1001203004567", []),  # 13 digits
        ("thủ tục 1.004194", []),
    ],
)
def test_id_numbers(text: str, found: list[str]) -> None:
    assert extract("id_number", text) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("gọi 0912345678", ["0912345678"]),
        ("số 0912 345 678 nhé", ["0912 345 678"]),
        ("call +84912345678", ["+84912345678"]),
        ("0987.654.321", ["0987.654.321"]),
        ("CCCD 001203004567", []),
        ("lệ phí 20.000 đồng", []),
    ],
)
def test_phones(text: str, found: list[str]) -> None:
    assert extract("phone", text) == found
    # The NLU regex is a feature only; what it extracts, the app's one reading (api.phones) accepts.
    assert all(parse_vn_phone(phone) for phone in found)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("nộp ngày 05/03/2024", ["05/03/2024"]),
        ("hẹn 5-3-2024", ["5-3-2024"]),
        ("applied on 2024-03-05", ["2024-03-05"]),
        ("nộp ngày 5 tháng 3 năm 2024 rồi", ["ngày 5 tháng 3 năm 2024"]),
        ("nop ngay 5 thang 3 nam 2024", ["ngay 5 thang 3 nam 2024"]),
        ("Ngày 15 tháng 12", ["Ngày 15 tháng 12"]),
        ("32/13/2024", []),
        ("lệ phí 20.000 đồng trong 7 ngày", []),
        ("thủ tục 1.004194", []),
        ("0912345678", []),
    ],
)
def test_dates(text: str, found: list[str]) -> None:
    assert extract("date", text) == found


@pytest.mark.parametrize(
    "text", ["CCCD 001203004567, CMND 123456789", "gọi 0912 345 678 hoặc +84912345678 hoặc 0987.654.321", "số định danh:079085000021."]
)
def test_what_the_bot_extracts_as_personal_numbers_never_reaches_a_transcript(text: str) -> None:
    found = extract("id_number", text) + extract("phone", text)
    assert found
    stored = redact(text)
    assert not any(value in stored for value in found), stored
