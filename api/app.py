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
from api.errors import install_error_handlers
from api.rasa_client import RasaClient
from api.routers import actions_webhook, auth, chat, health, pages, search
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
        app.state.knowledge, app.state.knowledge_error = None, None
        try:
            app.state.knowledge = open_service(settings, embedder)
        except (FileNotFoundError, RuntimeError) as exc:
            app.state.knowledge_error = str(exc)
            log.error("knowledge index not loaded: %s", exc)
        services.provide_knowledge(app.state.knowledge)
        app.state.executor = actions_webhook.make_executor()
        yield
        services.provide_knowledge(None)
        await app.state.rasa.aclose()
        app.state.engine.dispose()

    app = FastAPI(
        title="Citizen help desk",
        version="0.1.0",
        description="Answers about administrative procedures with citations; form prefill; call-center handoff.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    for router in (chat.router, search.router, health.router, auth.router, actions_webhook.router, pages.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=Path(__file__).resolve().parent / "static"), name="static")
    return app
