"""The national procedure record parser: flattened tables back into a `Guide`.

The raw dicts below are synthetic: short made-up strings in the crawl's formats.
"""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from knowledge.guides import Channel, DocumentCase, LegalRef, guide_from_dict, guide_to_dict
from knowledge.tthc import ParsedRecord, parse_record, read_records

SHARED_TTHC = Path(__file__).parents[2].parent / "shared" / "data" / "tthc"

CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
DOC_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"


def record(**fields: Any) -> dict[str, Any]:
    """A small, well-formed raw record; keyword arguments replace fields."""
    raw: dict[str, Any] = {
        "ma_thu_tuc": "9.000001",
        "ten_thu_tuc": "Cấp giấy phép thử nghiệm",
        "cap_thuc_hien": "Cấp tỉnh",
        "linh_vuc": "Thử nghiệm",
        "doi_tuong_thuc_hien": "Công dân Việt Nam",
        "co_quan_thuc_hien": "Sở Thử nghiệm",
        "co_quan_co_tham_quyen": "",
        "dia_chi_tiep_nhan": "",
        "trinh_tu_thuc_hien": "Bước 1: Nộp hồ sơ.\nBước 2: Nhận kết quả.",
        "cach_thuc_thuc_hien": CHANNEL_HEADER + "Trực tiếp5 Ngày làm việcMiễn phí",
        "thanh_phan_ho_so": "--" + DOC_HEADER + "Đơn đề nghị1 bản chính",
        "yeu_cau_dieu_kien": "Không có thông tin",
        "can_cu_phap_ly": LEGAL_HEADER + "Luật Thử nghiệm12/2021/QH15",
        "ket_qua_xu_ly": "Giấy phép thử nghiệmMã: KQ.G99.000001Từ khóaKhông có thông tinMô tảKhông có thông tin",
        "detail_url": "https://example.invalid/thu-tuc/1",
        "raw_text": "",
    }
    raw.update(fields)
    return raw


def parse(**fields: Any) -> ParsedRecord:
    return parse_record(record(**fields))


def content(**fields: Any):
    parsed = parse(**fields)
    assert parsed.guide is not None, parsed.problems
    return parsed.guide.content["vi"]


# --- the guide --------------------------------------------------------------------------------------


def test_a_clean_record_becomes_a_published_tthc_guide_without_problems():
    parsed = parse(co_quan_thuc_hien="", co_quan_co_tham_quyen="Bộ Thử nghiệm")

    assert parsed.problems == []
    guide = parsed.guide
    assert guide is not None
    assert (guide.code, guide.title, guide.origin, guide.status) == ("9.000001", "Cấp giấy phép thử nghiệm", "tthc", "published")
    assert list(guide.content) == ["vi"]
    assert (guide.level, guide.domain, guide.agency) == ("Cấp tỉnh", "Thử nghiệm", "Bộ Thử nghiệm")
    assert guide.source_url == "https://example.invalid/thu-tuc/1"
    assert guide.updated_at is None
    vi = guide.content["vi"]
    assert vi.who == "Công dân Việt Nam"
    assert vi.conditions == ""  # "Không có thông tin" means nothing to say
    assert vi.result == "Giấy phép thử nghiệm"
    assert guide_from_dict(guide_to_dict(guide)) == guide


def test_text_is_normalised_to_nfc():
    decomposed = unicodedata.normalize("NFD", "Đăng ký thường trú")
    assert decomposed != "Đăng ký thường trú"

    parsed = parse(ten_thu_tuc=decomposed, trinh_tu_thuc_hien=unicodedata.normalize("NFD", "Bước 1: Nộp tờ khai.\nBước 2: Chờ kết quả."))

    assert parsed.guide is not None
    assert parsed.guide.title == "Đăng ký thường trú"
    assert parsed.guide.content["vi"].steps == ["Nộp tờ khai.", "Chờ kết quả."]


