"""The handoff's wiring into the app: startup, typed dependencies, telling Rasa who owns a conversation."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from api.handoff import live
from api.handoff.config import HandoffConfig
from api.handoff.tickets import DomainOf
from api.rasa_client import RasaClient, RasaUnavailable

log = logging.getLogger("helpdesk.handoff")


def start(app: FastAPI) -> None:
    """Called from the lifespan once `app.state.sessions` exists."""
    app.state.handoff_config = app.state.settings.handoff
    app.state.hub = live.Hub()
    app.state.hub.bind(asyncio.get_running_loop())
    live.install(app.state.sessions, app.state.hub)


def get_config(request: Request) -> HandoffConfig:
    return request.app.state.handoff_config


def get_hub(request: Request) -> live.Hub:
    return request.app.state.hub


def get_domain_of(request: Request) -> DomainOf:
    """Guide code → the guide's domain, from the loaded index (None when it is not loaded or unknown)."""
    knowledge = request.app.state.knowledge

    def domain_of(code: str) -> str | None:
        indexed = knowledge.index.guides.get(code) if knowledge is not None else None
        return indexed.guide.domain if indexed is not None else None

    return domain_of


HandoffConfigDep = Annotated[HandoffConfig, Depends(get_config)]
HubDep = Annotated[live.Hub, Depends(get_hub)]
DomainOfDep = Annotated[DomainOf, Depends(get_domain_of)]


async def tell_rasa(rasa: RasaClient, conversation_id: str, *, paused: bool) -> None:
    """Pause (a person owns the chat) or resume Rasa's tracker. The app enforces ownership on its own
    (it forwards nothing while a person owns the chat), so an unreachable Rasa is logged, not raised."""
    try:
        await (rasa.pause if paused else rasa.resume)(conversation_id)
    except RasaUnavailable as exc:
        log.warning("could not %s Rasa conversation %s: %s", "pause" if paused else "resume", conversation_id, exc)
