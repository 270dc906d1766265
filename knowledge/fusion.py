"""Rank fusion."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[Hashable]], k: int = 60, weights: Sequence[float] | None = None
) -> dict[Hashable, float]:
    """Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009).

    score(d) = Σ_r w_r / (k + rank_r(d)), ranks starting at 1; a document missing
    from a ranking contributes nothing for it.
    """
    weights = weights or [1.0] * len(rankings)
    scores: dict[Hashable, float] = defaultdict(float)
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] += weight / (k + rank)
    return dict(scores)
