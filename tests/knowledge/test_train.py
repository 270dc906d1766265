"""Training: the fitted models separate what they should, and thresholds honour their targets."""

import numpy as np

from knowledge.features import CANDIDATE_FEATURES
from knowledge.train import Case, choose_thresholds, fit, fit_pairwise, fit_trees, untrained


def test_fit_learns_a_separable_feature() -> None:
    rows = [{f: 0.0 for f in CANDIDATE_FEATURES} | {"coverage": c} for c in np.linspace(0, 1, 40)]
    labels = [int(r["coverage"] > 0.5) for r in rows]
    model = fit(rows, labels, CANDIDATE_FEATURES)
    p = model.probabilities(rows)
    assert p[0] < 0.2 and p[-1] > 0.8 and model.coef[CANDIDATE_FEATURES.index("coverage")] > 0


def test_thresholds_respect_the_refusal_and_wrong_answer_targets() -> None:
    rng = np.random.default_rng(0)
    answerable = rng.random(400) < 0.7
    p_answerable = np.clip(np.where(answerable, 0.7, 0.3) + rng.normal(0, 0.15, 400), 0, 1)
    right = answerable & (rng.random(400) < 0.8)
    p_confident = np.clip(np.where(right, 0.75, 0.35) + rng.normal(0, 0.15, 400), 0, 1)
    refuse_below, answer_above = choose_thresholds(p_answerable, p_confident, answerable, right, 0.06, 0.04)
    assert np.mean((p_answerable < refuse_below)[answerable]) <= 0.06
    wrong = (p_answerable >= refuse_below) & (p_confident >= answer_above) & ~right
    assert np.mean(wrong) <= 0.04
    assert np.mean((p_answerable < refuse_below)[~answerable]) > 0.5  # it still refuses most of the rest


def test_an_untrained_model_reads_every_feature() -> None:
    model = untrained()
    assert model.reranker.features == CANDIDATE_FEATURES and model.reranker.probability(dict.fromkeys(CANDIDATE_FEATURES, 1.0)) == 0.5


def test_pairwise_ranker_puts_the_relevant_candidate_first() -> None:
    rng = np.random.default_rng(1)
    cases = []
    for _ in range(30):
        coverage = rng.random(6)
        labels = [int(i == int(np.argmax(coverage))) for i in range(6)]
        rows = [dict.fromkeys(CANDIDATE_FEATURES, 0.0) | {"coverage": float(c), "bm25_ratio": float(rng.random())} for c in coverage]
        cases.append(Case(None, [str(i) for i in range(6)], rows, labels, True, None))  # type: ignore[arg-type]
    model = fit_pairwise(cases, CANDIDATE_FEATURES)
    right = [int(np.argmax(model.scores(c.rows))) == c.labels.index(1) for c in cases]
    assert sum(right) >= 27 and model.coef[CANDIDATE_FEATURES.index("coverage")] > 0


def test_boosted_trees_score_as_scikit_learn_does() -> None:
    from sklearn.ensemble import GradientBoostingClassifier

    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 3))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)  # an interaction no logistic regression can read
    rows = [dict(zip("abc", r, strict=True)) for r in x]
    model = fit_trees(rows, list(y), ("a", "b", "c"))
    expected = GradientBoostingClassifier(max_depth=3, n_estimators=100, learning_rate=0.1, random_state=0).fit(x, y).predict_proba(x)[:, 1]
    assert np.allclose(model.probabilities(rows), expected, atol=1e-4)
    assert np.mean((model.probabilities(rows) > 0.5) == y) > 0.9