# --- missing code or title, wrong types -------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "missing"),
    [
        ({"ma_thu_tuc": ""}, "code"),
        ({"ma_thu_tuc": None}, "code"),
        ({"ma_thu_tuc": "   "}, "code"),
        ({"ten_thu_tuc": ""}, "title"),
        ({"ten_thu_tuc": {"vi": "x"}}, "title"),
    ],
)
def test_a_record_without_code_or_title_gives_no_guide_and_says_why(fields, missing):
    parsed = parse(**fields)

    assert parsed.guide is None
    assert any(missing in problem for problem in parsed.problems)


def test_a_record_without_the_code_key_at_all():
    raw = record()
    del raw["ma_thu_tuc"]

    parsed = parse_record(raw)

    assert parsed.guide is None
    assert parsed.problems


@pytest.mark.parametrize("raw", [None, [], "text", 42, ["ma_thu_tuc"]])
def test_a_record_that_is_not_an_object_gives_a_problem(raw):
    parsed = parse_record(raw)

    assert parsed.guide is None
    assert parsed.problems


ODD_VALUES = [None, "", "   ", 7, 2.5, True, [], {}, ["Bước 1: A", 2], [{"x": 1}], {"a": "b"}, "Không có thông tin", "\u0000\ufeff"]
SECTIONS = [
    "trinh_tu_thuc_hien",
    "cach_thuc_thuc_hien",
    "thanh_phan_ho_so",
    "can_cu_phap_ly",
    "ket_qua_xu_ly",
    "raw_text",
    "doi_tuong_thuc_hien",
    "cap_thuc_hien",
    "detail_url",
]


@pytest.mark.parametrize("key", SECTIONS)
@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
def test_odd_values_never_raise_and_keep_the_guide(key, value):
    parsed = parse(**{key: value})

    assert isinstance(parsed, ParsedRecord)
    assert parsed.guide is not None
    assert all(isinstance(problem, str) and problem for problem in parsed.problems)


def test_control_characters_are_dropped():
    parsed = parse(ten_thu_tuc="Cấp\u0000 giấy\u200b phép", trinh_tu_thuc_hien="Bước 1:\x07 Nộp hồ sơ.\r\nBước 2: Nhận kết quả.\ufeff")

    assert parsed.guide is not None
    assert parsed.guide.title == "Cấp giấy phép"
    assert parsed.guide.content["vi"].steps == ["Nộp hồ sơ.", "Nhận kết quả."]


def test_a_dict_or_list_of_objects_is_reported_by_field_name():
    parsed = parse(trinh_tu_thuc_hien={"buoc": 1}, can_cu_phap_ly=[{"so": "1/2020/QH14"}])

    assert parsed.guide is not None
    assert parsed.guide.content["vi"].steps == []
    assert any(p.startswith("trinh_tu_thuc_hien:") for p in parsed.problems)
    assert any(p.startswith("can_cu_phap_ly:") for p in parsed.problems)


def test_a_numeric_code_is_read_as_text():
    parsed = parse(ma_thu_tuc=12345)

    assert parsed.guide is not None
    assert parsed.guide.code == "12345"


# --- steps ------------------------------------------------------------------------------------------


def test_steps_split_on_buoc_headings_keep_sub_bullets_and_ignore_references():
    steps = content(
        trinh_tu_thuc_hien=(
            "Bước 1: Chuẩn bị hồ sơ gồm:\n- tờ khai;\n+ ảnh chân dung.\n"
            "- Bước 2. Nộp hồ sơ; nếu thiếu, quay lại Bước 1 để bổ sung.\n"
            "Bước 3 Nhận kết quả tại Bước 2, nơi đã nộp."
        )
    ).steps

    assert steps == [
        "Chuẩn bị hồ sơ gồm:\n- tờ khai;\n+ ảnh chân dung.",
        "Nộp hồ sơ; nếu thiếu, quay lại Bước 1 để bổ sung.",
        "Nhận kết quả tại Bước 2, nơi đã nộp.",
    ]


