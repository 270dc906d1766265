"""Typed dependencies, so route signatures read like prose."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from api.errors import DomainError
from api.metrics import Metrics
from api.rasa_client import RasaClient
from api.settings import Settings
from knowledge.service import KnowledgeService


class KnowledgeUnavailable(DomainError):
    status_code = 503


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_factory(request: Request) -> sessionmaker[Session]:
    return request.app.state.sessions


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions.begin() as session:
        yield session


def get_rasa(request: Request) -> RasaClient:
    return request.app.state.rasa


def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


def get_knowledge(request: Request) -> KnowledgeService:
    service = request.app.state.knowledge
    if service is None:
        raise KnowledgeUnavailable("the search index is not loaded; build it with `make index`")
    return service


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
FactoryDep = Annotated[sessionmaker[Session], Depends(get_factory)]
# scope="function": the transaction commits before the response is sent, so a client that acts on
# the response (claim, then resolve) always finds the change stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
RasaDep = Annotated[RasaClient, Depends(get_rasa)]
KnowledgeDep = Annotated[KnowledgeService, Depends(get_knowledge)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
