"""Each app worker follows the shared knowledge version and reloads its index when it moves.

Polling one indexed row every `reload_poll_s` (0.5 s by default) costs one tiny query per
worker and works the same on SQLite and PostgreSQL; with it, a publish in any worker (or
`python -m knowledge import-tthc` / `build-index`) is served by every worker within about
half a second plus the index load (0.2–0.5 s with all national records: bench/publish.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError

from api.editor.publishing import knowledge_version, reconcile_served_index
from api.editor.settings import editor_settings
from knowledge.chunking import split_sentences
from knowledge.index import IndexMismatch
from knowledge.recovery import LOAD_ERRORS
from knowledge.runtime import embedder_for, open_service
from knowledge.service import KnowledgeService

log = logging.getLogger("helpdesk.editor")


def reload_knowledge(app: FastAPI) -> bool:
    """Serve the current build in this worker (opening the index if none was loaded at startup)."""
    if app.state.knowledge is not None:
        return app.state.knowledge.reload_if_changed()
    try:
        app.state.knowledge = open_service(app.state.settings, getattr(app.state, "embedder", None))
    except FileNotFoundError:
        return False
    app.state.knowledge_error = None
    return True


async def follow_knowledge_version(app: FastAPI) -> None:
    interval = editor_settings(app).reload_poll_s
    seen: int | None = None
    while True:
        try:
            version = await asyncio.to_thread(_read_version, app)
            if version != seen:
                started = time.perf_counter()
                # On the first poll too (when an index is served): a build made current since startup is served.
                if (seen is not None or app.state.knowledge is not None) and await asyncio.to_thread(reload_knowledge, app):
                    build_id, seconds = app.state.knowledge.index.build_id, time.perf_counter() - started
                    log.info("knowledge version %s: now serving build %s (reloaded in %.2f s)", version, build_id, seconds)
                if seen is None:
                    await asyncio.to_thread(_warm_up, app.state.knowledge)
                seen = version
        except (SQLAlchemyError, OSError, IndexMismatch, ValueError) as exc:  # keep following; the next poll retries
            log.warning("knowledge version check failed: %s", exc)
        await asyncio.sleep(interval)


def _warm_up(knowledge: KnowledgeService | None) -> None:
    """Import spaCy's sentencizer now: a publish in this worker chunks the guide with it, and
    the import (1–4 s) would otherwise be paid by the first publish. One search, likewise, imports
    scikit-learn for the question-shape classifier (2–5 s of CPU on the full index's first question)."""
    split_sentences("Sẵn sàng.")
    if knowledge is not None:
        knowledge.search("đăng ký thường trú cần giấy tờ gì")


async def reconcile_at_start(app: FastAPI, *, max_delay_s: float = 60.0) -> None:
    """Bring the index level with the database once (retried with a back-off while the database is away).

    Runs beside the requests: the build served at start (an intact earlier one, if need be) serves
    meanwhile, and the watcher above reloads when the new build's version is committed.
    """
    state, delay = app.state, 1.0
    while True:
        knowledge = state.knowledge
        embedder = knowledge.embedder if knowledge is not None else state.embedder or embedder_for(state.settings)
        try:
            await asyncio.to_thread(
                reconcile_served_index,
                factory=state.sessions, index_dir=state.settings.index_dir, embedder=embedder, serving=knowledge is not None,
            )  # fmt: skip
            return
        except (SQLAlchemyError, *LOAD_ERRORS) as exc:
            log.warning("bringing the index level with the database failed (%s); retrying in %.0f s", exc, delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, max_delay_s)


def start_reconcile(app: FastAPI) -> asyncio.Task[None]:
    return asyncio.create_task(reconcile_at_start(app), name="knowledge-index-reconcile")


def start_watcher(app: FastAPI) -> asyncio.Task[None]:
    return asyncio.create_task(follow_knowledge_version(app), name="knowledge-version-watcher")


async def stop_watcher(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _read_version(app: FastAPI) -> int:
    with app.state.sessions() as session:
        return knowledge_version(session=session)
