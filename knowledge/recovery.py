"""Opening the index at start when the current build is missing or damaged: serve the newest intact build.

    opened = open_intact(settings, embedder)
    opened.service        # None when no build at all could be loaded
    opened.problem        # why the current build is not the one served (None when it is)

`write_build` writes a build whole before CURRENT names it, so a damaged current build comes from
outside the app (a disk fault, a copy cut short, a hand edit). The app must start anyway: the newest
intact earlier build is made current again (every worker then serves it), and the app brings it
level with the database in the background (`api.editor.publishing.reconcile_served_index`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from knowledge.dense import Embedder
from knowledge.incremental import build_lock
from knowledge.index import Index, current_build, load_build, point_current
from knowledge.runtime import KnowledgeSettings, embedder_for
from knowledge.search import Searcher
from knowledge.service import KnowledgeService
from knowledge.synonyms import SynonymList
from knowledge.terms import TermList

log = logging.getLogger("helpdesk.knowledge")
# What reading a missing, truncated or garbled build raises (IndexMismatch, faiss' errors: RuntimeError).
LOAD_ERRORS = (OSError, ValueError, KeyError, IndexError, EOFError, RuntimeError)


@dataclass(frozen=True)
class Opened:
    service: KnowledgeService | None
    problem: str | None


def open_intact(settings: KnowledgeSettings, embedder: Embedder | None = None) -> Opened:
    """The service over the current build, else over the newest build that loads (made current again)."""
    embedder = embedder or embedder_for(settings)
    model = embedder.name if embedder else None
    index_dir = settings.index_dir
    try:
        return Opened(_service(settings, _load_current(index_dir, model), embedder), None)
    except LOAD_ERRORS as exc:
        problem = f"the current build cannot be served ({exc})"
    with build_lock(index_dir):  # another worker starting now may be doing the same
        try:
            return Opened(_service(settings, _load_current(index_dir, model), embedder), None)  # it did
        except LOAD_ERRORS:
            pass
        for build in _earlier_builds(index_dir):
            try:
                index = load_build(build, model)
            except LOAD_ERRORS as exc:
                log.warning("index build %s cannot be served either: %s", build.name, exc)
                continue
            point_current(index_dir, build.name)
            return Opened(_service(settings, index, embedder), f"{problem}; serving the earlier build {build.name}")
    return Opened(None, f"{problem}; no earlier build can be served")


def _load_current(index_dir: Path, model: str | None) -> Index:
    return load_build(current_build(index_dir), model)


def _earlier_builds(index_dir: Path) -> list[Path]:
    """Build directories, newest first (their names start with the UTC time of the build), the current one left out."""
    if not index_dir.is_dir():
        return []
    try:
        current = current_build(index_dir).name
    except LOAD_ERRORS:
        current = None
    builds = (p for p in index_dir.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != current)
    return sorted(builds, key=lambda p: p.name, reverse=True)


def _service(settings: KnowledgeSettings, index: Index, embedder: Embedder | None) -> KnowledgeService:
    terms, synonyms = TermList.load(settings.terms_file), SynonymList.load(settings.synonyms_file)
    return KnowledgeService(Searcher(index, embedder, terms, synonyms=synonyms), settings.index_dir)
