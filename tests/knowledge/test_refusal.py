"""The reply when no guide answers: what is known from the nearest procedures, and a person."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from knowledge.answer import human_button
from knowledge.guides import Guide, GuideContent, LegalRef
from knowledge.index import IndexedGuide
from knowledge.refusal import NEAR_COVERAGE, unanswerable_reply
from knowledge.search import Hit, SearchOutcome

RESIDENCE = "Đăng ký, quản lý cư trú"
POLICE = "Công an cấp xã"


def procedure(code: str, title: str, domain: str = RESIDENCE, agency: str = POLICE, legal: list[LegalRef] | None = None) -> Guide:
    return Guide(code=code, content={"vi": GuideContent(title=title)}, domain=domain, agency=agency, legal_basis=legal or [])


def hit(guide: Guide, coverage: float) -> Hit:
    return Hit(guide.code, guide.title, 0.1, 5.0, coverage, 0.0, "", f"https://example.invalid/{guide.code}")


def index(*guides: Guide) -> Any:
    """The part of an `Index` the reply reads: its guides by code."""
    return SimpleNamespace(guides={g.code: IndexedGuide(g, 1) for g in guides})


def outcome(*hits: Hit, kind: str = "procedure", lang: str = "vi") -> SearchOutcome:
    result = SearchOutcome("unanswerable", list(hits), lang)
    object.__setattr__(result, "question_kind", kind)  # set by the learned search; absent before it
    return result


STAY = procedure("9.1", "Đăng ký tạm trú")
ABSENCE = procedure("9.2", "Khai báo tạm vắng")
PASSPORT = procedure("9.3", "Cấp hộ chiếu", domain="Quản lý xuất nhập cảnh", agency="Phòng Quản lý xuất nhập cảnh")
LAWFUL = procedure("9.4", "Thông báo lưu trú", legal=[LegalRef("68/2020/QH14", "Luật Cư trú"), LegalRef("55/2021/TT-BCA")])


def test_nearest_procedures_that_agree_give_the_field_and_the_agency():
    reply = unanswerable_reply(outcome(hit(STAY, 0.3), hit(ABSENCE, 0.25)), index(STAY, ABSENCE), "vi", aspect="fee")

    assert reply.text.startswith("Xin lỗi, tôi chưa có hướng dẫn trả lời câu hỏi này.")
    assert f"lĩnh vực {RESIDENCE}, do {POLICE} giải quyết." in reply.text
    assert "Thủ tục gần nhất: Đăng ký tạm trú; Khai báo tạm vắng." in reply.text
    assert reply.buttons == [human_button("vi")]
    assert reply.answer["status"] == "unanswerable" and reply.answer["guide"] is None and reply.answer["aspect"] == "fee"
    assert [p["code"] for p in reply.answer["procedures"]] == ["9.1", "9.2"]
    assert reply.guide_code is None


def test_nearest_procedures_from_scattered_fields_say_nothing_more():
    reply = unanswerable_reply(outcome(hit(STAY, 0.4), hit(PASSPORT, 0.4)), index(STAY, PASSPORT), "vi")

    assert reply.text == "Xin lỗi, tôi chưa có hướng dẫn trả lời câu hỏi này. Bạn có thể hỏi lại cụ thể hơn, hoặc gặp tổng đài viên."
    assert reply.answer["procedures"] == []


def test_only_the_procedures_of_the_first_ones_field_are_named():
    reply = unanswerable_reply(outcome(hit(STAY, 0.3), hit(PASSPORT, 0.3), hit(ABSENCE, 0.2)), index(STAY, PASSPORT, ABSENCE), "vi")

    assert "Thủ tục gần nhất: Đăng ký tạm trú; Khai báo tạm vắng." in reply.text and "hộ chiếu" not in reply.text
    assert [p["code"] for p in reply.answer["procedures"]] == ["9.1", "9.2"]


def test_a_field_without_a_shared_agency_is_said_alone():
    other = procedure("9.5", "Tách hộ", agency="Công an cấp tỉnh")
    reply = unanswerable_reply(outcome(hit(STAY, 0.3), hit(other, 0.3)), index(STAY, other), "vi")
    assert f"Câu hỏi có vẻ thuộc lĩnh vực {RESIDENCE}." in reply.text and "giải quyết" not in reply.text


def test_hits_that_share_too_little_of_the_question_are_not_mentioned():
    weak = NEAR_COVERAGE / 2
    reply = unanswerable_reply(outcome(hit(STAY, weak), hit(ABSENCE, 0.5)), index(STAY, ABSENCE), "vi")

    assert reply.text == "Xin lỗi, tôi chưa có hướng dẫn trả lời câu hỏi này. Bạn có thể hỏi lại cụ thể hơn, hoặc gặp tổng đài viên."
    assert reply.answer["procedures"] == []


def test_a_question_about_the_law_is_told_so_with_the_legal_basis_of_the_nearest_procedure():
    reply = unanswerable_reply(outcome(hit(LAWFUL, 0.4), hit(STAY, 0.3), kind="law"), index(LAWFUL, STAY), "vi")

    assert reply.text.startswith("Câu hỏi này hỏi về quy định của pháp luật, không phải về cách làm một thủ tục hành chính")
    assert "Thủ tục gần nhất là Thông báo lưu trú; văn bản làm căn cứ: Luật Cư trú (68/2020/QH14); 55/2021/TT-BCA." in reply.text
    assert reply.answer["question_kind"] == "law" and reply.answer["guide"] is None
    assert reply.buttons == [human_button("vi")]


def test_a_question_about_the_law_without_a_legal_basis_says_what_else_is_known():
    reply = unanswerable_reply(outcome(hit(STAY, 0.4), hit(ABSENCE, 0.3), kind="law"), index(STAY, ABSENCE), "vi")

    assert reply.text.startswith("Câu hỏi này hỏi về quy định của pháp luật")
    assert f"lĩnh vực {RESIDENCE}" in reply.text and "Thủ tục gần nhất: Đăng ký tạm trú; Khai báo tạm vắng." in reply.text


def test_an_outcome_without_a_question_kind_is_about_a_procedure():
    reply = unanswerable_reply(SearchOutcome("unanswerable", [], "vi"), index(), "vi")
    assert reply.text.startswith("Xin lỗi") and reply.answer["question_kind"] == "procedure"


def test_english():
    reply = unanswerable_reply(outcome(hit(STAY, 0.3), hit(ABSENCE, 0.3), lang="en"), index(STAY, ABSENCE), "en")

    assert reply.text == (
        f"Sorry, I have no guide that answers this. It seems to concern {RESIDENCE}, handled by {POLICE}. "
        "Nearest procedures: Đăng ký tạm trú; Khai báo tạm vắng. You can ask again in more detail, or talk to a person."
    )
    assert reply.buttons == [human_button("en")]
