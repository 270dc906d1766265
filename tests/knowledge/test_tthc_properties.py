"""Properties of the national record parser (knowledge/tthc.py) on generated records.

The parser's contract: any JSON value gives a `ParsedRecord`, never an exception; a guide when
the record has a code and a title, else none and the reason in `problems`. A guide is clean text
that the guide store can write and read back unchanged.
"""

from __future__ import annotations

import dataclasses
import json
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.guides import CHANNEL_KINDS, Guide, guide_from_dict, guide_to_dict
from knowledge.tthc import ParsedRecord, parse_record, read_records
from tests.knowledge.test_tthc import CHANNEL_HEADER, record

PROPERTY = settings(max_examples=200, deadline=None)
FIELDS = (
    "ma_thu_tuc",
    "ten_thu_tuc",
    "cap_thuc_hien",
    "linh_vuc",
    "doi_tuong_thuc_hien",
    "co_quan_thuc_hien",
    "co_quan_co_tham_quyen",
    "dia_chi_tiep_nhan",
    "trinh_tu_thuc_hien",
    "cach_thuc_thuc_hien",
    "thanh_phan_ho_so",
    "yeu_cau_dieu_kien",
    "can_cu_phap_ly",
    "ket_qua_xu_ly",
    "detail_url",
    "raw_text",
)
# Pieces of the crawl's formats, so generated text reaches the splitting code, not only "no markers".
FRAGMENTS = [
    CHANNEL_HEADER,
    "Tên giấy tờMẫu đơn, tờ khaiSố lượng",
    "Tên văn bản pháp lýMã văn bản",
    "Trình Tự Thực Hiện",
    "Cách Thức Thực Hiện",
    "Thành phần hồ sơ",
    "Căn cứ pháp lý",
    "Trực tuyến",
    "Trực tiếp",
    "Dịch vụ bưu chính",
    "Bước 1:",
    "Bước 2.",
    "1 bản chính",
    ",1 bản sao",
    "Miễn phí",
    "Không có thông tin",
    "Lệ phí : ",
    "100.000 đồng",
    "5 Ngày làm việc",
    "(",
    ")",
    "Mã: KQ.G99.000001",
    "Từ khóa",
    "154/2024/NĐ-CP",
    "68/2020/QH14",
    "Cơ quan thực hiện",
    ".docx",
    "\n",
    "\t",
    "\r\n",
    "\x00",
    "\u200b",
    "\uf0b7",
    "- ",
    "a) ",
]
crawl_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)), max_size=25).map("".join)
huge_text = st.tuples(st.sampled_from(FRAGMENTS), st.text(max_size=10)).map(lambda pair: (pair[0] + pair[1]) * 2000)
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40), crawl_text)
json_value = st.recursive(
    json_scalar, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12
)
field_value = st.one_of(crawl_text, json_value)
raw_record = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=12), field_value, max_size=len(FIELDS) + 3)
step_text = st.text(alphabet="abcdeghiklmnopqrstuvxyàáạăâđêôơư ,", min_size=1, max_size=40).map(str.strip).filter(bool)
unknown_key = st.text(min_size=1, max_size=20).filter(lambda key: key not in FIELDS)
# Invisible characters the parser must remove from every text it keeps (tab and CR included).
_DROPPED = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\u200b\u200c\u200d\ufeff]")


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings(v)]
    return []


def check_invariants(parsed: ParsedRecord) -> None:
    assert isinstance(parsed, ParsedRecord)
    assert all(isinstance(problem, str) and problem for problem in parsed.problems)
    guide = parsed.guide
    if guide is None:
        assert parsed.problems, "a record without a guide says why"
        return
    assert isinstance(guide, Guide)
    assert guide.origin == "tthc" and guide.status == "published" and list(guide.content) == ["vi"]
    content = guide.content["vi"]
    assert guide.code and content.title and "\n" not in content.title and content.title == content.title.strip()
    assert all(channel.kind in CHANNEL_KINDS for channel in content.channels)
    assert all(step for step in content.steps)
    assert all(case.items and all(case.items) for case in content.documents)
    for text in strings(guide_to_dict(guide)):
        assert unicodedata.is_normalized("NFC", text), text
        assert not _DROPPED.search(text), text
    # What the importer stores is read back as the same guide.
    stored = json.loads(json.dumps(guide_to_dict(guide), ensure_ascii=False))
    assert guide_from_dict(stored) == guide


@PROPERTY
@given(st.one_of(json_value, raw_record))
def test_any_json_value_parses_to_a_record_or_says_why(raw: Any) -> None:
    check_invariants(parse_record(raw))


@PROPERTY
@given(st.dictionaries(st.sampled_from(FIELDS[2:]), field_value, max_size=6))
def test_a_record_with_code_and_title_keeps_its_guide_whatever_else_it_holds(fields: dict[str, Any]) -> None:
    parsed = parse_record(record(**fields))
    check_invariants(parsed)
    assert parsed.guide is not None, parsed.problems
    assert (parsed.guide.code, parsed.guide.title) == ("9.000001", "Cấp giấy phép thử nghiệm")


