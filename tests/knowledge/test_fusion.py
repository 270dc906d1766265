import pytest

from knowledge.fusion import reciprocal_rank_fusion


def reference_rrf(rankings, k=60):
    """Straight from the paper's formula, without weights."""
    docs = {d for r in rankings for d in r}
    return {d: sum(1 / (k + r.index(d) + 1) for r in rankings if d in r) for d in docs}


def test_matches_reference_formula() -> None:
    rankings = [["a", "b", "c"], ["c", "a"], ["d"]]
    assert reciprocal_rank_fusion(rankings) == pytest.approx(reference_rrf(rankings))


def test_weights_scale_each_ranking() -> None:
    scores = reciprocal_rank_fusion([["a"], ["b"]], weights=[1.0, 0.5])
    assert scores["a"] == pytest.approx(2 * scores["b"])


def test_agreement_beats_a_single_first_place() -> None:
    scores = reciprocal_rank_fusion([["a", "b"], ["c", "b"]])
    assert scores["b"] > scores["a"]
