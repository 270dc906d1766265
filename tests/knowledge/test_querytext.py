"""The asking sentence of a long message, and the shape of a question about the law."""

import pytest

from knowledge.querytext import FOCUS_ABOVE, focus, law_cues


def test_short_questions_are_used_whole() -> None:
    assert focus("Làm tạm trú ở đâu?") == "Làm tạm trú ở đâu?"


def test_a_long_message_is_read_from_its_asking_sentence() -> None:
    noise = "Hôm qua trời mưa to và tôi phải đi làm muộn nên rất mệt. " * 12
    question = noise + "Cho tôi hỏi đăng ký tạm trú cần giấy tờ gì? " + "Cảm ơn nhiều. " * 10
    asked = focus(question)
    assert "đăng ký tạm trú cần giấy tờ gì?" in asked
    assert len(asked) <= FOCUS_ABOVE


def test_a_long_message_that_never_asks_keeps_its_start() -> None:
    text = "a" * 900
    assert focus(text) == "a" * FOCUS_ABOVE


@pytest.mark.parametrize(
    "question",
    [
        "Không đăng ký tạm trú bị phạt bao nhiêu?",
        "khong dang ky tam tru bi phat bao nhieu",
        "Mức đóng BHXH tự nguyện là bao nhiêu phần trăm?",
        "Có bắt buộc phải đổi sang thẻ căn cước không?",
        "What is the penalty for not registering temporary residence?",
        "Những ai phải đóng bảo hiểm xã hội bắt buộc?",
    ],
)
def test_questions_about_the_law_show_cues(question: str) -> None:
    assert law_cues(question) >= 1


@pytest.mark.parametrize(
    "question", ["Đăng ký tạm trú cần giấy tờ gì?", "Lệ phí cấp lại thẻ căn cước là bao nhiêu?", "How do I renew my passport?"]
)
def test_procedure_questions_show_none(question: str) -> None:
    assert law_cues(question) == 0
