"""The app factory: `create_app(settings)`; nothing heavy happens at import time.

Run it with ``uvicorn api.app:create_app --factory``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from actions.services import Services
from api import web
from api.dossiers.runtime import make_desk, start_outbox
from api.editor import watcher as editor_watcher
from api.editor.transfer import MB
from api.errors import install_error_handlers
from api.forms.flow import FormFlow
from api.forms.runtime import FormsRuntime
from api.forms.templates import load_templates
from api.handoff import runtime as handoff
from api.limits.limiter import Limiter, LoginGuard
from api.logs import RequestLogMiddleware, configure_logging
from api.metrics import Metrics, RouteMetrics
from api.rasa_client import RasaClient
from api.retention import start_schedule as start_retention
from api.routers import (
    actions_webhook,
    agent,
    agent_citizen,
    agent_pages,
    analytics,
    applications,
    auth,
    backoffice,
    chat,
    dossiers,
    editor,
    editor_pages,
    health,
    identity,
    pages,
    search,
)
from api.routers import metrics as metrics_route
from api.settings import Settings, get_settings
from api.web.nul import RefuseNul
from db.session import make_engine, make_sessionmaker
from knowledge.dense import Embedder
from knowledge.query_cache import CachedQueryEmbedder
from knowledge.recovery import open_intact
from knowledge.runtime import embedder_for

log = logging.getLogger("helpdesk")


def create_app(
    settings: Settings | None = None, embedder: Embedder | None = None, rasa_transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """The app; `embedder` and `rasa_transport` replace the configured model and the network to Rasa (tests)."""
    settings = settings or get_settings()
    configure_logging(settings.log)  # JSON lines, redacted; uvicorn's loggers too (api/logs.py)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.engine = make_engine(settings.database_url)
        app.state.sessions = make_sessionmaker(app.state.engine)
        app.state.metrics.watch(app.state.sessions)  # queue gauges read at scrape time; answers and handoffs counted at commit
        app.state.rasa = RasaClient(settings.rasa_url, settings.rasa_token, settings.rasa_timeout_s, app.state.metrics, rasa_transport)
        app.state.limiter = Limiter(settings.limits)  # counts in memory, or in Redis shared by the workers
        app.state.login_guard = LoginGuard(app.state.limiter)
        await handoff.start(app)  # the live hub, fanned out to the other workers when configured
        _limit_torch_threads(settings.torch_threads)
        embedder_ = _with_query_cache(embedder or embedder_for(settings), settings.query_cache_size)
        app.state.metrics.watch_query_cache(embedder_)
        opened = open_intact(settings, embedder_)  # a missing or damaged current build: an intact earlier one, or none
        app.state.knowledge, app.state.knowledge_error = opened.service, opened.problem if opened.service is None else None
        if opened.problem:
            log.error("knowledge index: %s", opened.problem)
        app.state.forms = FormsRuntime(app.state.sessions, settings.secret_key, FormFlow(load_templates(settings.forms_dir)))
        # The actions reach the app's services through the executor that builds them (no module globals).
        dev = settings.development  # the demo one-stop office and the demo notice sender (docs/dossiers.md)
        app.state.dossiers = make_desk(app.state.sessions, settings.dossiers, app.state.forms.templates, development=dev)
        action_services = Services(lambda: app.state.knowledge, app.state.forms, app.state.metrics, app.state.dossiers)
        app.state.executor = actions_webhook.make_executor(action_services)
        app.state.actions = actions_webhook.ActionRunner(app.state.executor)  # off the app's event loop
        app.state.embedder = embedder_
        knowledge_watcher = editor_watcher.start_watcher(app)  # reloads when another worker publishes
        reconcile = editor_watcher.start_reconcile(app)  # the index brought level with the database (docs/reliability.md)
        app.state.retention = start_retention(app.state.sessions, settings.retention)  # purge at start, then every N hours
        outbox = start_outbox(app.state.sessions, settings.dossiers, development=dev)  # drains status notices
        yield
        if outbox is not None:
            await outbox.stop()
        if app.state.retention is not None:
            await app.state.retention.stop()  # waits for a purge in progress
        await editor_watcher.stop_watcher(knowledge_watcher)
        await editor_watcher.stop_watcher(reconcile)
        app.state.actions.close()
        await handoff.stop(app)
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
    app.add_middleware(RefuseNul)  # 400 for U+0000 in path, query or body: PostgreSQL stores none (api/web/nul.py)
    web.install(app, public_url=settings.public_url, identity_issuer=settings.oidc_issuer,  # CSRF, CSP and headers, upload caps
                body_limits={"/api/editor/import": int(settings.editor.import_max_mb * MB)})  # fmt: skip
    app.add_middleware(RequestLogMiddleware)  # request id and access line (no query strings)
    app.state.metrics = Metrics()  # its own registry: /metrics (api/routers/metrics.py, docs/operations.md)
    app.add_middleware(RouteMetrics, metrics=app.state.metrics)  # responses by route template and status class
    for router in (chat.router, search.router, health.router, metrics_route.router, auth.router, actions_webhook.router, pages.router):
        app.include_router(router)
    for router in (agent_citizen.router, agent.router, agent_pages.router, analytics.router):
        app.include_router(router)
    for router in (editor.router, editor_pages.router):
        app.include_router(router)
    for router in (identity.router, identity.demo_router, applications.router, dossiers.router, backoffice.router, backoffice.pages):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=Path(__file__).resolve().parent / "static"), name="static")
    web.trust_proxies(app, settings.web.trusted_proxies)  # outermost: all the rest sees the client's scheme and address
    return app


def _with_query_cache(embedder: Embedder | None, size: int) -> Embedder | None:
    """Repeated questions skip the model (22 % of the app's CPU on the full index, docs/benchmarks.md)."""
    return CachedQueryEmbedder(embedder, size=size) if embedder is not None and size > 0 else embedder


def _limit_torch_threads(threads: int) -> None:
    """One question at a time is embedded per request: parallel intra-op threads only contend
    with the other requests (p50 524 ms with 2 threads vs 31 ms with 1 on a loaded 2-core machine)."""
    import torch

    torch.set_num_threads(threads)