def test_steps_of_two_cases_each_starting_at_buoc_1():
    steps = content(trinh_tu_thuc_hien="a) Bước 1: Nộp đơn.\nb) Bước 2: Chờ.\nTrường hợp khác:\nBước 1: Gửi thư.\nBước 2: Chờ thư.").steps

    assert steps == ["Nộp đơn.", "Chờ.\nTrường hợp khác:", "Gửi thư.", "Chờ thư."]


def test_steps_without_buoc_use_line_enumerations_then_bullets():
    assert content(trinh_tu_thuc_hien="a) Nộp đơn;\n- kèm ảnh\nb) Xét đơn.\nc) Trả kết quả.").steps == [
        "a) Nộp đơn;\n- kèm ảnh",
        "b) Xét đơn.",
        "c) Trả kết quả.",
    ]
    assert content(trinh_tu_thuc_hien="1. Nộp đơn.\n2. Xét đơn.").steps == ["1. Nộp đơn.", "2. Xét đơn."]
    assert content(trinh_tu_thuc_hien="- Nộp đơn.\n+ kèm ảnh\n- Nhận kết quả.").steps == ["Nộp đơn.\n+ kèm ảnh", "Nhận kết quả."]


def test_steps_without_any_marker_are_kept_whole():
    parsed = parse(trinh_tu_thuc_hien="Người dân nộp đơn tại cơ quan và nhận kết quả ngay.")

    assert parsed.guide is not None
    assert parsed.guide.content["vi"].steps == ["Người dân nộp đơn tại cơ quan và nhận kết quả ngay."]


def test_missing_steps_are_a_problem():
    parsed = parse(trinh_tu_thuc_hien="")

    assert parsed.guide is not None
    assert parsed.guide.content["vi"].steps == []
    assert any(p.startswith("trinh_tu_thuc_hien:") for p in parsed.problems)


def test_steps_cut_short_by_the_crawl_are_taken_back_from_raw_text():
    raw_text = (
        "Cấp giấy phép thử nghiệmTên thủ tục...Trình Tự Thực Hiện"
        "Bước 1: Lập hồ sơ theo mục (Thành phần hồ sơ); gửi cơ quan.\nBước 2: Nhận kết quả.\n"
        "Cách Thức Thực Hiện" + CHANNEL_HEADER + "Trực tiếp2 NgàyMiễn phí"
        "Thành phần hồ sơ--" + DOC_HEADER + "Đơn đề nghị1 bản chính"
        "Căn cứ pháp lý" + LEGAL_HEADER + "Luật Thử nghiệm12/2021/QH15Cơ quan thực hiệnSở Thử nghiệm"
    )
    parsed = parse(
        trinh_tu_thuc_hien="Bước 1: Lập hồ sơ theo mục (",
        cach_thuc_thuc_hien=CHANNEL_HEADER + "Trực tiếp2 NgàyMiễn phí",
        thanh_phan_ho_so="); gửi cơ quan.\nBước 2: Nhận kết quả.",
        raw_text=raw_text,
    )

    assert parsed.guide is not None
    vi = parsed.guide.content["vi"]
    assert vi.steps == ["Lập hồ sơ theo mục (Thành phần hồ sơ); gửi cơ quan.", "Nhận kết quả."]
    assert vi.documents == [DocumentCase(case="", items=["Đơn đề nghị (1 bản chính)"])]
    assert any("raw_text" in p for p in parsed.problems)


# --- channels ---------------------------------------------------------------------------------------


def test_channel_rows_split_into_kind_time_fee_and_note():
    channels = content(
        cach_thuc_thuc_hien=CHANNEL_HEADER
        + "Trực tuyến4 Ngày làm việc15,000 Việt Nam Đồng(Giảm một nửa khi nộp qua cổng (đến hết năm).)"
        + "Trực tiếp6 Ngày làm việc30,000 Việt Nam ĐồngNộp tại bộ phận một cửa; trực tiếp nhận kết quả."
        + "Dịch vụ bưu chính10 NgàyMiễn phí"
    ).channels

    assert channels == [
        # The parentheses right after the amount belong to the fee cell: the fee says it, not the note.
        Channel(kind="online", time="4 Ngày làm việc", fee="15,000 Việt Nam Đồng (Giảm một nửa khi nộp qua cổng (đến hết năm))", note=""),
        Channel(
            kind="in_person", time="6 Ngày làm việc", fee="30,000 Việt Nam Đồng", note="Nộp tại bộ phận một cửa; trực tiếp nhận kết quả."
        ),
        Channel(kind="post", time="10 Ngày", fee="Miễn phí", note=""),
    ]


