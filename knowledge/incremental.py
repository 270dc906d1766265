"""Incremental index updates: add, replace or remove guides, then swap atomically.

Publishing one guide must cost about the same with 30 guides as with 3,000.
`apply_changes` keeps everything an unchanged guide contributed to the base build — its
chunks and their BM25 postings, its cards and their vectors, its coverage terms, even its
line in the guides file — and computes only the changed guides' parts: BM25 postings are
updated in place of a rebuild (`knowledge.bm25`), the vocabulary likewise
(`knowledge.vocabulary`), card vectors come from the cache filled when the draft went to
review (`embed_guide`). Until `CURRENT` is replaced every process serves the old build;
if anything fails, the old build simply stays current.

    index = sync_index(index_dir, published, embedder)   # under a lock shared by processes
    index.manifest["changed"]                            # the codes re-indexed this time

Builds are serialised by an exclusive `flock` on ``<index_dir>/.build.lock``: two
publishes at once (two workers) would otherwise each start from the same base and the
second would drop the first one's change.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.bm25 import index_terms_of
from knowledge.chunking import Card, Chunk, chunk_guide, procedure_cards
from knowledge.dense import DenseIndex, Embedder
from knowledge.guides import Guide
from knowledge.index import (
    Index,
    IndexedGuide,
    IndexMismatch,
    build_index,
    current_build,
    load_index,
    make_manifest,
    new_build_path,
    write_build,
)
from knowledge.normalize import syllables
from knowledge.vectors import card_vectors, vector_cache
from knowledge.vocabulary import Vocabulary, chunk_terms


@dataclass(frozen=True)
class Changes:
    """What differs between an index and the wanted guide versions."""

    upserts: list[IndexedGuide]
    removals: set[str]

    @property
    def empty(self) -> bool:
        return not self.upserts and not self.removals

    @property
    def codes(self) -> list[str]:
        return sorted({g.guide.code for g in self.upserts} | self.removals)


@dataclass(frozen=True)
class Wanted:
    """The guide versions to serve; `fetch` reads guides only for the codes that changed.

    Publishing reads the published versions (a few milliseconds) instead of every
    published guide (0.6 s for 2,642 of them) and fetches the one guide it re-indexes.
    """

    versions: dict[str, int]
    fetch: Callable[[Collection[str]], list[IndexedGuide]]

    @classmethod
    def of(cls, guides: Sequence[IndexedGuide]) -> Wanted:
        by_code = {g.guide.code: g for g in guides}
        return cls({code: g.version for code, g in by_code.items()}, lambda codes: [by_code[c] for c in sorted(codes)])


def changes_between(index: Index, wanted: Sequence[IndexedGuide] | Wanted) -> Changes:
    """The guides to (re)index and the codes to drop so that `index` serves exactly `wanted`."""
    wanted = wanted if isinstance(wanted, Wanted) else Wanted.of(wanted)
    have = {code: item.version for code, item in index.guides.items()}
    codes = [code for code, version in wanted.versions.items() if have.get(code) != version]
    return Changes(wanted.fetch(codes) if codes else [], set(have) - set(wanted.versions))


def apply_changes(
    base: Index, changes: Changes, embedder: Embedder | None, cache: Path | None = None, path: Path | None = None, progress: bool = False
) -> Index:
    """`base` with `changes` applied, in memory, to be written at `path` (nothing is written but the vector cache)."""
    upserts = {g.guide.code: g for g in changes.upserts}
    touched = set(upserts) | changes.removals
    guides = {code: item for code, item in base.guides.items() if code not in touched} | upserts
    chunk_spans, card_spans = base.chunk_spans, base.card_spans
    chunks: list[Chunk] = []
    cards: list[Card] = []
    moved = np.full(len(base.chunks), -1, dtype=np.int64)
    added: list[tuple[int, list[str]]] = []
    new_chunks: list[Chunk] = []
    folded: list[list[str]] = []
    kept_cards: list[tuple[int, int, int]] = []  # (start, end) in base.cards → start in cards
    fresh_cards: list[int] = []
    new_chunk_spans: dict[str, tuple[int, int]] = {}
    new_card_spans: dict[str, tuple[int, int]] = {}
    for code in sorted(guides):
        first_chunk, first_card = len(chunks), len(cards)
        if code in upserts:
            for chunk in chunk_guide(upserts[code].guide):
                folded.append(syllables(chunk.text))
                added.append((len(chunks), index_terms_of(folded[-1])))
                new_chunks.append(chunk)
                chunks.append(chunk)
            for card in procedure_cards(upserts[code].guide):
                fresh_cards.append(len(cards))
                cards.append(card)
        else:
            start, end = chunk_spans.get(code, (0, 0))
            moved[start:end] = np.arange(len(chunks), len(chunks) + end - start)
            chunks.extend(base.chunks[start:end])
            start, end = card_spans.get(code, (0, 0))
            kept_cards.append((start, end, len(cards)))
            cards.extend(base.cards[start:end])
        if len(chunks) > first_chunk:
            new_chunk_spans[code] = (first_chunk, len(chunks))
        if len(cards) > first_card:
            new_card_spans[code] = (first_card, len(cards))

    lexical = base.lexical.updated(moved, added, len(chunks))
    new_terms = chunk_terms(new_chunks, folded)
    vocabulary = (base.vocabulary or Vocabulary.of_chunks(base.chunks)).updated(touched, new_terms)
    dense = None
    if embedder is not None:
        dense = DenseIndex.build(_card_matrix(base, cards, kept_cards, fresh_cards, embedder, cache, progress))
    fingerprints = {**base.manifest.get("fingerprints", {}), **{code: g.guide.fingerprint() for code, g in upserts.items()}}
    ordered = [guides[code] for code in sorted(guides)]
    path = path or base.path
    manifest = make_manifest(path, ordered, fingerprints, embedder, base_build=base.build_id, changed=changes.codes)
    index = Index(manifest, chunks, dict(zip(sorted(guides), ordered, strict=True)), lexical, dense, path, cards, vocabulary)
    index.__dict__.update(chunk_spans=new_chunk_spans, card_spans=new_card_spans)  # known from the layout: fills the cached properties
    return index


def _card_matrix(
    base: Index,
    cards: list[Card],
    kept: list[tuple[int, int, int]],
    fresh: list[int],
    embedder: Embedder,
    cache: Path | None,
    progress: bool,
) -> np.ndarray:
    """One vector per card: unchanged guides' rows copied from `base`, the others from the cache or the model."""
    vectors = np.zeros((len(cards), embedder.dimension), dtype=np.float32)
    reusable = base.dense is not None and base.manifest.get("model") == embedder.name and base.dense.size == len(base.cards)
    if reusable:
        old = _vectors(base.dense, embedder.dimension)
        for start, end, at in kept:
            vectors[at : at + end - start] = old[start:end]
    else:
        fresh = sorted(fresh + [at + i for start, end, at in kept for i in range(end - start)])
    if fresh:
        vectors[fresh] = card_vectors([cards[r] for r in fresh], embedder, cache, progress=progress)
    return vectors


