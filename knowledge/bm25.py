"""BM25 over posting lists that a publish updates instead of rebuilding.

Scores are Lucene's BM25, computed exactly as `bm25s` computes them (the reference in
tests/knowledge/test_bm25.py):

    score(q, d) = Σ_{t ∈ q} idf(t) · tf(t, d) / (tf(t, d) + k1 · (1 − b + b · |d| / avgdl))
    idf(t)      = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))

`bm25s` stores the scores themselves, so any change of N or avgdl (every publish) means
indexing the whole corpus again: 4 s of tokenising and 4 s of indexing for the 30,450
chunks of the national records. Here the raw term frequencies are kept, term-major like a
CSC matrix, and the scores are recomputed from them with numpy (tens of milliseconds);
`updated` drops and adds documents by array surgery, tokenising only the new ones.

    index = BM25Index.build([index_terms(t) for t in texts])
    index.search("dang ky thuong tru", k=5)      # [(position, score), ...] best first
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.normalize import STOPWORDS, index_terms

K1, B = 1.2, 0.75


def index_terms_of(folded: Sequence[str]) -> list[str]:
    """`normalize.index_terms` from the text's folded syllables, for a build that folds each text once
    (folding is the costliest step; the vocabulary needs the same syllables)."""
    unigrams = [s for s in folded if s not in STOPWORDS]
    return unigrams + [f"{a}_{b}" for a, b in zip(folded, folded[1:], strict=False)]


@dataclass(frozen=True)
class Postings:
    """Term frequencies, term-major: term `i` occurs in ``docs[indptr[i]:indptr[i + 1]]``.

    Terms that no longer occur anywhere keep their id with an empty run (a full build drops them).
    """

    terms: list[str]
    indptr: np.ndarray  # int64, len(terms) + 1
    docs: np.ndarray  # int32 document positions
    tf: np.ndarray  # float32 counts, aligned with `docs`
    lengths: np.ndarray  # int32, tokens per document


def lucene_idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """ln(1 + (N − df + 0.5) / (df + 0.5)) per term, as float32; 0 for terms in no document."""
    df = df.astype(np.float64)
    idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5))
    return np.where(df > 0, idf, 0.0).astype(np.float32)


def lucene_scores(postings: Postings, k1: float = K1, b: float = B) -> np.ndarray:
    """The BM25 contribution of every posting (float32, aligned with `postings.docs`).

    The operations of bm25s in its order (float64, stored as float32), so that scores match
    it bit for bit; in place, as this runs over every posting on each publish.
    """
    counts = np.diff(postings.indptr)
    if len(postings.docs) == 0:
        return np.zeros(0, dtype=np.float32)
    avgdl = postings.lengths.mean()
    norm = k1 * ((1 - b) + b * postings.lengths.astype(np.float64) / avgdl)
    work = norm[postings.docs]
    np.add(work, postings.tf, out=work)
    np.divide(postings.tf, work, out=work)
    np.multiply(work, np.repeat(lucene_idf(counts, len(postings.lengths)), counts), out=work)
    return work.astype(np.float32)


def build_postings(token_lists: Sequence[list[str]]) -> Postings:
    """Postings of these documents (document `i` is position `i`); terms numbered in sorted order."""
    counted = [Counter(tokens) for tokens in token_lists]
    terms = sorted({t for c in counted for t in c})
    ids = {t: i for i, t in enumerate(terms)}
    term_ids = np.fromiter((ids[t] for c in counted for t in c), dtype=np.int32)
    tf = np.fromiter((n for c in counted for n in c.values()), dtype=np.float32)
    docs = np.repeat(np.arange(len(counted), dtype=np.int32), [len(c) for c in counted])
    order = np.argsort(term_ids, kind="stable")
    lengths = np.array([len(tokens) for tokens in token_lists], dtype=np.int32)
    return Postings(terms, _indptr(np.bincount(term_ids, minlength=len(terms))), docs[order], tf[order], lengths)


def updated_postings(
    old: Postings, moved: np.ndarray, added: Sequence[tuple[int, list[str]]], size: int, ids: dict[str, int] | None = None
) -> Postings:
    """`old` with documents moved, dropped and added, without touching the unchanged ones' tokens.

    `moved[i]` is the new position of old document `i`, or -1 to drop it; `added` holds
    (new position, tokens) for the new documents; `size` is the new document count. Every
    new position must be filled exactly once. Within a term's run documents need not be
    sorted (scoring adds per document), so new postings go at the end of their term's run.
    `ids` (term → id of `old`, extended in place with the new terms) saves rebuilding it.

    Linear in the postings with numpy; Python only loops over the added documents' tokens.
    """
    ids = ids if ids is not None else {t: i for i, t in enumerate(old.terms)}
    terms = list(old.terms)
    new_docs = moved[old.docs]
    keep = new_docs >= 0
    dropped = np.flatnonzero(~keep)
    old_counts = np.diff(old.indptr)
    dropped_terms = np.searchsorted(old.indptr, dropped, side="right") - 1
    kept_counts = old_counts - np.bincount(dropped_terms, minlength=len(old_counts))

    rows: list[tuple[int, int, int]] = []
    for position, tokens in added:
        for term, count in Counter(tokens).items():
            if term not in ids:
                ids[term] = len(terms)
                terms.append(term)
            rows.append((ids[term], position, count))
    rows.sort()
    add_terms = np.array([r[0] for r in rows], dtype=np.int64)
    kept_counts = np.concatenate([kept_counts, np.zeros(len(terms) - len(old_counts), dtype=kept_counts.dtype)])
    at = _indptr(kept_counts)[add_terms + 1]  # the end of each new posting's term run
    docs = _insert_sorted(new_docs[keep].astype(np.int32), at, np.array([r[1] for r in rows], dtype=np.int32))
    tf = _insert_sorted(old.tf[keep], at, np.array([r[2] for r in rows], dtype=np.float32))

    lengths = np.full(size, -1, dtype=np.int32)
    survivors = moved >= 0
    lengths[moved[survivors]] = old.lengths[survivors]
    for position, tokens in added:
        lengths[position] = len(tokens)
    if (lengths < 0).any():
        raise ValueError(f"positions {np.flatnonzero(lengths < 0)[:5].tolist()} were neither kept nor added")
    counts = kept_counts + np.bincount(add_terms, minlength=len(terms))
    return Postings(terms, _indptr(counts), docs, tf, lengths)


def _indptr(counts: np.ndarray) -> np.ndarray:
    indptr = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return indptr


def _insert_sorted(array: np.ndarray, at: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`np.insert(array, at, values)` for non-decreasing `at`, without its general-case overhead."""
    out = np.empty(len(array) + len(values), dtype=array.dtype)
    slots = at + np.arange(len(values))
    mask = np.ones(len(out), dtype=bool)
    mask[slots] = False
    out[slots] = values
    out[mask] = array
    return out


