"""Hybrid search: BM25 and dense rankings fused, grouped per procedure, with an honest verdict.

The verdict (`answered`, `clarify`, `unanswerable`) rests on *coverage*: the share
of the question's informative words (IDF-weighted) that the best procedure's text
contains. A question about the weather shares no informative word with any
guide; "dang ky thuong tru" shares all of them with the residence guide.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Literal

from knowledge.dense import Embedder
from knowledge.fusion import reciprocal_rank_fusion
from knowledge.index import Index
from knowledge.language import detect_language
from knowledge.normalize import STOPWORDS, syllables
from knowledge.terms import TermList

Status = Literal["answered", "clarify", "unanswerable"]
MAX_QUERY_CHARS = 500


@dataclass(frozen=True)
class Thresholds:
    """Tuned on the development set (docs/benchmarks.md)."""

    min_coverage: float = 0.5
    clarify_ratio: float = 0.92
    clarify_coverage_gap: float = 0.05
    dense_weight: float = 0.5
    candidates: int = 50


@dataclass(frozen=True)
class Hit:
    code: str
    title: str
    score: float
    lexical: float
    coverage: float
    snippet: str
    url: str


@dataclass(frozen=True)
class SearchOutcome:
    status: Status
    hits: list[Hit]
    lang: str
    notices: list[str] = field(default_factory=list)


class Searcher:
    def __init__(self, index: Index, embedder: Embedder | None, terms: TermList, thresholds: Thresholds | None = None) -> None:
        self.index = index
        self._embedder = embedder if index.dense is not None else None
        self._terms = terms
        self.thresholds = thresholds or Thresholds()
        self._procedure_terms, self._idf = _procedure_vocabulary(index)

    def search(self, query: str, k: int = 5, lang: str | None = None) -> SearchOutcome:
        notices = []
        if len(query) > MAX_QUERY_CHARS:
            query = query[:MAX_QUERY_CHARS]
            notices.append(f"query cut to its first {MAX_QUERY_CHARS} characters")
        lang = lang or detect_language(query)
        if not syllables(query):
            return SearchOutcome("unanswerable", [], lang, [*notices, "query has no words"])
        expansion = self._terms.expand(query)
        text = f"{query} {expansion}".strip()
        fused, lexical = self._fused_chunk_scores(text)
        hits = self._group(fused, lexical, query, expansion, lang)[:k]
        return SearchOutcome(self._verdict(hits), hits, lang, notices)

    def _fused_chunk_scores(self, text: str) -> tuple[dict[int, float], dict[int, float]]:
        n = self.thresholds.candidates
        lexical = self.index.lexical.search(text, n)
        rankings = [[i for i, _ in lexical]]
        weights = [1.0]
        if self._embedder is not None and self.index.dense is not None:
            vector = self._embedder.embed([text])[0]
            rankings.append([i for i, _ in self.index.dense.search(vector, n)])
            weights.append(self.thresholds.dense_weight)
        return reciprocal_rank_fusion(rankings, weights=weights), dict(lexical)  # type: ignore[return-value]

    def _group(self, fused: dict[int, float], lexical: dict[int, float], query: str, expansion: str, lang: str) -> list[Hit]:
        best: dict[str, tuple[float, int]] = {}
        best_lexical: dict[str, float] = {}
        for position, score in fused.items():
            code = self.index.chunks[position].code
            if code not in best or score > best[code][0]:
                best[code] = (score, position)
            best_lexical[code] = max(best_lexical.get(code, 0.0), lexical.get(position, 0.0))
        hits = []
        for code, (score, position) in sorted(best.items(), key=lambda item: -item[1][0]):
            guide = self.index.guides[code].guide
            coverage = max(self.coverage(query, code), self.coverage(expansion, code) if expansion else 0.0)
            chunk = self.index.chunks[position]
            hits.append(
                Hit(
                    code=code,
                    title=guide.content_for(lang).title,
                    score=score,
                    lexical=best_lexical[code],
                    coverage=coverage,
                    snippet=_snippet(chunk.text),
                    url=guide.source_url or guide.online_url,
                )
            )
        # Coverage breaks near-ties in the fused score: it is the better-calibrated signal.
        hits.sort(key=lambda h: -(h.score * (0.5 + h.coverage)))
        return hits

    def coverage(self, text: str, code: str) -> float:
        """IDF-weighted share of the informative words of `text` found in procedure `code`."""
        words = [w for w in set(syllables(text)) if w not in STOPWORDS]
        if not words:
            return 0.0
        present = self._procedure_terms.get(code, frozenset())
        max_idf = math.log(1 + len(self._procedure_terms))
        total = sum(self._idf.get(w, max_idf) for w in words)
        return sum(self._idf.get(w, max_idf) for w in words if w in present) / total

    def _verdict(self, hits: list[Hit]) -> Status:
        t = self.thresholds
        if not hits or hits[0].coverage < t.min_coverage:
            return "unanswerable"
        if len(hits) > 1:
            top, second = hits[0], hits[1]
            close_lexical = second.lexical >= t.clarify_ratio * top.lexical
            if close_lexical and top.coverage - second.coverage <= t.clarify_coverage_gap:
                return "clarify"
        return "answered"


def _procedure_vocabulary(index: Index) -> tuple[dict[str, frozenset[str]], dict[str, float]]:
    words: dict[str, set[str]] = defaultdict(set)
    for chunk in index.chunks:
        words[chunk.code].update(syllables(chunk.text))
    df = Counter(w for ws in words.values() for w in ws)
    n = len(words)
    idf = {w: math.log(1 + n / count) for w, count in df.items()}
    return {code: frozenset(ws) for code, ws in words.items()}, idf


def _snippet(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
