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
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from functools import cached_property
from io import FileIO
from pathlib import Path
from typing import BinaryIO, Protocol

import numpy as np

from knowledge.bm25 import BM25Index, index_terms_of
from knowledge.chunking import Card, Chunk, chunk_guide, procedure_cards
from knowledge.dense import DenseIndex, Embedder
from knowledge.guides import Guide, guide_from_dict, guide_to_dict
from knowledge.normalize import syllables
from knowledge.vectors import card_vectors, vector_cache
from knowledge.vocabulary import Vocabulary, chunk_terms

FORMAT = 3


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

    @cached_property
    def chunk_spans(self) -> dict[str, tuple[int, int]]:
        """code → (start, end) of its chunks (computed once: an update and a reload both need it)."""
        return spans(self.chunks)

    @cached_property
    def card_spans(self) -> dict[str, tuple[int, int]]:
        return spans(self.cards)


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
    folded = [syllables(c.text) for c in chunks]  # once per chunk: BM25 and the vocabulary both start from it
    lexical = BM25Index.build([index_terms_of(s) for s in folded])
    vocabulary = Vocabulary.of_terms(chunk_terms(chunks, folded))
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
    point_current(path.parent, path.name)
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
    return load_build(current_build(index_dir), expected_model, previous)


def load_build(path: Path, expected_model: str | None, previous: Index | None = None) -> Index:
    """Load the build at `path` (a directory of `index_dir`), current or not; as `load_index`."""
    manifest = json.loads((path / "manifest.json").read_text())
    if manifest.get("format") != FORMAT:
        raise IndexMismatch(f"index format {manifest.get('format')} is not {FORMAT}; rebuild the index (`make index`)")
    if expected_model is not None and manifest.get("model") != expected_model:
        raise IndexMismatch(f"index was built with model {manifest.get('model')!r}, settings ask for {expected_model!r}; rebuild the index")
    guides, chunks, chunk_spans = _read_guides(path, manifest, previous)
    cards = [Card(code, lang, text) for code, lang, text in json.loads((path / "cards.json").read_text(encoding="utf-8"))]
    dense = DenseIndex.load(path / "dense.faiss") if (path / "dense.faiss").exists() else None
    held = previous.vocabulary if previous is not None else None
    vocabulary = Vocabulary.load(path / "vocabulary", held) if (path / "vocabulary").exists() else None
    lexical = BM25Index.load(path / "lexical", previous.lexical if previous is not None else None)
    index = Index(manifest, chunks, guides, lexical, dense, path, cards, vocabulary)
    index.__dict__["chunk_spans"] = chunk_spans  # known from reading: fills the cached property
    return index


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
    """One line per guide; runs of lines unchanged since `base` are copied from its file by the kernel."""
    codes = list(index.manifest["guide_versions"])
    fingerprints = index.manifest["fingerprints"]
    source, ranges = _base_lines(base) if base is not None else (None, {})
    offsets = np.zeros(len(codes) + 1, dtype=np.int64)
    run: list[int] = []  # [start, end) of base bytes still to copy
    with ExitStack() as files:
        out = files.enter_context((path / "guides.jsonl").open("wb", buffering=0))
        src = files.enter_context(source.open("rb")) if source is not None else None
        for i, code in enumerate(codes):
            found = ranges.get((code, fingerprints[code]))
            if found is not None and run and run[1] == found[0]:
                run[1] = found[1]
            else:
                if run and src is not None:
                    _copy(src, out, *run)
                run = list(found) if found is not None else []
                if found is None:
                    _write_all(out, _guide_line(index, code))
            offsets[i + 1] = out.tell() + (run[1] - run[0] if run else 0)
        if run and src is not None:
            _copy(src, out, *run)
    np.save(path / "offsets.npy", offsets, allow_pickle=False)