class BM25Index:
    """BM25 over `index_terms`, updatable; same interface and scores as `knowledge.lexical.LexicalIndex`."""

    def __init__(
        self, postings: Postings, k1: float = K1, b: float = B, ids: dict[str, int] | None = None, scores: np.ndarray | None = None
    ) -> None:
        self.postings = postings
        self.size = len(postings.lengths)
        self.k1, self.b = k1, b
        self._ids = ids if ids is not None else {t: i for i, t in enumerate(postings.terms)}
        self._scores = scores if scores is not None else lucene_scores(postings, k1, b)

    @classmethod
    def build(cls, token_lists: Sequence[list[str]]) -> BM25Index:
        return cls(build_postings(token_lists))

    @classmethod
    def of_texts(cls, texts: Sequence[str]) -> BM25Index:
        return cls.build([index_terms(t) for t in texts])

    def updated(self, moved: np.ndarray, added: Sequence[tuple[int, list[str]]], size: int) -> BM25Index:
        """A new index with documents moved, dropped and added (see `updated_postings`); this one is unchanged."""
        ids = dict(self._ids)  # copied: this index keeps serving searches meanwhile
        return BM25Index(updated_postings(self.postings, moved, added, size, ids), self.k1, self.b, ids)

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """(document position, score) pairs, best first; empty when no term matches."""
        ids = [self._ids[t] for t in index_terms(query) if t in self._ids]
        if not ids or self.size == 0:
            return []
        scores = np.zeros(self.size, dtype=np.float32)
        indptr, docs = self.postings.indptr, self.postings.docs
        for i in ids:  # one term at a time, in query order, as bm25s sums them
            start, end = indptr[i], indptr[i + 1]
            np.add.at(scores, docs[start:end], self._scores[start:end])
        k = min(k, self.size)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def save(self, directory: Path) -> None:
        """Postings and their scores (saved, so that loading the index does not recompute them)."""
        directory.mkdir(parents=True, exist_ok=True)
        p = self.postings
        for name, array in (("indptr", p.indptr), ("docs", p.docs), ("tf", p.tf), ("lengths", p.lengths), ("scores", self._scores)):
            np.save(directory / f"{name}.npy", array, allow_pickle=False)
        (directory / "terms.txt").write_text("\n".join(p.terms), encoding="utf-8")  # terms never hold a newline
        (directory / "params.json").write_text(json.dumps({"k1": self.k1, "b": self.b, "size": self.size}))

    @classmethod
    def load(cls, directory: Path, previous: BM25Index | None = None) -> BM25Index:
        """Load a saved index; with `previous` (an earlier build), its term ids are reused when still valid.

        Arrays are memory-mapped: a reload reads no postings until a search touches them.
        """
        params = json.loads((directory / "params.json").read_text())
        arrays = {name: np.asarray(np.load(directory / f"{name}.npy", mmap_mode="r", allow_pickle=False)) for name in _ARRAYS}
        text = (directory / "terms.txt").read_text(encoding="utf-8")
        terms = text.split("\n") if text else []
        ids = _extended_ids(previous.postings.terms, previous._ids, terms) if previous is not None else None
        scores = arrays.pop("scores")
        return cls(Postings(terms, **arrays), params["k1"], params["b"], ids, scores)


_ARRAYS = ("indptr", "docs", "tf", "lengths", "scores")


def _extended_ids(old_terms: list[str], old_ids: dict[str, int], terms: list[str]) -> dict[str, int] | None:
    """`old_ids` extended to `terms` when `terms` starts with `old_terms` (updates only append terms), else None."""
    if len(terms) < len(old_terms) or terms[: len(old_terms)] != old_terms:
        return None
    ids = dict(old_ids)
    ids.update((t, i) for i, t in enumerate(terms[len(old_terms) :], start=len(old_terms)))
    return ids
