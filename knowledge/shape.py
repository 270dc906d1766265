"""The question's shape: does it read like a question some procedure answers?

Questions the guides do not answer share words with the procedures ("không đăng ký tạm trú
bị phạt bao nhiêu?" names temporary residence) but differ in how they ask: about the law,
a penalty, a rate, another ministry's business. Retrieval scores cannot see that; a small
text classifier can. Character n-grams of the folded question (so diacritics do not matter),
hashed into a fixed number of columns so that no vocabulary is stored, then a logistic
regression. Its probability is one feature of the learned verdict (`knowledge.features`).

    shape = QuestionShape.from_dict(model_json["shape"])
    shape.probability("muc phat khi khong dang ky tam tru")   # low: a question about the law
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from knowledge.normalize import fold

N_FEATURES = 2**14
NGRAMS = (2, 5)


def vectorizer():  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer="char_wb", ngram_range=NGRAMS, n_features=N_FEATURES, preprocessor=fold, alternate_sign=False, norm="l2"
    )


@dataclass(frozen=True)
class QuestionShape:
    coef: tuple[float, ...]
    intercept: float

    @cached_property
    def _weights(self) -> np.ndarray:
        return np.array(self.coef)

    @cached_property
    def _vectorizer(self):  # type: ignore[no-untyped-def]
        return vectorizer()

    def probabilities(self, questions: Sequence[str]) -> np.ndarray:
        x = self._vectorizer.transform(list(questions))
        return 1.0 / (1.0 + np.exp(-(x @ self._weights + self.intercept)))

    def probability(self, question: str) -> float:
        return float(self.probabilities([question])[0])

    def to_dict(self) -> dict:
        return {"n_features": N_FEATURES, "ngrams": list(NGRAMS), "coef": [round(c, 5) for c in self.coef], "intercept": self.intercept}

    @classmethod
    def from_dict(cls, data: Mapping) -> QuestionShape:
        if data["n_features"] != N_FEATURES or tuple(data["ngrams"]) != NGRAMS:
            raise ValueError("the shape model was hashed differently; retrain it (python -m knowledge.train)")
        return cls(tuple(data["coef"]), float(data["intercept"]))


def fit_shape(questions: Sequence[str], answerable: Sequence[bool], c: float = 4.0) -> QuestionShape:
    from sklearn.linear_model import LogisticRegression

    regression = LogisticRegression(C=c, max_iter=2000).fit(vectorizer().transform(list(questions)), np.array(answerable, dtype=int))
    return QuestionShape(tuple(float(v) for v in regression.coef_[0]), float(regression.intercept_[0]))


def out_of_fold(questions: Sequence[str], answerable: Sequence[bool], groups: Sequence[str], folds: int = 5) -> np.ndarray:
    """Each question's probability from a model that did not see it (nor its other variants)."""
    from sklearn.model_selection import GroupKFold

    out = np.zeros(len(questions))
    texts, labels = np.array(questions, dtype=object), np.array(answerable)
    for train, test in GroupKFold(n_splits=folds).split(texts, labels, groups):
        out[test] = fit_shape(list(texts[train]), list(labels[train])).probabilities(list(texts[test]))
    return out
