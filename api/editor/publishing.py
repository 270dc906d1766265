"""Publishing reaches every app worker in seconds: index first, then the shared version, then reload.

A step that changes the served set (publish, archive, an import) runs as:

1. take the index build lock (shared by the processes of this host), then open the transaction;
2. apply the workflow step and read the published set *inside* that transaction;
3. update the index incrementally (`knowledge.incremental.sync_index`): a new build, made
   current by an atomic rename; if it fails the transaction rolls back and the old build serves;
4. bump the shared `knowledge_state.version` in the same transaction and commit;
5. reload this worker at once; the others see the new version within `reload_poll_s`
   (`api.editor.watcher`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.editor.errors import IndexBuildFailed
from db.editorial import KnowledgeState
from db.session import session_scope
from knowledge.dense import Embedder
from knowledge.incremental import build_lock, sync_index
from knowledge.index import Index
from knowledge.repository import published_guides

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
        wanted = published_guides(session=session)
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
