"""Features of a question and of its candidate procedures, as the learned ranker reads them.

Pure functions over what retrieval measured (`Signals` per procedure family). Every feature
is bounded or logged so that one corpus's score scale does not dominate: BM25 scores grow
with the corpus, so the ranker mostly reads them relative to the best candidate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

NO_RANK = 1000


@dataclass
class Signals:
    """What retrieval measured for one procedure family (the best of its members)."""

    bm25: float = 0.0
    bm25_rank: int = NO_RANK  # 0-based rank among families by BM25
    title_bm25: float = 0.0  # best BM25 of a title chunk
    dense: float = 0.0  # best cosine of a card
    dense_rank: int = NO_RANK
    rendered_dense: float = 0.0  # best cosine of a card to the English question's Vietnamese rendering
    rendered_rank: int = NO_RANK
    coverage: float = 0.0
    title_match: float = 0.0  # share of the title's words the question has
    title_share: float = 0.0  # share of the question's informative words the title has
    curated: bool = False
    members: int = 1


CANDIDATE_FEATURES = (
    "bm25_log",
    "bm25_ratio",
    "bm25_logrank",
    "title_bm25_ratio",
    "dense",
    "dense_gap",
    "dense_logrank",
    "rendered_dense",
    "rendered_logrank",
    "fused",
    "coverage",
    "title_match",
    "title_share",
    "curated",
    "members_log",
    "lang_en",
)

QUESTION_FEATURES = (
    "top_p",
    "margin",
    "top_bm25_log",
    "top_bm25_rrf",
    "top_coverage",
    "top_title_match",
    "top_title_share",
    "top_dense",
    "best_dense",
    "top_dense_rrf",
    "agree",
    "law_cues",
    "shape",
    "words_log",
    "lang_en",
    "has_dense",
)


def _rrf(rank: int) -> float:
    return 1.0 / (1.0 + rank) if rank < NO_RANK else 0.0


def _log_rank(rank: int, missing: int = 100) -> float:
    """log(1 + rank), a candidate the retriever did not propose counting as rank `missing`."""
    return math.log1p(min(rank, missing))


def fused(s: Signals, k: int = 60) -> float:
    """Reciprocal rank fusion of the two retrievers (Cormack et al. 2009), scaled so one first place is 1."""
    return sum(k / (k + 1 + r) for r in (s.bm25_rank, s.dense_rank) if r < NO_RANK)


def candidate_features(s: Signals, *, best_bm25: float, best_dense: float, lang: str) -> dict[str, float]:
    return {
        "bm25_log": math.log1p(s.bm25),
        "bm25_ratio": s.bm25 / best_bm25 if best_bm25 > 0 else 0.0,
        "bm25_logrank": _log_rank(s.bm25_rank),
        "title_bm25_ratio": s.title_bm25 / best_bm25 if best_bm25 > 0 else 0.0,
        "dense": s.dense,
        "dense_gap": best_dense - s.dense if s.dense_rank < NO_RANK else 1.0,
        "dense_logrank": _log_rank(s.dense_rank),
        "rendered_dense": s.rendered_dense,
        "rendered_logrank": _log_rank(s.rendered_rank),
        "fused": fused(s),
        "coverage": s.coverage,
        "title_match": s.title_match,
        "title_share": s.title_share,
        "curated": float(s.curated),
        "members_log": math.log(s.members),
        "lang_en": float(lang == "en"),
    }


def question_features(
    ranked: Sequence[tuple[Signals, float]], *, law_cues: int, shape: float, words: int, lang: str, has_dense: bool
) -> dict[str, float]:
    """Features of the question and of its ranking (candidates with their reranker shares, best first);
    `shape` is `knowledge.shape`'s probability that a question worded so is answered by a procedure."""
    top, top_p = ranked[0] if ranked else (Signals(), 0.0)
    second_p = ranked[1][1] if len(ranked) > 1 else 0.0
    best_dense = max((s.dense for s, _ in ranked), default=0.0)
    return {
        "top_p": top_p,
        "margin": top_p - second_p,
        "top_bm25_log": math.log1p(top.bm25),
        "top_bm25_rrf": _rrf(top.bm25_rank),
        "top_coverage": top.coverage,
        "top_title_match": top.title_match,
        "top_title_share": top.title_share,
        "top_dense": top.dense,
        "best_dense": best_dense,
        "top_dense_rrf": _rrf(top.dense_rank),
        "agree": float(top.bm25_rank == 0 and top.dense_rank == 0),
        "law_cues": float(law_cues),
        "shape": shape,
        "words_log": math.log1p(words),
        "lang_en": float(lang == "en"),
        "has_dense": float(has_dense),
    }
