"""What the actions use of the app process, handed to each action when the executor builds it.

No module globals: the app builds one `Services` over its own state and the executor
(`api/routers/actions_webhook.py`) constructs every action with it, so two apps in one process
keep their own. Tests build actions with `Services.of(knowledge=..., forms=...)`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from knowledge.service import KnowledgeService

if TYPE_CHECKING:
    from api.dossiers.desk import DossierDesk
    from api.forms.runtime import FormsRuntime
    from api.metrics import Metrics


@dataclass(frozen=True)
class Services:
    loaded_knowledge: Callable[[], KnowledgeService | None]
    """The knowledge service the app has loaded now (None before an index exists)."""
    forms: FormsRuntime | None = None
    metrics: Metrics | None = None
    dossiers: DossierDesk | None = None

    @classmethod
    def of(
        cls, *, knowledge: KnowledgeService | None = None, forms: FormsRuntime | None = None, dossiers: DossierDesk | None = None
    ) -> Services:
        return cls(lambda: knowledge, forms, dossiers=dossiers)

    def knowledge(self) -> KnowledgeService:
        service = self.loaded_knowledge()
        if service is None:
            raise RuntimeError("the knowledge service is not loaded; is the index built (`make index`)?")
        return service

    def forms_runtime(self) -> FormsRuntime:
        if self.forms is None:
            raise RuntimeError("the forms runtime is not set up; the app passes it to the executor (api/app.py)")
        return self.forms

    def dossier_desk(self) -> DossierDesk:
        if self.dossiers is None:
            raise RuntimeError("the dossier desk is not set up; the app passes it to the executor (api/app.py)")
        return self.dossiers

    def search_timer(self) -> contextlib.AbstractContextManager[object]:
        """Times the chat's knowledge call (helpdesk_search_seconds{caller="chat"}); nothing without the app's metrics."""
        return self.metrics.search("chat") if self.metrics is not None else contextlib.nullcontext()


NO_SERVICES = Services(lambda: None)


class UsesServices:
    """An action built by the executor with the app's services."""

    def __init__(self, services: Services = NO_SERVICES) -> None:
        self.services = services
