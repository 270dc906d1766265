"""Publishing reaches every app worker in seconds: index first, then the shared version, then reload.

A step that changes the served set (publish, archive, an import in the console) runs as:

1. take the index build lock (shared by the processes of this host), then open the transaction;
2. apply the workflow step and read the published versions *inside* that transaction;
3. update the index incrementally (`knowledge.incremental.sync_index`), reading only the
   guides whose version changed: a new build, made current by an atomic rename; if it fails
   the transaction rolls back and the old build serves;
4. bump the shared `knowledge_state.version` in the same transaction and commit;
5. reload this worker at once; the others see the new version within `reload_poll_s`
   (`api.editor.watcher`).

The command line (`python -m knowledge import-tthc` / `build-index`) changes the served set
outside the app: `refresh_served_index` makes the index follow the database and bumps the
same version, so running workers reload without a restart.

A worker killed between steps 3 and 4 leaves a build current that the database never committed
(the index ahead of it); at start each app runs `reconcile_served_index`, which brings the index
back to what the database publishes (docs/reliability.md).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.editor.errors import IndexBuildFailed
from db.editorial import KnowledgeState
from db.session import session_scope
from knowledge.dense import Embedder
from knowledge.incremental import Wanted, build_lock, sync_index
from knowledge.index import Index, IndexedGuide, build_index, current_build, read_manifest
from knowledge.recovery import LOAD_ERRORS
from knowledge.repository import published_guides, published_versions

log = logging.getLogger("helpdesk.editor")
T = TypeVar("T")


@dataclass(frozen=True)
class Published:
    """What a serving change did: the step's own result, the build now current, the shared version."""

    result: object
    build_id: str
    knowledge_version: int
    changed: list[str]
    seconds: dict[str, float]


def knowledge_version(*, session: Session) -> int:
    state = session.get(KnowledgeState, 1)
    return state.version if state else 0


def bump_knowledge_version(*, session: Session, build_id: str) -> int:
    state = session.scalar(select(KnowledgeState).where(KnowledgeState.id == 1).with_for_update())
    if state is None:
        state = KnowledgeState(id=1, version=0, build_id="")
        session.add(state)
    state.version += 1
    state.build_id = build_id
    session.flush()
    return state.version


def change_served_set(
    *,
    factory: sessionmaker[Session],
    index_dir: Path,
    embedder: Embedder | None,
    loaded: Index | None,
    step: Callable[[Session], T],
) -> Published:
    """Run `step` (a workflow change) and bring the index and the shared version along, atomically."""
    started = time.perf_counter()
    with build_lock(index_dir), session_scope(factory) as session:
        locked = time.perf_counter()
        result = step(session)
        session.flush()
        wanted = Wanted(published_versions(session=session), lambda codes: published_guides(session=session, codes=codes))
        try:
            index = sync_index(index_dir, wanted, embedder, loaded=loaded, lock=False)
        except (OSError, RuntimeError, ValueError) as exc:
            log.exception("index build failed; nothing published")
            raise IndexBuildFailed(
                f"the search index could not be rebuilt ({exc}); nothing was published, the old index still serves"
            ) from exc
        built = time.perf_counter()
        version = bump_knowledge_version(session=session, build_id=index.build_id)
    log.info(
        "knowledge version %s: build %s (%s) — lock %.2f s, index %.2f s, total %.2f s",
        version, index.build_id, ",".join(index.manifest.get("changed", [])), locked - started, built - locked, time.perf_counter() - started,
    )  # fmt: skip
    timings = {"lock": round(locked - started, 3), "index": round(built - locked, 3), "total": round(time.perf_counter() - started, 3)}
    return Published(result, index.build_id, version, list(index.manifest.get("changed", [])), timings)


def refresh_served_index(
    *, factory: sessionmaker[Session], index_dir: Path, embedder: Embedder | None, rebuild: bool = False, progress: bool = False
) -> Published:
    """Make the index serve the database's published set, then bump the shared version if the build changed.

    Incremental by default (only guides whose version changed are re-indexed); `rebuild`
    builds from scratch (card vectors still come from the cache). The published set is read
    under the build lock, so a publish in the app cannot slip between the read and the
    build; no transaction stays open while embedding (that may take minutes).
    """
    started = time.perf_counter()
    with build_lock(index_dir):
        locked = time.perf_counter()
        with session_scope(factory) as session:
            wanted = published_guides(session=session)
        previous = _current_build_id(index_dir)
        if rebuild:
            index = build_index(wanted, index_dir, embedder, progress=progress)
        else:
            index = sync_index(index_dir, wanted, embedder, lock=False, progress=progress)
        built = time.perf_counter()
        fresh = index.build_id != previous
        with session_scope(factory) as session:
            version = bump_knowledge_version(session=session, build_id=index.build_id) if fresh else knowledge_version(session=session)
    timings = {"lock": round(locked - started, 3), "index": round(built - locked, 3), "total": round(time.perf_counter() - started, 3)}
    changed = [] if not fresh else sorted(index.guides) if rebuild else list(index.manifest.get("changed", []))
    log.info("knowledge version %s: build %s — %s", version, index.build_id, timings)
    return Published(None, index.build_id, version, changed, timings)


def reconcile_served_index(
    *, factory: sessionmaker[Session], index_dir: Path, embedder: Embedder | None, serving: bool = True
) -> Published | None:
    """At start: when the current build is not the one the database last committed, make it serve the published set.

    They differ after a crash between making a build current and committing it (the index is
    ahead of the database), or when no build could be loaded (`serving` False). An index this
    database never built (no build recorded in `knowledge_state`: the tests' and benchmarks'
    copies) is left alone while it serves. Returns None when nothing had to change.
    """
    started = time.perf_counter()
    with build_lock(index_dir):  # decided and done under the lock: a publish in another worker cannot slip in
        with session_scope(factory) as session:
            state = session.get(KnowledgeState, 1)
            committed = state.build_id if state is not None else ""
            versions = published_versions(session=session)
        try:
            manifest: dict | None = read_manifest(index_dir)
        except LOAD_ERRORS:
            manifest = None
        level = manifest is not None and manifest.get("build_id") == committed and manifest.get("guide_versions") == versions
        if (serving and (not committed or level)) or not versions:
            return None  # in line, not this database's index, or nothing to build from
        log.warning("the index (build %s) is not what the database publishes: bringing it level", manifest and manifest.get("build_id"))

        def fetch(codes: Collection[str]) -> list[IndexedGuide]:
            with session_scope(factory) as session:
                return published_guides(session=session, codes=codes)

        try:
            index = sync_index(index_dir, Wanted(versions, fetch), embedder, lock=False)
        except LOAD_ERRORS as exc:  # the current build cannot even be read as a base
            log.warning("the current build cannot be read (%s): building the index from scratch", exc)
            index = build_index(fetch(list(versions)), index_dir, embedder)
        with session_scope(factory) as session:
            version = bump_knowledge_version(session=session, build_id=index.build_id)
    seconds = {"total": round(time.perf_counter() - started, 3)}
    log.info("knowledge version %s: build %s serves what the database publishes (%s)", version, index.build_id, seconds)
    return Published(None, index.build_id, version, list(index.manifest.get("changed", [])), seconds)


def _current_build_id(index_dir: Path) -> str | None:
    try:
        return current_build(index_dir).name
    except FileNotFoundError:
        return None
