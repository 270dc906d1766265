"""What each procedure's text contains, for the coverage verdict (`Searcher.coverage`).

Per procedure: the set of its syllables and syllable bigrams, folded and accented, over all
its chunks; per term: the number of procedures containing it, for the weight
idf(t) = ln(1 + N / df(t)).

Computing this from the chunks takes 8–11 s for the 2,642 national records (every chunk's
text tokenised twice), which every worker used to pay on every reload. So it is computed
once per guide when the guide is indexed, stored in the build as integer ids (a procedure ×
term matrix, procedure-major), loaded in milliseconds, and `updated` on publish for the
guides that changed only.

    vocabulary = Vocabulary.of_chunks(index.chunks)
    terms, idf = vocabulary.terms_by_code(), vocabulary.idf()   # Mappings over the stored ids
    "dang_ky" in terms["1.004222"], idf["dang_ky"]
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from knowledge.chunking import Chunk
from knowledge.normalize import accented_syllables, syllables

if TYPE_CHECKING:
    from knowledge.index import Index


def text_terms(text: str, folded: Sequence[str] | None = None) -> set[str]:
    """Syllables and adjacent-syllable bigrams of `text`, folded and accented (`folded`: its `syllables`, if known)."""
    terms: set[str] = set()
    for sylls in (syllables(text) if folded is None else folded, accented_syllables(text)):
        terms.update(sylls)
        terms.update(f"{a}_{b}" for a, b in zip(sylls, sylls[1:], strict=False))
    return terms


def chunk_terms(chunks: Sequence[Chunk], folded: Sequence[Sequence[str]] | None = None) -> dict[str, set[str]]:
    """Each procedure's terms: the union of its chunks' `text_terms` (`folded`: each chunk's `syllables`, if known)."""
    words: dict[str, set[str]] = defaultdict(set)
    for i, chunk in enumerate(chunks):
        words[chunk.code].update(text_terms(chunk.text, folded[i] if folded is not None else None))
    return dict(words)


@dataclass(frozen=True)
class Vocabulary:
    """Procedures × terms as sorted term ids per procedure; `df` counts procedures per term."""

    codes: list[str]
    terms: list[str]
    indptr: np.ndarray  # int64, len(codes) + 1
    members: np.ndarray  # int32 term ids, sorted within each procedure
    df: np.ndarray  # int32, per term id

    @classmethod
    def of_terms(cls, by_code: Mapping[str, Set[str]]) -> Vocabulary:
        codes = sorted(by_code)
        terms = sorted({t for ts in by_code.values() for t in ts})
        ids = {t: i for i, t in enumerate(terms)}
        rows = [np.sort(np.fromiter((ids[t] for t in by_code[c]), dtype=np.int32, count=len(by_code[c]))) for c in codes]
        return cls._of_rows(codes, terms, rows)

    @classmethod
    def of_chunks(cls, chunks: Sequence[Chunk]) -> Vocabulary:
        return cls.of_terms(chunk_terms(chunks))

    @classmethod
    def _of_rows(cls, codes: list[str], terms: list[str], rows: Sequence[np.ndarray]) -> Vocabulary:
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in rows], out=indptr[1:])
        members = np.concatenate(rows).astype(np.int32) if rows else np.zeros(0, dtype=np.int32)
        return cls(codes, terms, indptr, members, np.bincount(members, minlength=len(terms)).astype(np.int32))

    def updated(self, removed: Set[str], added: Mapping[str, Set[str]]) -> Vocabulary:
        """Without the procedures in `removed`, with those of `added` (new or replacing); this one is unchanged."""
        ids = dict(self.ids)
        terms = list(self.terms)
        new_rows: dict[str, np.ndarray] = {}
        for code, code_terms in added.items():
            for t in code_terms:
                if t not in ids:
                    ids[t] = len(terms)
                    terms.append(t)
            new_rows[code] = np.sort(np.array([ids[t] for t in code_terms], dtype=np.int32))
        position = {code: i for i, code in enumerate(self.codes)}
        codes = sorted((set(self.codes) - set(removed)) | set(added))
        rows = [new_rows[c] if c in new_rows else self.members[self.indptr[position[c]] : self.indptr[position[c] + 1]] for c in codes]
        return self._of_rows(codes, terms, rows).with_ids(ids)

    @cached_property
    def ids(self) -> dict[str, int]:
        """term → id (built once per vocabulary: 163k terms take ~0.1 s)."""
        return {t: i for i, t in enumerate(self.terms)}

    def with_ids(self, ids: dict[str, int]) -> Vocabulary:
        """This vocabulary with its `ids` already known (an update or a reload extended the previous ones)."""
        self.__dict__["ids"] = ids  # fills the cached_property; the dataclass is frozen for its fields only
        return self

    def terms_by_code(self) -> Mapping[str, frozenset[str]]:
        return TermsByCode(self)

    def idf(self) -> Mapping[str, float]:
        return IdfTable(self, self.ids)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "indptr.npy", self.indptr, allow_pickle=False)
        np.save(directory / "members.npy", self.members, allow_pickle=False)
        np.save(directory / "df.npy", self.df, allow_pickle=False)
        # one name a line (codes and terms never hold a newline): reads several times faster than JSON
        (directory / "codes.txt").write_text("\n".join(self.codes), encoding="utf-8")
        (directory / "terms.txt").write_text("\n".join(self.terms), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, previous: Vocabulary | None = None) -> Vocabulary:
        """Load a saved vocabulary (arrays memory-mapped); with `previous` (an earlier build's), its term ids are reused when still valid."""
        codes, terms = (_lines(directory / name) for name in ("codes.txt", "terms.txt"))
        # np.asarray: plain arrays over the mapping (slicing a np.memmap costs a Python call each time)
        arrays = {
            name: np.asarray(np.load(directory / f"{name}.npy", mmap_mode="r", allow_pickle=False)) for name in ("indptr", "members", "df")
        }
        vocabulary = cls(codes, terms, arrays["indptr"], arrays["members"], arrays["df"])
        old = previous.terms if previous is not None else []
        if previous is not None and len(terms) >= len(old) and terms[: len(old)] == old:  # updates only append terms
            ids = dict(previous.ids)
            ids.update((t, i) for i, t in enumerate(terms[len(old) :], start=len(old)))
            vocabulary.with_ids(ids)
        return vocabulary