def embed_guide(guide: Guide, embedder: Embedder, cache: Path | None = None) -> np.ndarray:
    """The vectors of `guide`'s cards, read from or written to the vector cache (see `knowledge.vectors`)."""
    return card_vectors(procedure_cards(guide), embedder, cache)


def in_memory_index(base: Index, changes: Changes, embedder: Embedder | None, cache: Path | None = None) -> Index:
    """`base` with `changes` applied, never written to disk (the editor's preview).

    Card vectors go through the served index's vector cache, so a draft previewed and then
    submitted is embedded once.
    """
    index = apply_changes(base, changes, embedder, cache or vector_cache(base.path.parent), base.path)
    index.manifest["build_id"] = f"preview-of-{base.build_id}"
    return index


def sync_index(
    index_dir: Path,
    wanted: Sequence[IndexedGuide] | Wanted,
    embedder: Embedder | None,
    loaded: Index | None = None,
    lock: bool = True,
    progress: bool = False,
) -> Index:
    """Make the current build serve exactly `wanted`, re-indexing only the guides that changed.

    `loaded` (the index this process already holds) saves reading the current build from
    disk when it is still the current one, and most of it when it is not. Without a usable
    build (none, or one of another format or model) a full build is made. `lock=False` when
    the caller already holds `build_lock(index_dir)`.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    if lock:
        with build_lock(index_dir):
            return sync_index(index_dir, wanted, embedder, loaded, lock=False, progress=progress)
    wanted = wanted if isinstance(wanted, Wanted) else Wanted.of(wanted)
    try:
        current = current_build(index_dir).name
        model = embedder.name if embedder else None
        base = loaded if loaded is not None and loaded.build_id == current else load_index(index_dir, model, previous=loaded)
    except (FileNotFoundError, IndexMismatch):
        return build_index(wanted.fetch(list(wanted.versions)), index_dir, embedder, progress=progress)
    changes = changes_between(base, wanted)
    if changes.empty:
        return base
    index = apply_changes(base, changes, embedder, vector_cache(index_dir), new_build_path(index_dir), progress)
    return write_build(index, base)


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """An exclusive lock on the index directory, held across processes on this host."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".build.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _vectors(dense: DenseIndex | None, dimension: int) -> np.ndarray:
    if dense is None or dense.size == 0:
        return np.zeros((0, dimension), dtype=np.float32)
    # Flat and HNSW faiss indexes both keep the raw vectors; read them back in insertion order.
    return np.asarray(dense._index.reconstruct_n(0, dense.size), dtype=np.float32)
