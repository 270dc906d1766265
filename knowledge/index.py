"""The search index on disk: a directory per build, swapped in atomically.

Layout of ``<index_dir>``::

    CURRENT                       the build id being served (replaced with os.replace)
    .vectors/<model>/             card vectors by content hash, shared by all builds (knowledge.vectors)
    <build_id>/manifest.json      format, model, dimension, build id, guide versions and fingerprints, counts
    <build_id>/guides.jsonl       one line per guide, by code: version, guide, chunks (answers cite exactly these)
    <build_id>/offsets.npy        where each line starts: a reload parses only the guides that changed
    <build_id>/cards.json         one card per procedure and language, in the order of the dense vectors
    <build_id>/dense.faiss        one vector per card (absent when dense retrieval is off)
    <build_id>/lexical/           BM25 postings over the chunks (knowledge.bm25)
    <build_id>/vocabulary/        each procedure's coverage terms (knowledge.vocabulary)

Chunks and cards are in guide-code order, each guide's contiguous, so a full build and an
incremental one (knowledge.incremental) lay the same guides out identically.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import numpy as np

from knowledge.bm25 import BM25Index
from knowledge.chunking import Card, Chunk, chunk_guide, procedure_cards
from knowledge.dense import DenseIndex, Embedder
from knowledge.guides import Guide, guide_from_dict, guide_to_dict
from knowledge.normalize import index_terms
from knowledge.vectors import card_vectors, vector_cache
from knowledge.vocabulary import Vocabulary

FORMAT = 2


class IndexMismatch(RuntimeError):
    """The index on disk was built differently from what this process expects."""


@dataclass(frozen=True)
class IndexedGuide:
    guide: Guide
    version: int


class Coded(Protocol):
    @property
    def code(self) -> str: ...


@dataclass
class Index:
    """One build: `chunks` for BM25 (`lexical`), `cards` for dense retrieval (row `i` of `dense` is `cards[i]`)."""

    manifest: dict
    chunks: list[Chunk]
    guides: dict[str, IndexedGuide]
    lexical: BM25Index
    dense: DenseIndex | None
    path: Path
    cards: list[Card] = field(default_factory=list)
    vocabulary: Vocabulary | None = None

    @property
    def build_id(self) -> str:
        return str(self.manifest["build_id"])


def new_build_path(index_dir: Path) -> Path:
    return index_dir / (dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6])


def make_manifest(
    path: Path, guides: Sequence[IndexedGuide], fingerprints: dict[str, str], embedder: Embedder | None, **extra: object
) -> dict:
    return {
        "format": FORMAT,
        "build_id": path.name,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "model": embedder.name if embedder else None,
        "dimension": embedder.dimension if embedder else None,
        "guide_versions": {g.guide.code: g.version for g in guides},
        "fingerprints": {g.guide.code: fingerprints[g.guide.code] for g in guides},
        **extra,
    }


def build_index(
    guides: list[IndexedGuide], index_dir: Path, embedder: Embedder | None, progress: bool = False, cache: Path | None = None
) -> Index:
    """Build a new index from scratch next to the current one and make it current.

    Card vectors come from the vector cache (`cache`, by default ``<index_dir>/.vectors``)
    when their text was embedded before; only new texts are embedded.
    """
    return write_build(assemble(guides, new_build_path(index_dir), embedder, progress, cache or vector_cache(index_dir)))


def assemble(guides: list[IndexedGuide], path: Path, embedder: Embedder | None, progress: bool = False, cache: Path | None = None) -> Index:
    """The index of `guides` in memory, to be written at `path`."""
    ordered = sorted(guides, key=lambda g: g.guide.code)
    started = time.perf_counter()
    chunks = [chunk for item in ordered for chunk in chunk_guide(item.guide)]
    cards = [card for item in ordered for card in procedure_cards(item.guide)]
    lexical = BM25Index.build([index_terms(c.text) for c in chunks])
    vocabulary = Vocabulary.of_chunks(chunks)
    dense = None
    if embedder is not None:
        dense = DenseIndex.build(card_vectors(cards, embedder, cache, progress=progress))
    fingerprints = {g.guide.code: g.guide.fingerprint() for g in ordered}
    manifest = make_manifest(path, ordered, fingerprints, embedder, seconds=round(time.perf_counter() - started, 3))
    return Index(manifest, chunks, {g.guide.code: g for g in ordered}, lexical, dense, path, cards, vocabulary)


def write_build(index: Index, base: Index | None = None) -> Index:
    """Write `index` at `index.path` and make it current; unchanged guides' lines are copied from `base`'s files.

    Nothing is made current unless every file is written: a failed build leaves the old one serving.
    """
    path = index.path
    path.mkdir(parents=True)
    try:
        manifest = {**index.manifest, "chunk_count": len(index.chunks), "card_count": len(index.cards)}
        _write_guides(path, index, base)
        index.lexical.save(path / "lexical")
        if index.vocabulary is not None:
            index.vocabulary.save(path / "vocabulary")
        if index.dense is not None:
            index.dense.save(path / "dense.faiss")
        _write_json(path / "cards.json", [[c.code, c.lang, c.text] for c in index.cards])
        _write_json(path / "manifest.json", manifest)
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
    _point_current(path.parent, path.name)
    _remove_old_builds(path.parent, keep={path.name})
    return replace(index, manifest=manifest)


def current_build(index_dir: Path) -> Path:
    current = index_dir / "CURRENT"
    if not current.exists():
        raise FileNotFoundError(f"no index at {index_dir}; build one with `python -m knowledge build-index`")
    return index_dir / current.read_text().strip()


def read_manifest(index_dir: Path) -> dict:
    return json.loads((current_build(index_dir) / "manifest.json").read_text())


def load_index(index_dir: Path, expected_model: str | None, previous: Index | None = None) -> Index:
    """Load the current build; refuse one built with another format or embedding model.

    With `previous` (the index this process serves), guides whose content it already holds
    are taken from it, so a reload after a publish parses the changed guides only.
    """
    path = current_build(index_dir)
    manifest = json.loads((path / "manifest.json").read_text())
    if manifest.get("format") != FORMAT:
        raise IndexMismatch(f"index format {manifest.get('format')} is not {FORMAT}; rebuild the index (`make index`)")
    if expected_model is not None and manifest.get("model") != expected_model:
        raise IndexMismatch(f"index was built with model {manifest.get('model')!r}, settings ask for {expected_model!r}; rebuild the index")
    guides, chunks = _read_guides(path, manifest, previous)
    cards = [Card(code, lang, text) for code, lang, text in json.loads((path / "cards.json").read_text(encoding="utf-8"))]
    dense = DenseIndex.load(path / "dense.faiss") if (path / "dense.faiss").exists() else None
    held = previous.vocabulary if previous is not None else None
    vocabulary = Vocabulary.load(path / "vocabulary", held) if (path / "vocabulary").exists() else None
    lexical = BM25Index.load(path / "lexical", previous.lexical if previous is not None else None)
    return Index(manifest, chunks, guides, lexical, dense, path, cards, vocabulary)


def spans(items: Sequence[Coded]) -> dict[str, tuple[int, int]]:
    """code → (start, end) of its contiguous run in `items` (chunks or cards)."""
    out: dict[str, tuple[int, int]] = {}
    start = 0
    for i in range(1, len(items) + 1):
        if i == len(items) or items[i].code != items[start].code:
            out[items[start].code] = (start, i)
            start = i
    return out


def _write_guides(path: Path, index: Index, base: Index | None) -> None:
    codes = list(index.manifest["guide_versions"])
    fingerprints = index.manifest["fingerprints"]
    reusable = _raw_lines(base) if base is not None else {}
    by_code = spans(index.chunks)
    offsets = np.zeros(len(codes) + 1, dtype=np.int64)
    with (path / "guides.jsonl").open("wb") as out:
        for i, code in enumerate(codes):
            line = reusable.get((code, fingerprints[code]))
            if line is None:
                start, end = by_code.get(code, (0, 0))
                item = index.guides[code]
                rows = [[c.id, c.lang, c.section, c.text] for c in index.chunks[start:end]]
                record = {"code": code, "version": item.version, "guide": guide_to_dict(item.guide), "chunks": rows}
                line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
            out.write(line)
            offsets[i + 1] = offsets[i] + len(line)
    np.save(path / "offsets.npy", offsets, allow_pickle=False)


def _raw_lines(base: Index) -> dict[tuple[str, str], bytes]:
    """(code, fingerprint) → the line of `base`'s guides file, when `base` is a build on disk."""
    try:
        if json.loads((base.path / "manifest.json").read_text()).get("build_id") != base.build_id:
            return {}
        data = (base.path / "guides.jsonl").read_bytes()
        offsets = np.load(base.path / "offsets.npy", allow_pickle=False).tolist()
    except (FileNotFoundError, ValueError):
        return {}
    fingerprints = base.manifest.get("fingerprints", {})
    return {(code, fingerprints.get(code, "")): data[offsets[i] : offsets[i + 1]] for i, code in enumerate(base.manifest["guide_versions"])}


