from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query

from api.deps import KnowledgeDep, MetricsDep
from api.limits.deps import rate_limit
from api.schemas import SearchOut, SearchResult

router = APIRouter(prefix="/api", tags=["knowledge"])


@router.get("/search", response_model=SearchOut, dependencies=[Depends(rate_limit("search_per_address"))])
def search(
    knowledge: KnowledgeDep,
    metrics: MetricsDep,
    q: str = Query(max_length=2000),
    k: int = Query(default=5, ge=1, le=50),
    lang: Literal["vi", "en"] | None = None,
) -> SearchOut:
    """Procedures for a question, best first, with the verdict the chat would give."""
    with metrics.search("api"):
        outcome = knowledge.search(q, k=k, lang=lang)
    results = [SearchResult(code=h.code, title=h.title, score=round(h.score, 6), snippet=h.snippet, url=h.url) for h in outcome.hits]
    return SearchOut(status=outcome.status, lang=outcome.lang, results=results, notices=outcome.notices)
