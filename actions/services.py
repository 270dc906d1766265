"""Where actions find the services the app process has loaded.

The executor builds each action with no arguments, so the app registers its
services here at startup; tests pass fakes to the action constructors instead.
"""

from __future__ import annotations

from knowledge.service import KnowledgeService

_knowledge: KnowledgeService | None = None


def provide_knowledge(service: KnowledgeService | None) -> None:
    global _knowledge
    _knowledge = service


def knowledge() -> KnowledgeService:
    if _knowledge is None:
        raise RuntimeError("the knowledge service is not loaded; is the index built (`make index`)?")
    return _knowledge
