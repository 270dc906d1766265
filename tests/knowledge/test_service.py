"""The knowledge service over the curated guides: procedure mentions as hints."""

from __future__ import annotations

import pytest

from knowledge.service import KnowledgeService


@pytest.mark.parametrize(
    ("question", "mention", "code"),
    [
        ("lệ phí làm căn cước", "làm căn cước", "1.014061"),  # not the card for children under 14
        ("lam can cuoc bao lau", "lam can cuoc", "1.014061"),
        ("cho mình hỏi về thủ tục khai tử", "khai tử", "1.000656"),
        ("đổi gplx online được không", "đổi gplx", "3.000347"),
    ],
)
def test_a_mention_that_is_the_whole_topic_picks_the_procedure_it_names(
    knowledge: KnowledgeService, question: str, mention: str, code: str
) -> None:
    reply = knowledge.ask(question, mentions=[mention])
    assert reply.answer["status"] == "answered" and reply.guide_code == code


def test_a_follow_up_naming_the_current_procedure_stays_on_it(knowledge: KnowledgeService) -> None:
    reply = knowledge.ask("còn lệ phí làm tạm trú thì sao", current_code="1.004194", mentions=["làm tạm trú"])
    assert reply.guide_code == "1.004194" and reply.answer["aspect"] == "fee"


def test_a_mention_of_another_procedure_replaces_the_current_one(knowledge: KnowledgeService) -> None:
    reply = knowledge.ask("còn khai tử thì sao", current_code="1.004222", mentions=["khai tử"])
    assert reply.guide_code == "1.000656"


def test_a_follow_up_without_a_mention_keeps_the_current_procedure(knowledge: KnowledgeService) -> None:
    reply = knowledge.ask("còn lệ phí thì sao", current_code="1.004194")
    assert reply.guide_code == "1.004194" and reply.answer["aspect"] == "fee"


def test_a_mention_that_is_only_part_of_the_topic_changes_nothing(knowledge: KnowledgeService) -> None:
    question = "chuyển từ tạm trú sang thường trú thì làm sao"
    with_hint = knowledge.ask(question, current_code="1.004194", mentions=["tạm trú"])
    without = knowledge.ask(question, current_code="1.004194")
    assert (with_hint.answer["status"], with_hint.guide_code) == (without.answer["status"], without.guide_code)


def test_a_place_does_not_name_a_procedure(knowledge: KnowledgeService) -> None:
    reply = knowledge.ask("tôi ở Quảng Nam thì làm ở đâu", current_code="1.004222", places=["Quảng Nam"])
    assert reply.guide_code == "1.004222" and reply.answer["aspect"] == "where"


def test_a_question_no_guide_answers_is_refused_with_the_offer_of_a_person(knowledge: KnowledgeService) -> None:
    reply = knowledge.ask("giá vàng hôm nay bao nhiêu")
    assert reply.answer["status"] == "unanswerable" and reply.answer["guide"] is None and reply.guide_code is None
    assert reply.text.startswith("Xin lỗi") and reply.buttons == [{"title": "Gặp tổng đài viên", "payload": "/request_human"}]


def test_a_fee_question_that_needs_a_choice_gives_each_options_fee(knowledge: KnowledgeService) -> None:
    reply = knowledge.ask("lệ phí căn cước")  # several card procedures: the citizen chooses, seeing each fee

    assert reply.answer["status"] == "clarify" and reply.answer["values"]
    offered = {b["payload"].split('"')[-2] for b in reply.buttons}
    assert set(reply.answer["values"]) <= offered
    for code, value in reply.answer["values"].items():
        fees = {c.fee for c in knowledge.index.guides[code].guide.content_for("vi").channels}
        assert value in reply.text and any(fee in value for fee in fees)  # the guide's own words


def test_a_choice_for_another_aspect_lists_no_values(knowledge: KnowledgeService) -> None:
    reply = knowledge.ask("căn cước")

    assert reply.answer["status"] == "clarify" and reply.answer["values"] == {}
    assert reply.text == "Bạn muốn hỏi về thủ tục nào?"


def test_a_refusal_of_a_question_the_nlu_reads_as_about_the_law_says_so(knowledge: KnowledgeService) -> None:
    question = "giá vàng hôm nay bao nhiêu"
    assert knowledge.ask(question).answer["question_kind"] == "procedure"
    reply = knowledge.ask(question, asks_law=True)
    assert reply.answer["status"] == "unanswerable" and reply.answer["question_kind"] == "law"
    assert reply.text.startswith("Câu hỏi này hỏi về quy định của pháp luật") and reply.guide_code is None


def test_the_verdict_stands_when_the_nlu_reads_the_question_as_about_the_law(knowledge: KnowledgeService) -> None:
    for question in ("Đăng ký tạm trú cần những gì?", "căn cước"):  # an answer, a choice
        asked = knowledge.ask(question)
        law = knowledge.ask(question, asks_law=True)
        assert (law.answer["status"], law.guide_code) == (asked.answer["status"], asked.guide_code)
