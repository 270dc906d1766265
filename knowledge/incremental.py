"""Incremental index updates: add, replace or remove one guide's chunks, then swap atomically.

Publishing one guide must not re-embed thousands of others. `apply_changes` keeps the
chunks (and their vectors) of every unchanged guide, chunks and embeds only the guides
whose version changed, rebuilds BM25 over the result (cheap: no model involved) and
writes a new build that `CURRENT` then points at. Until that replace, every process
keeps serving the old build; if anything fails, the old build simply stays current.

    index = sync_index(index_dir, published, embedder)   # under a lock shared by processes
    index.manifest["changed"]                            # the codes re-chunked this time

Builds are serialised by an exclusive `flock` on ``<index_dir>/.build.lock``: two
publishes at once (two workers) would otherwise each start from the same base and the
second would drop the first one's change.
"""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.chunking import Chunk, chunk_guide
from knowledge.dense import DenseIndex, Embedder
from knowledge.guides import Guide
from knowledge.index import Index, IndexedGuide, build_index, current_build, load_index, write_build
from knowledge.lexical import LexicalIndex


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


def changes_between(index: Index, wanted: list[IndexedGuide]) -> Changes:
    """The guides to (re)index and the codes to drop so that `index` serves exactly `wanted`."""
    have = {code: item.version for code, item in index.guides.items()}
    upserts = [g for g in wanted if have.get(g.guide.code) != g.version]
    removals = set(have) - {g.guide.code for g in wanted}
    return Changes(upserts, removals)


def apply_changes(
    base: Index, changes: Changes, embedder: Embedder | None, cache: Path | None = None
) -> tuple[list[IndexedGuide], list[Chunk], np.ndarray | None]:
    """The guides, chunks and vectors of `base` with `changes` applied (nothing is written but the vector cache).

    With `cache` (see `embed_guide`), a guide embedded ahead of time (when its draft went to
    review) is not embedded again: publishing is then a BM25 rebuild and a file swap.
    """
    touched = {g.guide.code for g in changes.upserts} | changes.removals
    keep = [i for i, chunk in enumerate(base.chunks) if chunk.code not in touched]
    new_chunks = [chunk for item in changes.upserts for chunk in chunk_guide(item.guide)]
    chunks = [base.chunks[i] for i in keep] + new_chunks
    guides = {code: item for code, item in base.guides.items() if code not in touched}
    guides.update({item.guide.code: item for item in changes.upserts})
    vectors = None
    if embedder is not None:
        old = _vectors(base.dense, embedder.dimension)[keep] if keep else np.zeros((0, embedder.dimension), dtype=np.float32)
        fresh = [embed_guide(item.guide, embedder, cache) for item in changes.upserts]
        vectors = np.vstack([old, *fresh]).astype(np.float32)
    return sorted(guides.values(), key=lambda g: g.guide.code), chunks, vectors


def embed_guide(guide: Guide, embedder: Embedder, cache: Path | None = None) -> np.ndarray:
    """The vectors of `guide`'s chunks, read from or written to ``<cache>/<model>/<fingerprint>.npy``."""
    chunks = chunk_guide(guide)
    path = cache / embedder.name.replace("/", "_") / f"{guide.fingerprint()}.npy" if cache is not None else None
    if path is not None and path.exists():
        vectors = np.load(path, allow_pickle=False)
        if vectors.shape == (len(chunks), embedder.dimension):
            return vectors
    vectors = embedder.embed([c.text for c in chunks]) if chunks else np.zeros((0, embedder.dimension), dtype=np.float32)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
        with tmp.open("wb") as handle:
            np.save(handle, vectors, allow_pickle=False)
        os.replace(tmp, path)
    return vectors


def vector_cache(index_dir: Path) -> Path:
    """Where `embed_guide` keeps vectors: a dot-directory, which build clean-up leaves alone."""
    return index_dir / ".vectors"


def in_memory_index(base: Index, changes: Changes, embedder: Embedder | None) -> Index:
    """`base` with `changes` applied, never written to disk (the editor's preview)."""
    guides, chunks, vectors = apply_changes(base, changes, embedder)
    dense = DenseIndex.build(vectors) if vectors is not None else None
    manifest = {**base.manifest, "build_id": f"preview-of-{base.build_id}", "guide_versions": {g.guide.code: g.version for g in guides}}
    return Index(manifest, chunks, {g.guide.code: g for g in guides}, LexicalIndex.build([c.text for c in chunks]), dense, base.path)


def sync_index(
    index_dir: Path, wanted: list[IndexedGuide], embedder: Embedder | None, loaded: Index | None = None, lock: bool = True
) -> Index:
    """Make the current build serve exactly `wanted`, re-indexing only the guides that changed.

    `loaded` (the index this process already holds) saves reading the current build
    from disk when it is still the current one. Without any build, a full build is made.
    `lock=False` when the caller already holds `build_lock(index_dir)`.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    if lock:
        with build_lock(index_dir):
            return sync_index(index_dir, wanted, embedder, loaded, lock=False)
    try:
        current = current_build(index_dir).name
    except FileNotFoundError:
        return build_index(wanted, index_dir, embedder)
    base = loaded if loaded is not None and loaded.build_id == current else load_index(index_dir, embedder.name if embedder else None)
    changes = changes_between(base, wanted)
    if changes.empty:
        return base
    guides, chunks, vectors = apply_changes(base, changes, embedder, vector_cache(index_dir))
    return write_build(guides, chunks, index_dir, embedder, vectors, extra={"base_build": base.build_id, "changed": changes.codes})


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