def test_a_channel_without_fee_or_time_information_has_empty_fields():
    channels = content(
        cach_thuc_thuc_hien=CHANNEL_HEADER + "Trực tiếp3 Giờ" + "Không có thông tin" + "Dịch vụ bưu chínhKhông có thông tin20 USD(Không có)"
    ).channels

    assert channels == [
        Channel(kind="in_person", time="3 Giờ", fee="", note=""),
        Channel(kind="post", time="", fee="20 USD", note=""),
    ]


def test_a_unitless_time_glued_to_the_fee_and_a_fee_unit_in_parentheses():
    channels = content(cach_thuc_thuc_hien=CHANNEL_HEADER + "Trực tuyến1150,000 VNĐ(/bộ hồ sơ)Trực tiếp2Miễn phí").channels

    assert channels == [
        Channel(kind="online", time="1", fee="150,000 VNĐ/bộ hồ sơ", note=""),
        Channel(kind="in_person", time="2", fee="Miễn phí", note=""),
    ]


def fees(channels_text: str) -> list[str]:
    return [c.fee for c in content(cach_thuc_thuc_hien=CHANNEL_HEADER + channels_text).channels]


@pytest.mark.parametrize(
    ("row", "fee"),
    [
        # The amount and its explanation, which may restate it with a unit.
        ("Trực tiếp2 Ngày làm việc10,000 Việt Nam Đồng(10.000 đồng/bộ thử.)", "10,000 Việt Nam Đồng (10.000 đồng/bộ thử)"),
        # An amount under 1,000 đồng is the table in thousands (or another currency): the explanation says it.
        ("Trực tiếp5 Ngày làm việc135 VNĐ(Lệ phí cấp thẻ thử: 135.000 đồng/lần.)", "Lệ phí cấp thẻ thử: 135.000 đồng/lần"),
        ("Trực tiếp5 Ngày làm việc145 VNĐ(Thẻ thử hạn 2 năm: 145 USD/thẻ.)", "Thẻ thử hạn 2 năm: 145 USD/thẻ"),
        # "Free" with a rule that sets the fee elsewhere says both.
        (
            "Trực tuyến3 Ngày làm việcMiễn phí(Mức lệ phí do Hội đồng nhân dân tỉnh quyết định.)",
            "Miễn phí (Mức lệ phí do Hội đồng nhân dân tỉnh quyết định)",
        ),
        ("Trực tuyến3 Ngày làm việcMiễn phí(Theo Thông tư 99/2099/TT-BTC)", "Miễn phí (Theo Thông tư 99/2099/TT-BTC)"),
        ("Trực tuyến3 Ngày làm việcMiễn phí(Không quy định.)", "Miễn phí"),
        # The portal's template for an explanation without amount ("Phí : Đồng …").
        (
            "Trực tiếp20 Ngày làm việc2,500,000 Việt Nam Đồng(Phí : Đồng (Giảm còn một nửa đến hết năm 2099))",
            "2,500,000 Việt Nam Đồng (Giảm còn một nửa đến hết năm 2099)",
        ),
        ("Trực tuyến15 Ngày làm việc12,000,000 Việt Nam Đồng(đồng/lần)", "12,000,000 Việt Nam Đồng/lần"),
        # A fee written as a label in a tab-separated row.
        ("Dịch vụ bưu chính\t02 Ngày làm việc\tPhí : Đồng Không thu lệ phí", "Không thu lệ phí"),
    ],
)
def test_the_fee_says_what_the_fee_cell_says(row, fee):
    assert fees(row) == [fee]


