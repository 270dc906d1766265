from __future__ import annotations

from api.handoff.summary import Line, first_sentence, summarize


def test_summary_is_extractive_and_says_why() -> None:
    lines = [
        Line("citizen", "đăng ký thường trú cần giấy tờ gì"),
        Line("bot", "Thành phần hồ sơ gồm: tờ khai CT01. Giấy tờ chứng minh chỗ ở.", "answered", "1.004222"),
        Line("citizen", "/request_human"),
        Line("system", "Tôi đang chuyển bạn…"),
    ]
    summary = summarize(lines, "requested", "vi")
    assert summary["asked"] == ["đăng ký thường trú cần giấy tờ gì"]
    assert summary["guide_code"] == "1.004222"
    assert summary["answers"] == [{"text": "Thành phần hồ sơ gồm: tờ khai CT01.", "status": "answered", "guide_code": "1.004222"}]
    assert "Công dân yêu cầu gặp tổng đài viên" in summary["text"] and "[1.004222]" in summary["text"]


def test_only_the_last_three_questions_and_english_labels() -> None:
    lines = [Line("citizen", f"q{i}") for i in range(5)] + [Line("bot", "Sorry, no guide", "unanswerable")]
    summary = summarize(lines, "repeated_failure", "en")
    assert summary["asked"] == ["q2", "q3", "q4"] and summary["guide_code"] is None
    assert summary["text"].splitlines()[-1] == "Handed off because: The assistant failed to answer several times"


def test_first_sentence_cuts_long_text() -> None:
    assert first_sentence("a" * 500, limit=10) == "a" * 9 + "…"
    assert first_sentence("Một? Hai. Ba.") == "Một?"