def _lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return text.split("\n") if text else []


class TermsByCode(Mapping[str, frozenset[str]]):
    """code → the set of its terms, made from the id matrix when first asked for, then kept.

    Coverage tests `term in terms[code]` thousands of times per question, so the answer is a
    real frozenset; a question touches ~60 procedures, each set is built once (~50 µs).
    """

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._v = vocabulary
        self._position = {code: i for i, code in enumerate(vocabulary.codes)}
        self._sets: dict[str, frozenset[str]] = {}

    def __getitem__(self, code: str) -> frozenset[str]:
        found = self._sets.get(code)
        if found is None:
            i = self._position[code]
            members = self._v.members[self._v.indptr[i] : self._v.indptr[i + 1]].tolist()
            found = self._sets[code] = frozenset(map(self._v.terms.__getitem__, members))
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._v.codes)

    def __len__(self) -> int:
        return len(self._v.codes)


class IdfTable(Mapping[str, float]):
    """term → ln(1 + N / df), N the number of procedures; terms in no procedure are absent."""

    def __init__(self, vocabulary: Vocabulary, ids: dict[str, int]) -> None:
        self._v, self._ids, self._n = vocabulary, ids, len(vocabulary.codes)

    def __getitem__(self, term: str) -> float:
        i = self._ids.get(term)
        count = int(self._v.df[i]) if i is not None else 0
        if not count:
            raise KeyError(term)
        return math.log(1 + self._n / count)

    def __iter__(self) -> Iterator[str]:
        return (self._v.terms[i] for i in np.flatnonzero(self._v.df).tolist())

    def __len__(self) -> int:
        return int(np.count_nonzero(self._v.df))


def procedure_vocabulary(index: Index) -> tuple[Mapping[str, frozenset[str]], Mapping[str, float]]:
    """Each procedure's coverage terms and every term's IDF, from the build when it stored them."""
    vocabulary = index.vocabulary if index.vocabulary is not None else Vocabulary.of_chunks(index.chunks)
    return vocabulary.terms_by_code(), vocabulary.idf()
