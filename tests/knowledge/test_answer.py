"""The reply text: the answer itself, taken from the guide, short enough for a chat bubble."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from knowledge.answer import MAX_TEXT, answer_text, clarify_text, option_value, phrases
from knowledge.guides import Channel, DocumentCase, Guide, GuideContent, load_guide_dir

ROOT = Path(__file__).resolve().parents[2]
SOURCE = "https://example.invalid/thu-tuc/9"


def guide(**content: object) -> Guide:
    """A synthetic guide; keyword arguments replace its Vietnamese content's fields."""
    base = GuideContent(
        title="Cấp thẻ thử nghiệm",
        channels=[Channel("online", "5 Ngày làm việc", "Miễn phí"), Channel("in_person", "5 Ngày làm việc", "Miễn phí")],
    )
    return Guide(code="9.000009", content={"vi": replace(base, **content)}, agency="Sở Thử nghiệm", source_url=SOURCE)


def test_a_fee_every_channel_shares_is_said_once():
    assert answer_text(guide(), "vi", "fee") == "Lệ phí Cấp thẻ thử nghiệm: Miễn phí."


def test_fees_that_differ_are_said_per_channel():
    channels = [
        Channel("online", "3 Ngày", "7.000 đồng/lần"),
        Channel("post", "3 Ngày", "7.000 đồng/lần"),
        Channel("in_person", "3 Ngày", "10.000 đồng/lần"),
    ]
    text = answer_text(guide(channels=channels), "vi", "fee")

    assert text == "Lệ phí Cấp thẻ thử nghiệm:\n- Trực tuyến, Qua bưu chính: 7.000 đồng/lần\n- Trực tiếp: 10.000 đồng/lần"


def test_a_clarify_option_gives_its_fee_in_one_line_per_value():
    channels = [Channel("online", "3 Ngày", "7.000 đồng/lần"), Channel("in_person", "3 Ngày", "10.000 đồng/lần")]

    assert option_value(guide(), "vi", "fee") == "Miễn phí"
    assert option_value(guide(channels=channels), "vi", "fee") == "Trực tuyến: 7.000 đồng/lần; Trực tiếp: 10.000 đồng/lần"
    assert option_value(guide(), "vi", "time") == "5 Ngày làm việc"


def test_a_clarify_option_says_nothing_when_not_asked_or_not_stated():
    assert option_value(guide(), "vi", "documents") == ""
    assert option_value(guide(channels=[Channel("online", "", "")]), "vi", "fee") == ""


def test_clarify_text_lists_each_options_value_under_the_question():
    values = {"1": "Miễn phí", "2": "50.000 đồng"}
    text = clarify_text("Which procedure do you mean?", values, {"1": "First", "2": "Second", "3": "Third"}, "en", "fee")

    assert text == "Which procedure do you mean?\nThe fee of each:\n- First: Miễn phí\n- Second: 50.000 đồng"
    assert clarify_text("Bạn muốn hỏi về thủ tục nào?", {}, {"1": "First"}, "vi", "fee") == "Bạn muốn hỏi về thủ tục nào?"


def test_two_rows_of_one_channel_are_named_by_their_notes():
    channels = [
        Channel("in_person", "", "2.000 đồng/trang", note="Tại UBND cấp xã. Nhận kết quả tại nơi nộp."),
        Channel("in_person", "", "10 USD/bản", note="Tại cơ quan đại diện ở nước ngoài."),
    ]
    text = answer_text(guide(channels=channels), "vi", "fee")
    assert text.split("\n")[1:] == ["- Tại UBND cấp xã: 2.000 đồng/trang", "- Tại cơ quan đại diện ở nước ngoài: 10 USD/bản"]


def test_a_fee_that_refers_to_a_rule_is_reported_as_the_rule():
    fee = "Miễn phí (Mức thu theo Thông tư 99/2099/TT-BTC)"
    assert fee in answer_text(guide(channels=[Channel("online", "1 Ngày", fee)]), "vi", "fee")


def test_no_fee_anywhere_says_so_and_where_to_check():
    empty = guide(channels=[Channel("online", "5 Ngày làm việc"), Channel("post", "5 Ngày làm việc")])

    vi, en = answer_text(empty, "vi", "fee"), answer_text(empty, "en", "fee")

    assert vi.startswith("Hướng dẫn Cấp thẻ thử nghiệm không ghi lệ phí.") and SOURCE in vi and "Sở Thử nghiệm" in vi
    assert "states no fee" in en and SOURCE in en and "Sở Thử nghiệm" in en


def test_a_channel_without_fee_among_others_says_the_guide_states_none():
    channels = [Channel("online", "1 Ngày", "50.000 đồng"), Channel("post", "1 Ngày")]
    assert "Qua bưu chính: hướng dẫn không ghi lệ phí" in answer_text(guide(channels=channels), "vi", "fee")


def test_a_time_without_unit_says_so_and_quotes_the_description():
    channels = [Channel("online", "1", "Miễn phí", note="Nộp qua cổng. Trả kết quả trong 01 ngày làm việc.")]

    text = answer_text(guide(channels=channels), "vi", "time")

    assert text == "Thời gian giải quyết Cấp thẻ thử nghiệm: 1 (không ghi đơn vị) (Trả kết quả trong 01 ngày làm việc)."


def test_a_time_only_in_the_description_is_the_answer():
    channels = [Channel("in_person", "", "Miễn phí", note="28 ngày làm việc với cấp mới, 02 ngày làm việc với cấp lại")]
    text = answer_text(guide(channels=channels), "vi", "time")
    assert text == "Thời gian giải quyết Cấp thẻ thử nghiệm: 28 ngày làm việc với cấp mới, 02 ngày làm việc với cấp lại"


