"""The learned parts of search: a reranker over candidate procedures and a two-step verdict.

Models over named features (`knowledge.features`), trained by `python -m knowledge.train` on
the train split of the team's questions and stored as plain JSON in ``data/models/ranker.json``
(logistic weights with feature means and scales, boosted trees as node tables, thresholds), so
serving needs numpy only and a model is readable in review:

- ``reranker``: a pairwise logistic regression (trained on differences between a relevant
  and an irrelevant candidate of the same question), so its score orders candidates; the
  softmax of the scores over one question's candidates is each one's share of the belief.
- ``shape`` (`knowledge.shape`): P(answered) from the question's wording alone, a feature of the two below.
- ``answerable``: P(some guide answers the question), per question, from gradient-boosted
  trees (the signals interact: a high BM25 score means little when the question reads like
  one about the law); below ``refuse_below`` the verdict is ``unanswerable``.
- ``confident``: P(the first candidate is right), per question; at or above
  ``answer_above`` the first is answered, below it the best few are offered as buttons.

    model = RankerModel.load(DEFAULT_MODEL)
    model.reranker.shares([{"bm25_ratio": 1.0, ...}, ...])   # one question's candidates
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from knowledge.shape import QuestionShape

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "data" / "models" / "ranker.json"
FORMAT = 1


class ModelMismatch(ValueError):
    """A model file of another format, or one that lacks a feature the code computes."""


def feature_matrix(features: Sequence[str], rows: Sequence[Mapping[str, float]]) -> np.ndarray:
    """One row per feature dict, one column per named feature, in `features` order."""
    return np.array([[float(row[name]) for name in features] for row in rows], dtype=np.float64).reshape(len(rows), -1)


@dataclass(frozen=True)
class LogisticModel:
    """p = σ(w · (x − mean) / scale + b) over the named features."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def scores(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        """The linear part, w · (x − mean) / scale + b."""
        if not rows:
            return np.zeros(0)
        z = (feature_matrix(self.features, rows) - np.array(self.mean)) / np.array(self.scale)
        return z @ np.array(self.coef) + self.intercept

    def probabilities(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.scores(rows)))

    def shares(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        """Softmax of the scores over `rows`: for a pairwise ranker, each candidate's share of the belief."""
        scores = self.scores(rows)
        if not len(scores):
            return scores
        e = np.exp(scores - scores.max())
        return e / e.sum()

    def probability(self, row: Mapping[str, float]) -> float:
        return float(self.probabilities([row])[0])

    @classmethod
    def from_dict(cls, data: Mapping) -> LogisticModel:
        return cls(tuple(data["features"]), tuple(data["mean"]), tuple(data["scale"]), tuple(data["coef"]), float(data["intercept"]))


@dataclass(frozen=True)
class Tree:
    """One regression tree as node tables: node i splits on `feature[i]` at `threshold[i]`
    (x ≤ threshold goes `left`), or is a leaf (`left[i] == -1`) worth `value[i]`."""

    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]


@dataclass(frozen=True)
class BoostedTrees:
    """p = σ(bias + Σ trees(x)) over the named features: gradient boosting with the log loss
    (scikit-learn's GradientBoostingClassifier, its learning rate folded into the leaf values)."""

    features: tuple[str, ...]
    bias: float
    trees: tuple[Tree, ...]

    @cached_property
    def _nodes(self) -> tuple[np.ndarray, ...]:
        """Every tree's nodes in one table, children as positions in it, and each tree's root."""
        roots = np.cumsum([0] + [len(t.value) for t in self.trees])[:-1]

        def children(side: str) -> np.ndarray:
            return np.concatenate(
                [
                    np.where(np.array(getattr(t, side)) == -1, -1, np.array(getattr(t, side)) + root)
                    for t, root in zip(self.trees, roots, strict=True)
                ]
            )

        feature = np.concatenate([t.feature for t in self.trees])
        threshold = np.concatenate([t.threshold for t in self.trees])
        return feature, threshold, children("left"), children("right"), np.concatenate([t.value for t in self.trees]), roots

    def probabilities(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        x = feature_matrix(self.features, rows)
        feature, threshold, left, right, value, roots = self._nodes
        node = np.tile(roots, (len(x), 1))  # (rows, trees): each row walks every tree at once
        row = np.arange(len(x))[:, None]
        while np.any(inner := left[node] != -1):
            goes_left = x[np.broadcast_to(row, node.shape), feature[node]] <= threshold[node]
            node = np.where(inner, np.where(goes_left, left[node], right[node]), node)
        return 1.0 / (1.0 + np.exp(-(self.bias + value[node].sum(axis=1))))

    def probability(self, row: Mapping[str, float]) -> float:
        return float(self.probabilities([row])[0])

    @classmethod
    def from_dict(cls, data: Mapping) -> BoostedTrees:
        trees = tuple(Tree(*(tuple(t[k]) for k in ("feature", "threshold", "left", "right", "value"))) for t in data["trees"])
        return cls(tuple(data["features"]), float(data["bias"]), trees)


class Classifier(Protocol):
    """What the verdict needs of a model: its features and a probability per row."""

    features: tuple[str, ...]

    def probabilities(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray: ...

    def probability(self, row: Mapping[str, float]) -> float: ...


def classifier_from_dict(data: Mapping) -> Classifier:
    return BoostedTrees.from_dict(data) if data.get("kind") == "boosted_trees" else LogisticModel.from_dict(data)


def classifier_to_dict(model: Classifier) -> dict:
    data = asdict(model)  # type: ignore[call-overload]
    return {"kind": "boosted_trees", **data} if isinstance(model, BoostedTrees) else data


@dataclass(frozen=True)
class RankerModel:
    reranker: LogisticModel
    answerable: Classifier
    confident: Classifier
    refuse_below: float
    answer_above: float
    trained_on: Mapping[str, object]
    shape: QuestionShape | None = None

    def shape_of(self, question: str) -> float:
        """p(a procedure answers a question worded so), 0.5 without a shape model."""
        return self.shape.probability(question) if self.shape else 0.5

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL) -> RankerModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ModelMismatch(
                f"{path} has model format {data.get('format')}, this code reads {FORMAT}: retrain with python -m knowledge.train"
            )
        return cls(
            LogisticModel.from_dict(data["reranker"]),
            classifier_from_dict(data["answerable"]),
            classifier_from_dict(data["confident"]),
            float(data["refuse_below"]),
            float(data["answer_above"]),
            data.get("trained_on", {}),
            QuestionShape.from_dict(data["shape"]) if data.get("shape") else None,
        )

    def save(self, path: Path) -> None:
        data = {
            "format": FORMAT,
            "reranker": asdict(self.reranker),
            "answerable": classifier_to_dict(self.answerable),
            "confident": classifier_to_dict(self.confident),
            "refuse_below": self.refuse_below,
            "answer_above": self.answer_above,
            "trained_on": dict(self.trained_on),
            "shape": self.shape.to_dict() if self.shape else None,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    def check(self, candidate_features: Sequence[str], question_features: Sequence[str]) -> None:
        """Refuse a model that reads a feature the code no longer computes."""
        for model, known in (
            (self.reranker, candidate_features),
            (self.answerable, question_features),
            (self.confident, question_features),
        ):
            missing = set(model.features) - set(known)
            if missing:
                raise ModelMismatch(f"the model reads features the code does not compute: {sorted(missing)}; retrain it")


@lru_cache(maxsize=4)
def load_model(path: Path = DEFAULT_MODEL) -> RankerModel:
    """The model file, read once per process and path."""
    return RankerModel.load(path)