def test_a_fee_only_in_the_description_column_is_the_fee_and_the_description_stays():
    description = "- 05 ngày làm việc kể từ ngày nhận đủ hồ sơ\n- Lệ phí : 20.000 Đồng (Lệ phí cấp thẻ thử: 20.000 đồng/thẻ.);"
    [channel] = content(cach_thuc_thuc_hien=CHANNEL_HEADER + "Trực tiếp5 Ngày làm việcKhông có thông tin" + description).channels

    assert channel.fee == "Lệ phí : 20.000 Đồng (Lệ phí cấp thẻ thử: 20.000 đồng/thẻ.)"  # the line, without its final ";"
    assert channel.note == description


def test_a_description_with_a_reduced_rate_is_the_fee():
    description = "Phí: 800.000 đồng/hồ sơ (áp dụng mức 400.000 đồng/hồ sơ đến hết năm 2099)."
    [channel] = content(cach_thuc_thuc_hien=CHANNEL_HEADER + "Trực tuyến6 Ngày làm việc800,000 Việt Nam Đồng" + description).channels

    assert channel.fee == "800,000 Việt Nam Đồng (" + description.rstrip(".") + ")"


def test_a_fee_word_without_amount_in_the_description_does_not_replace_the_amount():
    [channel] = content(
        cach_thuc_thuc_hien=CHANNEL_HEADER + "Trực tuyến6 Ngày làm việc1,200,000 Việt Nam ĐồngPhí thẩm định hồ sơ thử"
    ).channels

    assert (channel.fee, channel.note) == ("1,200,000 Việt Nam Đồng", "Phí thẩm định hồ sơ thử")


def test_numbering_after_a_missing_fee_stays_in_the_description():
    [channel] = content(
        cach_thuc_thuc_hien=CHANNEL_HEADER + "Trực tiếp14 Ngày làm việcKhông có thông tin(1) Trường hợp đổi tên: nộp tại Sở."
    ).channels

    assert (channel.fee, channel.note) == ("", "(1) Trường hợp đổi tên: nộp tại Sở.")


def test_an_amount_under_1000_dong_without_explanation_is_kept_and_reported():
    parsed = parse(cach_thuc_thuc_hien=CHANNEL_HEADER + "Trực tuyến1 Ngày100 VNĐ(")

    assert parsed.guide is not None and parsed.guide.content["vi"].channels[0].fee == "100 VNĐ"
    assert any("under 1,000 đồng" in p for p in parsed.problems)


def test_channel_text_that_cannot_be_split_keeps_the_guide_and_reports_it():
    parsed = parse(cach_thuc_thuc_hien=CHANNEL_HEADER + "nộp theo hướng dẫn của cơ quan")

    assert parsed.guide is not None
    assert parsed.guide.content["vi"].channels == []
    assert any(p.startswith("cach_thuc_thuc_hien: could not split channel rows") for p in parsed.problems)


# --- documents --------------------------------------------------------------------------------------


def test_documents_per_case_without_quantities_or_form_file_names():
    documents = content(
        thanh_phan_ho_so=(
            "a) Trường hợp cá nhân:" + DOC_HEADER + "- Tờ khai theo mẫu số 01.MauTK01.docx1 bản chính"
            "Ảnh chân dung, nộp 02 bản chính kèm tờ khai;0 bản chính,2 bản sao"
            "b) Trường hợp tổ chức:" + DOC_HEADER + "Giấy giới thiệu của tổ chức1 bản chính,1 bản sao"
            "Ghi chú: giấy tờ nước ngoài phải được hợp pháp hóa."
        )
    ).documents

    assert documents == [
        DocumentCase(
            case="a) Trường hợp cá nhân",
            items=["Tờ khai theo mẫu số 01 (1 bản chính)", "Ảnh chân dung, nộp 02 bản chính kèm tờ khai (2 bản sao)"],
        ),
        DocumentCase(
            case="b) Trường hợp tổ chức",
            items=["Giấy giới thiệu của tổ chức (1 bản chính, 1 bản sao)", "Ghi chú: giấy tờ nước ngoài phải được hợp pháp hóa"],
        ),
    ]


