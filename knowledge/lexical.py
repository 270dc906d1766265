"""BM25 over folded syllables and syllable bigrams (the `bm25s` library)."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np

from knowledge.normalize import index_terms


class LexicalIndex:
    """BM25 (Lucene variant) over `index_terms`.

    >>> index = LexicalIndex.build(["đăng ký thường trú", "cấp hộ chiếu"])
    >>> index.search("dang ky thuong tru", k=1)[0][0]
    0
    """

    def __init__(self, retriever: bm25s.BM25, size: int) -> None:
        self._retriever = retriever
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        retriever.index([index_terms(t) for t in texts], show_progress=False)
        return cls(retriever, len(texts))

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """(chunk position, score) pairs, best first; empty when no term matches."""
        terms = [t for t in index_terms(query) if t in self._retriever.vocab_dict]
        if not terms or self.size == 0:
            return []
        scores = self._retriever.get_scores(terms)
        k = min(k, self.size)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def save(self, directory: Path) -> None:
        self._retriever.save(str(directory))

    @classmethod
    def load(cls, directory: Path, size: int) -> LexicalIndex:
        return cls(bm25s.BM25.load(str(directory)), size)
