"""The evaluation's metric math, against hand-computed values."""

import json
from pathlib import Path

import numpy as np
import pytest

from knowledge.dense import HashEmbedder
from knowledge.eval import (
    CachingEmbedder,
    Result,
    first_relevant_rank,
    load_questions,
    mean,
    recall_at_k,
    reciprocal_rank,
    summarise,
)

RANKED = ["a", "b", "c", "d", "e"]


@pytest.mark.parametrize(
    ("relevant", "k", "expected"),
    [
        (["a"], 1, 1.0),
        (["b"], 1, 0.0),
        (["b"], 3, 1.0),
        (["e"], 5, 1.0),
        (["e"], 3, 0.0),
        (["z"], 5, 0.0),
        (["z", "c"], 3, 1.0),  # any relevant code counts
        (["c", "b"], 1, 0.0),
        ([], 5, 0.0),
    ],
)
def test_recall_at_k(relevant: list[str], k: int, expected: float) -> None:
    assert recall_at_k(RANKED, relevant, k) == expected


@pytest.mark.parametrize(
    ("relevant", "expected"),
    [(["a"], 1.0), (["b"], 0.5), (["c"], 1 / 3), (["e", "d"], 0.25), (["z"], 0.0), ([], 0.0)],
)
def test_reciprocal_rank(relevant: list[str], expected: float) -> None:
    assert reciprocal_rank(RANKED, relevant) == pytest.approx(expected)


def test_reciprocal_rank_stops_at_depth() -> None:
    assert reciprocal_rank(RANKED, ["d"], depth=3) == 0.0
    assert reciprocal_rank(RANKED, ["c"], depth=3) == pytest.approx(1 / 3)


def test_empty_ranking_scores_zero() -> None:
    assert recall_at_k([], ["a"], 5) == 0.0
    assert reciprocal_rank([], ["a"]) == 0.0
    assert first_relevant_rank([], ["a"]) is None


def test_mean_of_three_questions_by_hand() -> None:
    # ranks 1, 3 and missing: MRR = (1 + 1/3 + 0) / 3 = 4/9; R@1 = 1/3; R@3 = 2/3
    runs = [(["a", "x"], ["a"]), (["x", "y", "b"], ["b"]), (["x", "y"], ["c"])]
    assert mean([reciprocal_rank(r, rel) for r, rel in runs]) == pytest.approx(4 / 9)
    assert mean([recall_at_k(r, rel, 1) for r, rel in runs]) == pytest.approx(1 / 3)
    assert mean([recall_at_k(r, rel, 3) for r, rel in runs]) == pytest.approx(2 / 3)
    assert mean([]) is None


def test_summary_splits_in_and_out_of_kb(tmp_path: Path) -> None:
    path = tmp_path / "dev.jsonl"
    lines = [
        {"question": "Đăng ký thường trú", "relevant": ["1"], "primary": "1", "in_kb": True},
        {"question": "Giá vàng", "relevant": [], "primary": None, "in_kb": False},
    ]
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    questions = load_questions([path])
    assert [q.variant for q in questions] == ["vi", "vi-folded", "vi", "vi-folded"]
    assert questions[1].text == "dang ky thuong tru"
    results = [
        Result(questions[0], {"learned": ["2", "1"]}, {"1"}, "answered", 0.4, 0.9),
        Result(questions[2], {"learned": []}, set(), "unanswerable", 0.1, 0.1),
    ]
    row = summarise("learned", "vi", results)
    assert (row["n_in"], row["r1"], row["r3"], row["mrr"], row["in_refused"]) == (1, 0.0, 1.0, 0.5, 0.0)
    assert (row["in_right_first"], row["wrong_answered"]) == (0.0, 0.5)  # answered with procedure 2: wrong
    assert (row["n_out"], row["out_unanswerable"]) == (1, 1.0)


def test_english_files_are_recognised_by_name(tmp_path: Path) -> None:
    path = tmp_path / "en_questions_group1.jsonl"
    path.write_text(json.dumps({"question": "How do I register?", "relevant": ["1"], "in_kb": True}) + "\n", encoding="utf-8")
    assert [(q.lang, q.variant) for q in load_questions([path])] == [("en", "en")]


def test_caching_embedder_reuses_and_persists(tmp_path: Path) -> None:
    inner = HashEmbedder(32)
    cache = CachingEmbedder(inner, tmp_path / "e.npz")
    first = cache.embed(["dang ky", "ket hon", "dang ky"])
    np.testing.assert_allclose(first, inner.embed(["dang ky", "ket hon", "dang ky"]))
    cache.save()
    again = CachingEmbedder(inner, tmp_path / "e.npz")
    np.testing.assert_allclose(again.embed(["ket hon"]), first[1:2])