def test_the_default_case_and_items_without_any_copy():
    documents = content(thanh_phan_ho_so="--" + DOC_HEADER + "Đơn đề nghị;1 bản chínhBản khai (xuất trình khi nhận)0 bản chính").documents

    assert documents == [DocumentCase(case="", items=["Đơn đề nghị (1 bản chính)", "Bản khai (xuất trình khi nhận)"])]


def test_document_text_without_the_table_is_kept_as_one_case():
    parsed = parse(thanh_phan_ho_so="Nộp các giấy tờ theo hướng dẫn của cơ quan.")

    assert parsed.guide is not None
    assert parsed.guide.content["vi"].documents == [DocumentCase(case="", items=["Nộp các giấy tờ theo hướng dẫn của cơ quan."])]
    assert any(p.startswith("thanh_phan_ho_so:") for p in parsed.problems)


def test_no_documents_listed():
    assert content(thanh_phan_ho_so="--").documents == []
    assert content(thanh_phan_ho_so="").documents == []


# --- legal basis ------------------------------------------------------------------------------------


def test_legal_basis_rows_split_into_number_and_title():
    refs = parse(
        can_cu_phap_ly=LEGAL_HEADER
        + "Luật Thử nghiệm năm 202112/2021/QH15"
        + "Nghị định 34/2022/NĐ-CP ngày 01/02/2022 quy định chi tiết Luật Thử nghiệm34/2022/NĐ-CP"
        + "Thông tư hướng dẫn thủ tục thử nghiệm56/2023/TT-BCA"
        + "Luật Mẫu vậtLuật số 9/2020/QH14"
        + "Quyết định 7/2024/QĐ-TTg7/2024/QĐ-TTg"
        + "Văn bản hợp nhất Luật Thử nghiệm8/VBHN-VPQH"
    ).guide.legal_basis

    assert refs == [
        LegalRef(number="12/2021/QH15", title="Luật Thử nghiệm năm 2021"),
        LegalRef(number="34/2022/NĐ-CP", title="Nghị định 34/2022/NĐ-CP ngày 01/02/2022 quy định chi tiết Luật Thử nghiệm"),
        LegalRef(number="56/2023/TT-BCA", title="Thông tư hướng dẫn thủ tục thử nghiệm"),
        LegalRef(number="9/2020/QH14", title="Luật Mẫu vật"),
        LegalRef(number="7/2024/QĐ-TTg", title="Quyết định 7/2024/QĐ-TTg"),
        LegalRef(number="8/VBHN-VPQH", title="Văn bản hợp nhất Luật Thử nghiệm"),
    ]


def test_legal_basis_with_a_title_ending_in_its_own_number_and_duplicates():
    refs = parse(
        can_cu_phap_ly=LEGAL_HEADER + "Luật Mẫu số 3/2019/QH143/2019/QH14Thông tư 5/2020/TT-BTC5/2020/TT-BTC5/2020/TT-BTC"
    ).guide.legal_basis

    assert refs == [
        LegalRef(number="3/2019/QH14", title="Luật Mẫu số 3/2019/QH14"),
        LegalRef(number="5/2020/TT-BTC", title="Thông tư 5/2020/TT-BTC"),
    ]


def test_legal_basis_text_without_a_number_is_kept_as_a_title_with_a_problem():
    parsed = parse(can_cu_phap_ly=LEGAL_HEADER + "Luật Thử nghiệm12/2021/QH15Quy chế nội bộ của cơ quan")

    assert parsed.guide is not None
    assert parsed.guide.legal_basis == [
        LegalRef(number="12/2021/QH15", title="Luật Thử nghiệm"),
        LegalRef(number="", title="Quy chế nội bộ của cơ quan"),
    ]
    assert any(p.startswith("can_cu_phap_ly:") for p in parsed.problems)


