"""Where actions find the services the app process has loaded.

The executor builds each action with no arguments, so the app registers its
services here at startup; tests pass fakes to the action constructors instead.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from knowledge.service import KnowledgeService

if TYPE_CHECKING:
    from api.metrics import Metrics

_knowledge: KnowledgeService | None = None
_metrics: Metrics | None = None


def provide_knowledge(service: KnowledgeService | None) -> None:
    global _knowledge
    _knowledge = service


def knowledge() -> KnowledgeService:
    if _knowledge is None:
        raise RuntimeError("the knowledge service is not loaded; is the index built (`make index`)?")
    return _knowledge


def provide_metrics(metrics: Metrics | None) -> None:
    global _metrics
    _metrics = metrics


def search_timer() -> contextlib.AbstractContextManager[object]:
    """Times the chat's knowledge call (helpdesk_search_seconds{caller="chat"}); nothing without the app's metrics."""
    return _metrics.search("chat") if _metrics is not None else contextlib.nullcontext()
