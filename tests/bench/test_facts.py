"""Reference facts: extraction from a free-text answer, and matching by value rather than spelling."""

from __future__ import annotations

import pytest

from bench.facts import Quantity, extract_facts, facts_for_question, flatten_strings, parse_number, quantities, states_fact


@pytest.mark.parametrize(
    ("text", "value"),
    [("07", "7"), ("70.000", "70000"), ("70,000", "70000"), ("2.000.000", "2000000"), ("2,5", "2.5"), ("1.5", "1.5")],
)
def test_numbers_lose_leading_zeros_and_thousands_separators(text: str, value: str) -> None:
    assert format(parse_number(text).normalize(), "f") == value


def test_amounts_durations_and_free_are_pulled_out_in_order() -> None:
    answer = "Nộp lệ phí 70.000 đồng; trả kết quả trong 07 ngày làm việc (online: 24 giờ). Trẻ em được miễn phí, hồ sơ giữ 30 ngày."
    assert extract_facts(answer) == ["70.000 đồng", "07 ngày làm việc", "24 giờ", "miễn phí", "30 ngày"]


def test_kinds_restrict_what_is_pulled_out() -> None:
    answer = "Lệ phí 50.000 đồng, có kết quả sau 5 ngày làm việc."
    assert extract_facts(answer, kinds={"duration"}) == ["5 ngày làm việc"]
    assert extract_facts(answer, kinds={"amount", "free"}) == ["50.000 đồng"]


def test_a_value_said_twice_is_one_fact() -> None:
    assert extract_facts("Trực tiếp: 3 ngày làm việc. Trực tuyến: 03 ngày làm việc.") == ["3 ngày làm việc"]


def test_codes_dates_and_percentages_are_not_quantities() -> None:
    text = "Theo Nghị định 123/2015/NĐ-CP ngày 15 tháng 5 năm 2025, giảm 50% đến 31/12/2026."
    assert quantities(text) == set()


def test_ranges_multipliers_and_currency_first() -> None:
    assert quantities("5-10 ngày") == {Quantity("duration", "5", "day"), Quantity("duration", "10", "day")}
    assert quantities("khoảng 2,5 triệu đồng") == {Quantity("amount", "2500000", "dong")}
    assert quantities("VND 135,000 per licence") == {Quantity("amount", "135000", "dong")}
    assert quantities("2,000,000 Việt Nam Đồng") == {Quantity("amount", "2000000", "dong")}
    assert quantities("50.000đ") == {Quantity("amount", "50000", "dong")}


@pytest.mark.parametrize(
    ("fact", "reply"),
    [
        ("70.000 đồng", "Fee for the ID card: 70,000 VND per card."),
        ("07 ngày làm việc", "Processing time: In person: 7 working days; Online: 7 working days."),
        ("24 giờ", "thoi gian: trong 24h"),
        ("30 ngày", "Trong vòng 30 ngày kể từ ngày sinh"),
        ("miễn phí", "Lệ phí: Trực tuyến: Miễn phí."),
        ("miễn phí", "Online: Free."),
        ("Tờ khai CT01", "Hồ sơ gồm: tờ khai thay đổi thông tin cư trú (mẫu CT01)... Tờ khai CT01 ký sẵn"),
        ("200.000", "Fee: Online: 200000 VND per passport."),
        ("48/2022/TT-BTC", "Thông tư 48/2022/TT-BTC quy định lệ phí"),
    ],
)
def test_a_fact_is_stated_whatever_the_spelling(fact: str, reply: str) -> None:
    assert states_fact(fact, reply)


@pytest.mark.parametrize(
    ("fact", "reply"),
    [
        ("70.000 đồng", "Fee: 7,000 VND."),
        ("07 ngày làm việc", "Trong 7 ngày."),  # calendar days are not working days
        ("24 giờ", "trong 24 ngày"),
        ("miễn phí", "Lệ phí 10.000 đồng"),
        ("Tờ khai CT01", "Tờ khai CT02"),
        ("5.000", "Lệ phí 25.000 đồng"),
        ("200.000", "Nghị định 200.000/2020"),
    ],
)
def test_a_different_value_or_unit_is_not_the_fact(fact: str, reply: str) -> None:
    assert not states_fact(fact, reply)


def test_question_facts_come_from_the_file_or_from_the_reference_answer() -> None:
    assert facts_for_question({"kind": "fee", "facts": ["35.000 đồng"], "answer": "70.000 đồng"}) == ("35.000 đồng",)
    answer = "Lệ phí 70.000 đồng, trong 7 ngày làm việc."
    assert facts_for_question({"kind": "fee", "answer": answer}) == ("70.000 đồng",)
    assert facts_for_question({"kind": "time", "answer": answer}) == ("7 ngày làm việc",)
    assert facts_for_question({"kind": "documents", "answer": answer}) == ()
    assert facts_for_question({"kind": "fee"}) == ()


def test_flatten_strings_walks_cards() -> None:
    card = {"title": "A", "version": 3, "channels": [{"fee": "10.000 đồng", "time": None}], "steps": ["x", "y"]}
    assert flatten_strings(card) == ["A", "10.000 đồng", "x", "y"]
