"""The executor builds every action of the domain with the services of the app that owns it."""

from __future__ import annotations

import yaml

from actions.services import Services
from api.routers.actions_webhook import make_executor
from tests.conftest import ROOT


def test_every_action_of_the_domain_is_registered() -> None:
    domain = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))
    assert set(domain["actions"]) <= set(make_executor(Services.of()).actions)


def test_two_executors_keep_their_own_services(knowledge) -> None:  # type: ignore[no-untyped-def]
    """Two apps in one process no longer overwrite each other's services (there are no module globals)."""
    with_knowledge, without = make_executor(Services.of(knowledge=knowledge)), make_executor(Services.of())
    answer, bare = with_knowledge.actions["action_answer"].__self__, without.actions["action_answer"].__self__
    assert answer.services.knowledge() is knowledge
    assert bare.services.loaded_knowledge() is None