@PROPERTY
@given(st.from_regex(r"[0-9]\.[0-9]{6}", fullmatch=True) | st.integers(min_value=1), st.lists(step_text, min_size=1, max_size=4))
def test_code_and_title_are_read_as_one_clean_line(code: str | int, words: list[str]) -> None:
    title = "\n ".join(words)
    parsed = parse_record(record(ma_thu_tuc=code, ten_thu_tuc=title))
    check_invariants(parsed)
    assert parsed.guide is not None
    assert parsed.guide.code == str(code)
    assert parsed.guide.title == " ".join(" ".join(words).split())


@PROPERTY
@given(st.sampled_from(FIELDS), huge_text)
def test_huge_fields_parse(key: str, text: str) -> None:
    check_invariants(parse_record(record(**{key: text})))


@PROPERTY
@given(st.dictionaries(unknown_key, json_value, min_size=1, max_size=5), st.dictionaries(st.sampled_from(FIELDS), crawl_text, max_size=4))
def test_unknown_keys_change_nothing(extra: dict[str, Any], fields: dict[str, Any]) -> None:
    raw = record(**fields)
    assert parse_record({**extra, **raw}) == parse_record(raw) == parse_record({**raw, **extra})


@PROPERTY
@given(st.sampled_from(FIELDS), st.sampled_from([None, "", "Không có thông tin", "Không có thông tin.", "  \n\t "]))
def test_a_missing_or_empty_field_is_the_same_as_an_absent_one(key: str, empty: Any) -> None:
    raw = record()
    absent = {k: v for k, v in raw.items() if k != key}
    assert parse_record({**raw, key: empty}) == parse_record(absent)


# --- fees ---------------------------------------------------------------------------------------

CURRENCIES = ["Việt Nam Đồng", "VNĐ", "VND", "đồng", "Đồng", "USD"]


@st.composite
def written_amount(draw: st.DrawFn) -> tuple[int, str]:
    """An amount of 1,000 or more as the portal writes it: "1.500.000", "1,500,000" or "1500000"."""
    amount = draw(st.integers(min_value=1_000, max_value=10**10))
    separator = draw(st.sampled_from([".", ",", ""]))
    return amount, f"{amount:,}".replace(",", separator)


def channel(row: str) -> Any:
    parsed = parse_record(record(cach_thuc_thuc_hien=CHANNEL_HEADER + row))
    check_invariants(parsed)
    assert parsed.guide is not None
    [only] = parsed.guide.content["vi"].channels
    return only, parsed.problems


@PROPERTY
@given(
    st.sampled_from(["Trực tuyến", "Trực tiếp", "Dịch vụ bưu chính"]),
    st.integers(min_value=1, max_value=90),
    st.sampled_from(["Ngày làm việc", "Ngày", "Giờ", "Tháng"]),
    written_amount(),
    st.sampled_from(CURRENCIES),
    st.sampled_from(["", "/hồ sơ", "/lần"]),
)
def test_a_fee_amount_round_trips(name: str, days: int, unit: str, amount: tuple[int, str], currency: str, per: str) -> None:
    value, written = amount
    fee_cell = f"{written} {currency}" + (f"({per})" if per else "")
    found, problems = channel(f"{name}{days} {unit}{fee_cell}")
    assert found.time == f"{days} {unit}"
    assert found.fee == f"{written} {currency}{per}"
    assert int(re.sub(r"\D", "", found.fee)) == value
    assert not [p for p in problems if "fee" in p]


@PROPERTY
@given(st.integers(min_value=1, max_value=999), st.sampled_from(["VNĐ", "đồng", "Việt Nam Đồng"]))
def test_an_amount_under_a_thousand_dong_is_kept_and_reported(value: int, currency: str) -> None:
    found, problems = channel(f"Trực tiếp5 Ngày làm việc{value} {currency}")
    assert found.fee == f"{value} {currency}"
    assert any("under 1,000 đồng" in p for p in problems)


# --- steps and files ----------------------------------------------------------------------------


@PROPERTY
@given(st.lists(step_text, min_size=2, max_size=8), st.sampled_from([":", ".", " -"]), st.sampled_from(["\n", " "]))
def test_numbered_steps_come_back_in_order(steps: list[str], mark: str, separator: str) -> None:
    text = separator.join(f"Bước {i}{mark} {step}" for i, step in enumerate(steps, start=1))
    parsed = parse_record(record(trinh_tu_thuc_hien=text))
    check_invariants(parsed)
    assert parsed.guide is not None
    assert parsed.guide.content["vi"].steps == [re.sub(r" +", " ", step).strip() for step in steps]


@PROPERTY
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_reading_any_file_yields_a_record_or_an_error(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "bo-thu" / "1.000001.json"
        path.parent.mkdir()
        path.write_bytes(content)
        [(found, raw, error)] = list(read_records(Path(directory)))
    assert found == path
    assert (raw is None) != (error is None)
    if raw is not None:
        assert isinstance(raw, dict)
        check_invariants(parse_record(raw))
    else:
        assert error and error.startswith("1.000001.json: ")


def test_invariants_notice_a_broken_guide() -> None:
    """The checker itself fails on a guide that breaks them (so the properties above can fail)."""
    parsed = parse_record(record())
    assert parsed.guide is not None
    broken = dataclasses.replace(parsed.guide, code="9.000001\x00")
    try:
        check_invariants(ParsedRecord(guide=broken, problems=[]))
    except AssertionError:
        return
    raise AssertionError("a control character in the code went unnoticed")
