"""The demo dossiers: one per state for the demo citizens, loaded twice without duplicates."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from api.dossiers.config import DossierSettings
from api.dossiers.demo import PATHS, load_demo_dossiers
from api.dossiers.runtime import make_desk
from api.dossiers.states import STATES
from api.forms.templates import load_templates
from api.identity.demo_provider import load_demo_citizens
from db.dossiers import Dossier, DossierEvent
from db.session import session_scope
from tests.conftest import ROOT

DEMO = ROOT / "data" / "demo"


def test_every_state_is_shown_and_loading_twice_adds_nothing(sessions) -> None:  # type: ignore[no-untyped-def]
    desk = make_desk(sessions, DossierSettings(), load_templates(ROOT / "data" / "forms"), development=True)
    now = dt.datetime(2026, 12, 3, 3, tzinfo=dt.UTC)
    with session_scope(sessions) as session:
        load_demo_citizens(session=session, path=DEMO / "citizens.yaml")
        listed = load_demo_dossiers(session=session, desk=desk, path=DEMO / "dossiers.yaml", now=now)
    with session_scope(sessions) as session:
        assert load_demo_dossiers(session=session, desk=desk, path=DEMO / "dossiers.yaml", now=now) == listed
        dossiers = list(session.scalars(select(Dossier)))
        assert len(dossiers) == listed and {d.state for d in dossiers} == set(STATES)
        assert all(d.subject for d in dossiers)  # each belongs to a demo citizen
        for d in dossiers:
            assert [e.state for e in d.events] == PATHS[d.state]
        supplement = next(d for d in dossiers if d.state == "supplement_requested")
        assert supplement.events[-1].details["documents"][0]["en"].startswith("Notarised rental")
        assert session.scalar(select(func.count()).select_from(DossierEvent)) == sum(len(PATHS[d.state]) for d in dossiers)