def _guide_line(index: Index, code: str) -> bytes:
    start, end = index.chunk_spans.get(code, (0, 0))
    item = index.guides[code]
    rows = [[c.id, c.lang, c.section, c.text] for c in index.chunks[start:end]]
    record = {"code": code, "version": item.version, "guide": guide_to_dict(item.guide), "chunks": rows}
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


def _base_lines(base: Index) -> tuple[Path | None, dict[tuple[str, str], tuple[int, int]]]:
    """`base`'s guides file and (code, fingerprint) → byte range of its line, when `base` is a build on disk."""
    try:
        if json.loads((base.path / "manifest.json").read_text()).get("build_id") != base.build_id:
            return None, {}
        offsets = np.load(base.path / "offsets.npy", allow_pickle=False).tolist()
    except (FileNotFoundError, ValueError):
        return None, {}
    fingerprints = base.manifest.get("fingerprints", {})
    codes = base.manifest["guide_versions"]
    return base.path / "guides.jsonl", {(code, fingerprints.get(code, "")): (offsets[i], offsets[i + 1]) for i, code in enumerate(codes)}


def _copy(src: BinaryIO, out: FileIO, start: int, end: int) -> None:
    """Bytes [start, end) of `src` appended to `out`: copy_file_range (no trip through Python), else read and write."""
    position = start
    try:
        while position < end:
            copied = os.copy_file_range(src.fileno(), out.fileno(), end - position, offset_src=position)
            if copied == 0:
                break
            position += copied
    except OSError:  # another file system, or no kernel support: copy the rest by hand
        pass
    if position < end:
        src.seek(position)
        _write_all(out, src.read(end - position))


def _write_all(out: FileIO, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[out.write(view) or 0 :]


def _read_guides(
    path: Path, manifest: dict, previous: Index | None
) -> tuple[dict[str, IndexedGuide], list[Chunk], dict[str, tuple[int, int]]]:
    fingerprints = manifest.get("fingerprints", {})
    held = previous.manifest.get("fingerprints", {}) if previous is not None else {}
    previous_spans = previous.chunk_spans if previous is not None else {}
    offsets = np.load(path / "offsets.npy", allow_pickle=False).tolist()
    guides: dict[str, IndexedGuide] = {}
    chunks: list[Chunk] = []
    chunk_spans: dict[str, tuple[int, int]] = {}
    with (path / "guides.jsonl").open("rb") as handle:
        for i, code in enumerate(manifest["guide_versions"]):
            first = len(chunks)
            if previous is not None and code in previous.guides and held.get(code) == fingerprints.get(code):
                guides[code] = previous.guides[code]
                start, end = previous_spans.get(code, (0, 0))
                chunks.extend(previous.chunks[start:end])
            else:
                handle.seek(offsets[i])
                record = json.loads(handle.read(offsets[i + 1] - offsets[i]))
                guides[code] = IndexedGuide(guide_from_dict(record["guide"]), int(record["version"]))
                chunks.extend(Chunk(id=row[0], code=code, lang=row[1], section=row[2], text=row[3]) for row in record["chunks"])
            if len(chunks) > first:
                chunk_spans[code] = (first, len(chunks))
    return guides, chunks, chunk_spans


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def point_current(index_dir: Path, build_id: str) -> None:
    """Serve `build_id` from now on (every process reading CURRENT sees the old or the new id, never half of one)."""
    tmp = index_dir / f"CURRENT.{uuid.uuid4().hex}"
    tmp.write_text(build_id)
    os.replace(tmp, index_dir / "CURRENT")


def _remove_old_builds(index_dir: Path, keep: set[str], spare: int = 1) -> None:
    """Keep the new build and `spare` previous ones (a process may still be reading them)."""
    builds = sorted((p for p in index_dir.iterdir() if p.is_dir() and p.name not in keep and not p.name.startswith(".")), reverse=True)
    for old in builds[spare:]:
        shutil.rmtree(old, ignore_errors=True)
