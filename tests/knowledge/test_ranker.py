"""The logistic models: the formula, the JSON round trip, and refusing a model that does not fit the code."""

import math
from pathlib import Path

import pytest

from knowledge.features import CANDIDATE_FEATURES, QUESTION_FEATURES
from knowledge.ranker import DEFAULT_MODEL, BoostedTrees, LogisticModel, ModelMismatch, RankerModel, Tree

MODEL = LogisticModel(("a", "b"), (1.0, 0.0), (2.0, 1.0), (0.5, -1.0), 0.25)


def test_probability_is_the_logistic_of_the_standardised_features() -> None:
    z = 0.5 * (3.0 - 1.0) / 2.0 - 1.0 * 0.5 + 0.25
    assert MODEL.probability({"a": 3.0, "b": 0.5}) == pytest.approx(1 / (1 + math.exp(-z)))


def test_rows_are_scored_together() -> None:
    rows = [{"a": 1.0, "b": 0.0}, {"a": 1.0, "b": 10.0}]
    p = MODEL.probabilities(rows)
    assert p[0] == pytest.approx(1 / (1 + math.exp(-0.25))) and p[1] < 0.001
    assert len(MODEL.probabilities([])) == 0


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    model = RankerModel(MODEL, MODEL, MODEL, 0.3, 0.6, {"train_questions": 3})
    model.save(tmp_path / "m.json")
    assert RankerModel.load(tmp_path / "m.json") == model


def test_a_model_reading_unknown_features_is_refused() -> None:
    model = RankerModel(MODEL, MODEL, MODEL, 0.3, 0.6, {})
    with pytest.raises(ModelMismatch, match="retrain"):
        model.check(CANDIDATE_FEATURES, QUESTION_FEATURES)


def test_the_shipped_model_fits_the_code() -> None:
    RankerModel.load(DEFAULT_MODEL).check(CANDIDATE_FEATURES, QUESTION_FEATURES)


def test_shares_are_a_softmax_over_one_questions_candidates() -> None:
    rows = [{"a": 1.0, "b": 0.0}, {"a": 1.0, "b": 1.0}]
    shares = MODEL.shares(rows)
    assert shares.sum() == pytest.approx(1.0) and shares[0] / shares[1] == pytest.approx(math.exp(1.0))


def test_boosted_trees_walk_each_tree_and_round_trip(tmp_path: Path) -> None:
    # a < 1 → −1, else (b < 0 → +1, else +2); a second tree adds 0.5 everywhere.
    split = Tree((0, 0, 1, 0, 0), (1.0, 0.0, 0.0, 0.0, 0.0), (1, -1, 3, -1, -1), (2, -1, 4, -1, -1), (0.0, -1.0, 0.0, 1.0, 2.0))
    constant = Tree((0,), (0.0,), (-1,), (-1,), (0.5,))
    trees = BoostedTrees(("a", "b"), 0.25, (split, constant))
    raw = [0.25 - 1.0 + 0.5, 0.25 + 1.0 + 0.5, 0.25 + 2.0 + 0.5]
    p = trees.probabilities([{"a": 0.0, "b": 5.0}, {"a": 3.0, "b": -1.0}, {"a": 3.0, "b": 1.0}])
    assert p == pytest.approx([1 / (1 + math.exp(-z)) for z in raw])
    model = RankerModel(MODEL, trees, MODEL, 0.3, 0.6, {})
    model.save(tmp_path / "m.json")
    assert RankerModel.load(tmp_path / "m.json") == model
