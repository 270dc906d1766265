"""Curated guide files seed the database once; afterwards the database and its workflow rule.

`make run` loads `data/guides/*.yaml` at every start. A file seeds its guide when the database
has none (or only the national record it enriches). Later, a file that differs from what it last
seeded becomes a version *in review*, never a silent overwrite of what editors published:

    seed_guide(session=s, guide=load_guide_file(path), source="file:ct01.yaml")
    # "new" | "unchanged" | "proposed" (in review) | "pending" (an editor's draft is open: left alone)
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.editor import audit
from api.editor.workflow import Actor, add_version, get_state
from db.base import utcnow
from db.editorial import GuideEditorial
from db.models import GuideRow, GuideVersionRow
from knowledge.guides import Guide, guide_to_dict
from knowledge.repository import upsert_guide

Seeded = Literal["new", "unchanged", "proposed", "pending"]
FILES = Actor("files", ())
"""The author of versions that come from the curated files (so any editor may review them)."""


def seed_guide(*, session: Session, guide: Guide, source: str) -> Seeded:
    row = session.scalar(select(GuideRow).where(GuideRow.code == guide.code))
    if row is None or _first_file_over_national_record(session, row):
        upsert_guide(session=session, guide=guide, source=source)
        return "new"
    fingerprint = guide.fingerprint()
    if fingerprint in {_current_fingerprint(session, row), _last_file_fingerprint(session, row)}:
        return "unchanged"
    state = get_state(session=session, row=row)
    if state.working_version is not None:
        return "pending"
    return _propose(session, row, state, guide, source)


def _first_file_over_national_record(session: Session, row: GuideRow) -> bool:
    """A curated guide enriches the imported national record of its code, as long as nobody edited it."""
    if row.origin != "tthc" or session.get(GuideEditorial, row.id) is not None:
        return False
    sources = session.scalars(select(GuideVersionRow.source).where(GuideVersionRow.guide_id == row.id))
    return not any(source.startswith(("file:", "editor")) for source in sources)


def _current_fingerprint(session: Session, row: GuideRow) -> str | None:
    return session.scalar(
        select(GuideVersionRow.fingerprint).where(GuideVersionRow.guide_id == row.id, GuideVersionRow.version == row.current_version)
    )


def _last_file_fingerprint(session: Session, row: GuideRow) -> str | None:
    return session.scalar(
        select(GuideVersionRow.fingerprint)
        .where(GuideVersionRow.guide_id == row.id, GuideVersionRow.source.startswith("file:"))
        .order_by(GuideVersionRow.version.desc())
        .limit(1)
    )


def _propose(session: Session, row: GuideRow, state: GuideEditorial, guide: Guide, source: str) -> Seeded:
    version = add_version(session, row, guide_to_dict(guide), FILES, source=source)
    state.working_version, state.status, state.authors = version.version, "in_review", [FILES.username]
    state.submitted_by, state.submitted_at = FILES.username, utcnow()
    state.lock_version += 1
    audit.record(session=session, actor=FILES.username, action="submit", code=row.code, version=version.version, source=source)
    return "proposed"