def test_a_time_answer_also_gives_the_deadlines_the_conditions_set():
    conditions = "Có giấy tờ tùy thân. Mất thẻ thì trong 2 ngày làm việc phải báo cho công an. Phí theo quy định."
    text = answer_text(guide(conditions=conditions), "vi", "time")
    assert (
        text == "Thời gian giải quyết Cấp thẻ thử nghiệm: 5 Ngày làm việc.\nLưu ý: Mất thẻ thì trong 2 ngày làm việc phải báo cho công an."
    )


def test_no_time_anywhere_says_so_and_where_to_check():
    text = answer_text(guide(channels=[Channel("online", "", "Miễn phí")]), "vi", "time")
    assert text.startswith("Hướng dẫn Cấp thẻ thử nghiệm không ghi thời hạn giải quyết.") and SOURCE in text


def test_documents_are_listed_in_the_text_per_case():
    documents = [DocumentCase("Tự làm", ["Tờ khai TK01.", "Ảnh 4x6."]), DocumentCase("Làm thay", ["Giấy ủy quyền."])]

    text = answer_text(guide(documents=documents), "vi", "documents")

    assert text == "Hồ sơ Cấp thẻ thử nghiệm gồm:\nTự làm:\n- Tờ khai TK01.\n- Ảnh 4x6.\nLàm thay:\n- Giấy ủy quyền."


def test_many_cases_show_the_first_in_full_and_count_the_rest():
    documents = [DocumentCase(f"Trường hợp {n}", [f"Giấy tờ số {n}.{i} " + "chi tiết " * 8 for i in range(4)]) for n in range(1, 9)]

    text = answer_text(guide(documents=documents), "vi", "documents")

    assert len(text) <= MAX_TEXT
    assert all(f"- {item.strip()}" in text for item in documents[0].items)
    shown = [case for case in documents if f"{case.case}:" in text.split("\n")]
    assert text.count("\n- ") == 4 * len(shown)
    assert f"Còn {len(documents) - len(shown)} trường hợp khác: " in text
    assert text.endswith(phrases("vi")["more"])


def test_one_case_longer_than_the_bubble_shows_its_first_items_and_counts_the_rest():
    items = [f"Giấy tờ {i}: " + "rất dài " * 20 for i in range(12)]

    text = answer_text(guide(documents=[DocumentCase("", items)]), "vi", "documents")

    assert len(text) <= MAX_TEXT and "- Giấy tờ 0:" in text and "giấy tờ khác." in text and text.endswith(phrases("vi")["more"])


def test_steps_are_numbered_and_long_ones_cut():
    steps = ["Nộp hồ sơ.", "Chờ " + "thẩm định " * 60, "Nhận kết quả."]

    text = answer_text(guide(steps=steps), "vi", "steps")

    lines = text.split("\n")
    assert lines[:2] == ["Các bước thực hiện Cấp thẻ thử nghiệm:", "1. Nộp hồ sơ."]
    assert lines[2].startswith("2. Chờ thẩm định") and lines[2].endswith("…") and lines[3] == "3. Nhận kết quả."
    assert lines[-1] == phrases("vi")["more"]


def test_many_steps_stop_within_the_bubble_and_say_how_many_are_left():
    steps = [f"Bước số {n} " + "làm việc " * 20 for n in range(1, 21)]
    text = answer_text(guide(steps=steps), "vi", "steps")
    assert len(text) <= MAX_TEXT and re.search(r"… còn \d+ bước nữa\.", text)


def test_where_says_the_place_or_the_agency():
    assert answer_text(guide(where="Bộ phận một cửa cấp xã"), "vi", "where") == "Nơi thực hiện Cấp thẻ thử nghiệm: Bộ phận một cửa cấp xã"
    assert answer_text(guide(), "vi", "where") == "Nơi thực hiện Cấp thẻ thử nghiệm: Sở Thử nghiệm"


def test_ways_to_apply_say_a_shared_note_once():
    channels = [Channel("online", note="Qua cổng."), Channel("post", note="Qua cổng."), Channel("in_person", note="Tại Sở.")]
    text = answer_text(guide(channels=channels), "vi", "online")
    assert text.split("\n")[1:] == ["- Trực tuyến, Qua bưu chính: Qua cổng.", "- Trực tiếp: Tại Sở."]


def test_an_overview_without_summary_gives_the_steps():
    text = answer_text(guide(steps=["Nộp hồ sơ.", "Nhận kết quả."]), "vi", "overview")
    assert text.endswith("1. Nộp hồ sơ.\n2. Nhận kết quả.")


def test_a_section_the_guide_lacks_says_the_guide_does_not_have_it():
    assert answer_text(guide(), "vi", "documents") == phrases("vi")["missing"].format(title="Cấp thẻ thử nghiệm")


# --- the curated guides --------------------------------------------------------------------------

# How an editor's note about the source reads; a citizen does not know what "the record" is.
INTERNAL = re.compile(
    r"bản ghi|hồ sơ gốc|bảng ghi|bảng của hồ sơ|hồ sơ ghi|the record(?:'s| shows| has| gives| says| states| lists| sets| only)",
    re.IGNORECASE,
)
ASPECTS = ("overview", "fee", "documents", "steps", "time", "where", "online", "conditions", "result")


@pytest.mark.parametrize("curated", load_guide_dir(ROOT / "data" / "guides"), ids=lambda g: g.code)
def test_replies_from_the_curated_guides_are_short_and_speak_to_citizens(curated: Guide):
    for lang in curated.languages:
        for aspect in ASPECTS:
            text = answer_text(curated, lang, aspect)
            assert len(text) <= MAX_TEXT, (lang, aspect, len(text))
            assert not INTERNAL.search(text), (lang, aspect, text)