def _read_guides(path: Path, manifest: dict, previous: Index | None) -> tuple[dict[str, IndexedGuide], list[Chunk]]:
    fingerprints = manifest.get("fingerprints", {})
    held = previous.manifest.get("fingerprints", {}) if previous is not None else {}
    previous_spans = spans(previous.chunks) if previous is not None else {}
    offsets = np.load(path / "offsets.npy", allow_pickle=False).tolist()
    guides: dict[str, IndexedGuide] = {}
    chunks: list[Chunk] = []
    with (path / "guides.jsonl").open("rb") as handle:
        for i, code in enumerate(manifest["guide_versions"]):
            if previous is not None and code in previous.guides and held.get(code) == fingerprints.get(code):
                guides[code] = previous.guides[code]
                start, end = previous_spans.get(code, (0, 0))
                chunks.extend(previous.chunks[start:end])
                continue
            handle.seek(offsets[i])
            record = json.loads(handle.read(offsets[i + 1] - offsets[i]))
            guides[code] = IndexedGuide(guide_from_dict(record["guide"]), int(record["version"]))
            chunks.extend(Chunk(id=row[0], code=code, lang=row[1], section=row[2], text=row[3]) for row in record["chunks"])
    return guides, chunks


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _point_current(index_dir: Path, build_id: str) -> None:
    tmp = index_dir / f"CURRENT.{uuid.uuid4().hex}"
    tmp.write_text(build_id)
    os.replace(tmp, index_dir / "CURRENT")


def _remove_old_builds(index_dir: Path, keep: set[str], spare: int = 1) -> None:
    """Keep the new build and `spare` previous ones (a process may still be reading them)."""
    builds = sorted((p for p in index_dir.iterdir() if p.is_dir() and p.name not in keep and not p.name.startswith(".")), reverse=True)
    for old in builds[spare:]:
        shutil.rmtree(old, ignore_errors=True)