def test_no_legal_basis():
    assert parse(can_cu_phap_ly="Không có thông tin").guide.legal_basis == []


# --- results ----------------------------------------------------------------------------------------


def test_results_drop_codes_and_page_junk():
    result = content(
        ket_qua_xu_ly="Giấy phép thử nghiệm;Mã: KQ.G99.000001Văn bản từ chối.Mã: KQ.G99.000002"
        "Từ khóaThử nghiệmMô tảKhông có thông tinChọn cơ quan thực hiệnTỉnh/ Thành phốNộp hồ sơ"
    ).result

    assert result == "Giấy phép thử nghiệm; Văn bản từ chối"


def test_results_with_odd_codes():
    assert content(ket_qua_xu_ly="Thẻ thử nghiệmMã: 000.00.00.G99-KQ0001Từ khóaKhông có thông tin").result == "Thẻ thử nghiệm"
    assert content(ket_qua_xu_ly="Quyết định thử nghiệmMã: abcxyzThông báoMã: Chưa xác định").result == "Quyết định thử nghiệm; Thông báo"
    assert content(ket_qua_xu_ly="").result == ""


# --- reading the directory --------------------------------------------------------------------------


def test_read_records_walks_ministries_sorted_and_reports_bad_files(tmp_path):
    (tmp_path / "bo-b").mkdir()
    (tmp_path / "bo-a").mkdir()
    (tmp_path / "bo-b" / "2.000001.json").write_text(json.dumps(record(ma_thu_tuc="2.000001")), encoding="utf-8")
    (tmp_path / "bo-a" / "1.000002.json").write_text("[1, 2]", encoding="utf-8")
    (tmp_path / "bo-a" / "1.000001.json").write_text('{"ma_thu_tuc": "1.000001", ', encoding="utf-8")
    (tmp_path / "bo-a" / "1.000003.json").write_bytes(b"\xff\xfe not utf-8")
    (tmp_path / "bo-a" / "notes.txt").write_text("not a record", encoding="utf-8")
    (tmp_path / "top-level.json").write_text("{}", encoding="utf-8")

    rows = list(read_records(tmp_path))

    assert [(path.parent.name, path.name) for path, _, _ in rows] == [
        ("bo-a", "1.000001.json"),
        ("bo-a", "1.000002.json"),
        ("bo-a", "1.000003.json"),
        ("bo-b", "2.000001.json"),
    ]
    errors = [error for _, raw, error in rows[:3]]
    assert all(error and raw is None for (_, raw, _), error in zip(rows[:3], errors, strict=True))
    _, raw, error = rows[3]
    assert error is None
    assert raw is not None and parse_record(raw).guide.code == "2.000001"


def test_read_records_of_a_missing_directory_is_empty(tmp_path):
    assert list(read_records(tmp_path / "missing")) == []


# --- the shared crawl -------------------------------------------------------------------------------


@pytest.mark.shared
def test_the_whole_shared_crawl_parses():
    if not SHARED_TTHC.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED_TTHC} is missing (required with CI=true)")
        pytest.skip(f"{SHARED_TTHC} is not here")

    files = guides = complete = 0
    codes: dict[str, Path] = {}
    silent: list[Path] = []
    duplicates: list[str] = []
    for path, raw, error in read_records(SHARED_TTHC):
        files += 1
        parsed = parse_record(raw) if raw is not None else None
        if parsed is None or parsed.guide is None:
            if not (error or (parsed and parsed.problems)):
                silent.append(path)
            continue
        guides += 1
        vi = parsed.guide.content["vi"]
        complete += bool(vi.steps and vi.channels)
        if parsed.guide.code in codes:
            duplicates.append(f"{parsed.guide.code}: {codes[parsed.guide.code]} and {path}")
        codes[parsed.guide.code] = path

    assert files > 0
    assert silent == [], "records without a guide and without a problem"
    assert complete >= 0.95 * files, f"only {complete} of {files} records have steps and channels"
    assert duplicates == []
