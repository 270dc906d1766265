"""Clustering of unanswered questions into ranked gaps."""

from __future__ import annotations

from api.editor.gaps import GapQuestion, cluster
from tests.conftest import TEST_EMBEDDER


def test_similar_questions_form_one_gap_ranked_by_count() -> None:
    texts = [
        "xin phép bắn pháo hoa đám cưới",
        "bắn pháo hoa có cần xin phép không",
        "bắn pháo hoa dịp tết cần giấy tờ gì",
        "giá vàng hôm nay",
        "đăng ký thường trú cho con",
    ]
    gaps = cluster([GapQuestion(t, "unanswered", f"2026-01-0{i + 1}") for i, t in enumerate(texts)], TEST_EMBEDDER, similarity=0.92)
    assert [len(g.questions) for g in gaps] == [3, 1, 1]
    assert all("pháo hoa" in q for q in gaps[0].examples)
    assert gaps[1].label == "đăng ký thường trú cho con"  # equal counts: most recent first
    again = cluster([GapQuestion(t, "unanswered", f"2026-01-0{i + 1}") for i, t in enumerate(texts)], TEST_EMBEDDER, similarity=0.92)
    assert [g.key for g in again] == [g.key for g in gaps]  # stable keys


def test_no_questions_no_gaps() -> None:
    assert cluster([], TEST_EMBEDDER) == []
