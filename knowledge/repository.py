"""Guides in the database: versioned upserts and the published set the index is built from."""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import GuideRow, GuideVersionRow
from knowledge.guides import Guide, guide_from_dict, guide_to_dict
from knowledge.index import IndexedGuide

Change = Literal["new", "changed", "unchanged", "kept-curated"]
MAX_IN_LIST = 500


def upsert_guide(*, session: Session, guide: Guide, source: str, dry_run: bool = False) -> Change:
    """Store `guide` as a new version if its facts differ from the current one (idempotent)."""
    row = session.scalar(select(GuideRow).where(GuideRow.code == guide.code))
    fingerprint = guide.fingerprint()
    if row is not None and row.origin == "curated" and guide.origin == "tthc":
        return "kept-curated"  # a curated guide enriches its national record; an import never overwrites it
    if row is not None:
        current = session.scalar(
            select(GuideVersionRow).where(GuideVersionRow.guide_id == row.id, GuideVersionRow.version == row.current_version)
        )
        if current is not None and current.fingerprint == fingerprint:
            return "unchanged"
    if dry_run:
        return "new" if row is None else "changed"
    if row is None:
        row = GuideRow(code=guide.code, title=guide.title, domain=guide.domain, origin=guide.origin, status=guide.status, current_version=0)
        session.add(row)
        session.flush()
        change: Change = "new"
    else:
        change = "changed"
    row.current_version += 1
    row.title, row.domain, row.status, row.origin = guide.title, guide.domain, guide.status, guide.origin
    session.add(
        GuideVersionRow(guide_id=row.id, version=row.current_version, fingerprint=fingerprint, data=guide_to_dict(guide), source=source)
    )
    return change


def published_guides(*, session: Session, codes: Collection[str] | None = None) -> list[IndexedGuide]:
    """The published guides at their current versions (only those of `codes` when given), by code."""
    query = (
        select(GuideRow.code, GuideRow.current_version, GuideVersionRow.data)
        .join(GuideVersionRow, (GuideVersionRow.guide_id == GuideRow.id) & (GuideVersionRow.version == GuideRow.current_version))
        .where(GuideRow.status == "published")
        .order_by(GuideRow.code)
    )
    if codes is not None and len(codes) <= MAX_IN_LIST:
        query = query.where(GuideRow.code.in_(list(codes)))
    wanted = set(codes) if codes is not None else None  # more codes than an IN list should hold: filtered here
    return [
        IndexedGuide(guide_from_dict(data), version) for code, version, data in session.execute(query) if wanted is None or code in wanted
    ]


def published_versions(*, session: Session) -> dict[str, int]:
    """code → current version of every published guide: what a publish compares with the index (no guide is parsed)."""
    rows = session.execute(select(GuideRow.code, GuideRow.current_version).where(GuideRow.status == "published").order_by(GuideRow.code))
    return {code: version for code, version in rows}
