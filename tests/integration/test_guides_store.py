"""Guides in the database: versioned, idempotent upserts; curated guides are not overwritten by imports."""

import dataclasses

from db.session import session_scope
from knowledge.guides import load_guide_dir
from knowledge.repository import published_guides, upsert_guide
from tests.conftest import ROOT


def test_upsert_is_idempotent_and_versioned(sessions) -> None:
    guide = load_guide_dir(ROOT / "data" / "guides")[0]
    with session_scope(sessions) as session:
        assert upsert_guide(session=session, guide=guide, source="test") == "new"
    with session_scope(sessions) as session:
        assert upsert_guide(session=session, guide=guide, source="test") == "unchanged"
    changed = dataclasses.replace(guide, agency="Công an phường")
    with session_scope(sessions) as session:
        assert upsert_guide(session=session, guide=changed, source="test") == "changed"
    with session_scope(sessions) as session:
        [indexed] = published_guides(session=session)
    assert indexed.version == 2 and indexed.guide.agency == "Công an phường"


def test_an_import_never_overwrites_a_curated_guide(sessions) -> None:
    guide = load_guide_dir(ROOT / "data" / "guides")[0]
    imported = dataclasses.replace(guide, origin="tthc", agency="other")
    with session_scope(sessions) as session:
        upsert_guide(session=session, guide=guide, source="test")
        assert upsert_guide(session=session, guide=imported, source="tthc") == "kept-curated"
