"""The app factory: `create_app(settings)`; nothing heavy happens at import time.

Run it with ``uvicorn api.app:create_app --factory``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from actions import services
from api.editor import watcher as editor_watcher
from api.errors import install_error_handlers
from api.forms import runtime as forms_runtime
from api.forms.flow import FormFlow
from api.forms.templates import load_templates
from api.handoff import runtime as handoff
from api.rasa_client import RasaClient
from api.routers import (
    actions_webhook,
    agent,
    agent_citizen,
    agent_pages,
    applications,
    auth,
    chat,
    editor,
    editor_pages,
    health,
    identity,
    pages,
    search,
)
from api.settings import Settings, get_settings
from db.session import make_engine, make_sessionmaker
from knowledge.dense import Embedder
from knowledge.runtime import open_service

log = logging.getLogger("helpdesk")


def create_app(settings: Settings | None = None, embedder: Embedder | None = None) -> FastAPI:
    settings = settings or get_settings()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.engine = make_engine(settings.database_url)
        app.state.sessions = make_sessionmaker(app.state.engine)
        app.state.rasa = RasaClient(settings.rasa_url, settings.rasa_token, settings.rasa_timeout_s)
        handoff.start(app)
        app.state.knowledge, app.state.knowledge_error = None, None
        _limit_torch_threads(settings.torch_threads)
        try:
            app.state.knowledge = open_service(settings, embedder)
        except (FileNotFoundError, RuntimeError) as exc:
            app.state.knowledge_error = str(exc)
            log.error("knowledge index not loaded: %s", exc)
        services.provide_knowledge(app.state.knowledge)
        app.state.forms = forms_runtime.FormsRuntime(app.state.sessions, settings.secret_key, FormFlow(load_templates(settings.forms_dir)))
        forms_runtime.provide(app.state.forms)
        app.state.executor = actions_webhook.make_executor()
        app.state.embedder = embedder
        knowledge_watcher = editor_watcher.start_watcher(app)  # reloads when another worker publishes
        yield
        await editor_watcher.stop_watcher(knowledge_watcher)
        services.provide_knowledge(None)
        forms_runtime.provide(None)
        await app.state.rasa.aclose()
        app.state.engine.dispose()

    app = FastAPI(
        title="Citizen help desk",
        version="0.1.0",
        description="Answers about administrative procedures with citations; form prefill; call-center handoff.",
        lifespan=lifespan,
        # The interactive API pages are a development aid; production serves the schema to nobody.
        docs_url="/docs" if settings.development else None,
        redoc_url="/redoc" if settings.development else None,
        openapi_url="/openapi.json" if settings.development else None,
    )
    install_error_handlers(app)
    for router in (chat.router, search.router, health.router, auth.router, actions_webhook.router, pages.router):
        app.include_router(router)
    for router in (agent_citizen.router, agent.router, agent_pages.router):
        app.include_router(router)
    for router in (editor.router, editor_pages.router):
        app.include_router(router)
    for router in (identity.router, identity.demo_router, applications.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=Path(__file__).resolve().parent / "static"), name="static")
    return app


def _limit_torch_threads(threads: int) -> None:
    """One question at a time is embedded per request: parallel intra-op threads only contend
    with the other requests (p50 524 ms with 2 threads vs 31 ms with 1 on a loaded 2-core machine)."""
    import torch

    torch.set_num_threads(threads)
