"""The search index on disk: a directory per build, swapped in atomically.

Layout of ``<index_dir>``::

    CURRENT                 the build id being served (replaced with os.replace)
    <build_id>/manifest.json   model, dimension, build id, guide versions, chunk count
    <build_id>/chunks.json     the chunks, in index order
    <build_id>/guides.json     the guide versions indexed (answers cite exactly these)
    <build_id>/lexical/        BM25 arrays (bm25s)
    <build_id>/dense.faiss     embeddings (absent when dense retrieval is off)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.chunking import Chunk, chunk_guide
from knowledge.dense import DenseIndex, Embedder
from knowledge.guides import Guide, guide_from_dict, guide_to_dict
from knowledge.lexical import LexicalIndex

FORMAT = 1


class IndexMismatch(RuntimeError):
    """The index on disk was built differently from what this process expects."""


@dataclass(frozen=True)
class IndexedGuide:
    guide: Guide
    version: int


@dataclass
class Index:
    manifest: dict
    chunks: list[Chunk]
    guides: dict[str, IndexedGuide]
    lexical: LexicalIndex
    dense: DenseIndex | None
    path: Path

    @property
    def build_id(self) -> str:
        return str(self.manifest["build_id"])


def build_index(guides: list[IndexedGuide], index_dir: Path, embedder: Embedder | None) -> Index:
    """Build a new index next to the current one and make it current."""
    chunks = [chunk for item in guides for chunk in chunk_guide(item.guide)]
    return write_build(guides, chunks, index_dir, embedder)


def write_build(
    guides: list[IndexedGuide],
    chunks: list[Chunk],
    index_dir: Path,
    embedder: Embedder | None,
    vectors: np.ndarray | None = None,
    extra: dict | None = None,
) -> Index:
    """Write a build of these chunks and make it current; `vectors` (one row per chunk) skip re-embedding.

    Nothing is made current unless every file is written: a failed build leaves the old one serving.
    """
    build_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    path = index_dir / build_id
    path.mkdir(parents=True)
    try:
        lexical = LexicalIndex.build([c.text for c in chunks])
        lexical.save(path / "lexical")
        dense = None
        if embedder is not None:
            if vectors is None:
                vectors = embedder.embed([c.text for c in chunks]) if chunks else np.zeros((0, embedder.dimension), dtype=np.float32)
            dense = DenseIndex.build(vectors)
            dense.save(path / "dense.faiss")
        manifest = {
            "format": FORMAT,
            "build_id": build_id,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "model": embedder.name if embedder else None,
            "dimension": embedder.dimension if embedder else None,
            "chunk_count": len(chunks),
            "guide_versions": {item.guide.code: item.version for item in guides},
            **(extra or {}),
        }
        _write_json(path / "chunks.json", [dataclasses.asdict(c) for c in chunks])
        _write_json(path / "guides.json", [{"version": g.version, "guide": guide_to_dict(g.guide)} for g in guides])
        _write_json(path / "manifest.json", manifest)
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
    _point_current(index_dir, build_id)
    _remove_old_builds(index_dir, keep={build_id})
    return Index(manifest, chunks, {g.guide.code: g for g in guides}, lexical, dense, path)


def current_build(index_dir: Path) -> Path:
    current = index_dir / "CURRENT"
    if not current.exists():
        raise FileNotFoundError(f"no index at {index_dir}; build one with `python -m knowledge build-index`")
    return index_dir / current.read_text().strip()


def read_manifest(index_dir: Path) -> dict:
    return json.loads((current_build(index_dir) / "manifest.json").read_text())


def load_index(index_dir: Path, expected_model: str | None) -> Index:
    """Load the current build; refuse one built with another embedding model."""
    path = current_build(index_dir)
    manifest = json.loads((path / "manifest.json").read_text())
    if manifest.get("format") != FORMAT:
        raise IndexMismatch(f"index format {manifest.get('format')} is not {FORMAT}; rebuild the index")
    if expected_model is not None and manifest.get("model") != expected_model:
        raise IndexMismatch(f"index was built with model {manifest.get('model')!r}, settings ask for {expected_model!r}; rebuild the index")
    chunks = [Chunk(**c) for c in json.loads((path / "chunks.json").read_text())]
    guides = {}
    for item in json.loads((path / "guides.json").read_text()):
        guide = guide_from_dict(item["guide"])
        guides[guide.code] = IndexedGuide(guide, int(item["version"]))
    dense = DenseIndex.load(path / "dense.faiss") if (path / "dense.faiss").exists() else None
    return Index(manifest, chunks, guides, LexicalIndex.load(path / "lexical", len(chunks)), dense, path)


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
