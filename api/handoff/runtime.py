"""The handoff's wiring into the app: startup, typed dependencies, telling Rasa who owns a conversation."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from sqlalchemy import update
from sqlalchemy.orm import Session

from api.handoff import live
from api.handoff.config import HandoffConfig
from api.handoff.fanout import RedisRelay
from api.handoff.tickets import DomainOf
from api.rasa_client import RasaClient, RasaUnavailable
from db.models import Conversation

log = logging.getLogger("helpdesk.handoff")


async def start(app: FastAPI) -> None:
    """Called from the lifespan once `app.state.sessions` exists; `stop` at shutdown."""
    app.state.handoff_config = config = app.state.settings.handoff
    app.state.hub = live.Hub()
    live.install(app.state.sessions, app.state.hub)
    app.state.live_relay = RedisRelay(app.state.hub, config.live_url) if config.live_url else None
    if app.state.live_relay is not None:
        await app.state.live_relay.start()


async def stop(app: FastAPI) -> None:
    if app.state.live_relay is not None:
        await app.state.live_relay.stop()


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


RETRY_DELAYS_S = (0.2, 0.5, 1.0)
"""Back-off between the attempts to pause or resume Rasa's tracker."""


async def tell_rasa(rasa: RasaClient, conversation_id: str, *, paused: bool, retry: bool = True) -> bool:
    """Pause (a person owns the chat) or resume Rasa's tracker, retried with back-off; False when
    Rasa stayed unreachable. The app enforces ownership on its own (it forwards nothing while a
    person owns the chat), and `conversations.bot_paused` keeps an unconfirmed resume on record:
    the conversation's next turn resumes Rasa before anything else (`api.chat.turns`)."""
    for delay in (0.0, *RETRY_DELAYS_S) if retry else (0.0,):
        await asyncio.sleep(delay)
        try:
            await (rasa.pause if paused else rasa.resume)(conversation_id)
            return True
        except RasaUnavailable as exc:
            failure = exc
    log.warning("could not %s Rasa conversation %s: %s", "pause" if paused else "resume", conversation_id, failure)
    return False


def mark_resumed(session: Session, conversation_id: str) -> None:
    """Rasa confirmed the resume of a conversation the bot owns again."""
    session.execute(update(Conversation).where(Conversation.id == conversation_id, Conversation.state == "bot").values(bot_paused=False))
