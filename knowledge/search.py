"""Hybrid search: BM25 and dense rankings fused, grouped per procedure, with an honest verdict.

The verdict (`answered`, `clarify`, `unanswerable`) rests on *coverage*: the share
of the question's informative words (IDF-weighted) that the best procedure's text
contains. A question about the weather shares no informative word with any
guide; "dang ky thuong tru" shares all of them with the residence guide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from knowledge.dense import Embedder
from knowledge.fusion import reciprocal_rank_fusion
from knowledge.index import Index
from knowledge.language import detect_language
from knowledge.normalize import STOPWORDS, accented_syllables, fold, has_vietnamese_marks, syllables
from knowledge.terms import TermList
from knowledge.vocabulary import procedure_vocabulary

Status = Literal["answered", "clarify", "unanswerable"]
MAX_QUERY_CHARS = 500


@dataclass(frozen=True)
class Thresholds:
    """Tuned on the development set (docs/benchmarks.md, "Calibration").

    A question is answerable when the best procedure covers enough of its informative
    terms, or when its BM25 match is strong in absolute terms (long questions that
    also say much else). The BM25 bar holds for the full national corpus; on a small
    corpus BM25 scores are lower and coverage decides alone.
    """

    min_coverage: float = 0.40
    strong_lexical: float = 30.0
    clarify_ratio: float = 0.92
    clarify_coverage_gap: float = 0.05
    clarify_title_gap: float = 0.15
    bare_topic_syllables: int = 3  # a question this short that two titles contain asks which one
    dense_weight: float = 0.5
    # The offline MiniLM model was trained on English: on Vietnamese questions it lowered
    # Recall@1 of the fusion (0.671 → 0.605 on the dev set), on English ones it raised MRR
    # (0.811 → 0.911). So dense retrieval joins the fusion for English questions only.
    dense_weight_vi: float = 0.0
    lexical_weight: float = 1.0  # 0 leaves BM25 out of the ranking (dense-only evaluation)
    candidates: int = 50


@dataclass(frozen=True)
class Hit:
    code: str
    title: str
    score: float
    lexical: float
    coverage: float
    title_match: float
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
        self._procedure_terms, self._idf = procedure_vocabulary(index)

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
        fused, lexical = self._fused_chunk_scores(text, lang)
        translated = self._terms.translate(query) if expansion else ""
        hits = self._group(fused, lexical, query, translated, lang)[:k]
        return SearchOutcome(self._verdict(hits, query), hits, lang, notices)

    def _fused_chunk_scores(self, text: str, lang: str) -> tuple[dict[int, float], dict[int, float]]:
        n = self.thresholds.candidates
        lexical = self.index.lexical.search(text, n)
        rankings = [[i for i, _ in lexical]] if self.thresholds.lexical_weight > 0 else []
        weights = [self.thresholds.lexical_weight] if self.thresholds.lexical_weight > 0 else []
        dense_weight = self.thresholds.dense_weight_vi if lang == "vi" else self.thresholds.dense_weight
        if self._embedder is not None and self.index.dense is not None and dense_weight > 0:
            vector = self._embedder.embed([text])[0]
            rankings.append([i for i, _ in self.index.dense.search(vector, n)])
            weights.append(dense_weight)
        return reciprocal_rank_fusion(rankings, weights=weights), dict(lexical)  # type: ignore[return-value]

    def _group(self, fused: dict[int, float], lexical: dict[int, float], query: str, translated: str, lang: str) -> list[Hit]:
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
            coverage = max(self.coverage(query, code), self.coverage(translated, code) if translated else 0.0)
            chunk = self.index.chunks[position]
            hits.append(
                Hit(
                    code=code,
                    title=guide.content_for(lang).title,
                    score=score,
                    lexical=best_lexical[code],
                    coverage=coverage,
                    title_match=_title_match(guide.title, f"{query} {translated}"),
                    snippet=_snippet(chunk.text),
                    url=guide.source_url or guide.online_url,
                )
            )
        return hits

    def coverage(self, text: str, code: str) -> float:
        """IDF-weighted share of the informative terms of `text` found in procedure `code`.

        Terms are syllables and syllable bigrams, accented when the question has
        diacritics (so "giá vàng" does not meet "tạm vắng"), folded otherwise.
        Bigrams unknown to the whole corpus are ignored (they span two words);
        unknown syllables count fully against the match.
        """
        terms = coverage_terms(text)
        if not any("_" not in t for t in terms):
            return 0.0
        present = self._procedure_terms.get(code, frozenset())
        max_idf = math.log(1 + len(self._procedure_terms))
        weights = {t: self._idf.get(t, max_idf) for t in terms if "_" not in t or t in self._idf}
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if t in present) / total if total else 0.0

    def _verdict(self, hits: list[Hit], query: str) -> Status:
        t = self.thresholds
        if not hits or (hits[0].coverage < t.min_coverage and hits[0].lexical < t.strong_lexical):
            return "unanswerable"
        if len(hits) > 1:
            top, second = hits[0], hits[1]
            words = _informative(query)
            if 0 < len(words) <= t.bare_topic_syllables and all(set(words) <= set(syllables(h.title)) for h in (top, second)):
                return "clarify"  # "đăng ký", "căn cước": several procedures are named by these words alone
            close_lexical = second.lexical >= t.clarify_ratio * top.lexical
            close_title = abs(top.title_match - second.title_match) <= t.clarify_title_gap
            if close_lexical and close_title and top.coverage - second.coverage <= t.clarify_coverage_gap:
                return "clarify"
        return "answered"


def coverage_terms(text: str) -> set[str]:
    """Informative syllables and bigrams; accented when `text` has diacritics."""
    sylls = accented_syllables(text) if has_vietnamese_marks(text) else syllables(text)
    unigrams = {s for s in sylls if fold(s) not in STOPWORDS}
    return unigrams | {f"{a}_{b}" for a, b in zip(sylls, sylls[1:], strict=False)}


def _informative(query: str) -> list[str]:
    """The question's folded syllables that are not stop words, in order."""
    return [s for s in syllables(query) if s not in STOPWORDS]


def _title_match(title: str, query: str) -> float:
    """Share of the title's syllables the question contains: "đăng ký thường trú" matches
    "Đăng ký thường trú" fully and "Xóa đăng ký thường trú" at 0.8."""
    words = syllables(title)
    asked = set(syllables(query))
    return sum(w in asked for w in words) / len(words) if words else 0.0


def _snippet(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
