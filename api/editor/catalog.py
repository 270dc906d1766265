"""Reading guides for editors: the filtered list and one guide with its versions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from api.editor.staleness import staleness
from api.editor.workflow import get_row, get_state, head_version
from db.base import aware
from db.editorial import GuideEditorial, SourceRecord
from db.models import GuideRow, GuideVersionRow
from knowledge.normalize import fold


@dataclass(frozen=True)
class GuideFilter:
    domain: str | None = None
    status: str | None = None
    has_english: bool | None = None
    updated_after: dt.date | None = None
    updated_before: dt.date | None = None
    stale: bool | None = None
    q: str | None = None


def list_guides(*, session: Session, filters: GuideFilter, stale_after: dt.timedelta, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    rows = session.execute(
        select(GuideRow, GuideEditorial).outerjoin(GuideEditorial, GuideEditorial.guide_id == GuideRow.id).order_by(GuideRow.code)
    ).all()
    versions = _versions_by_key(session, {(row.id, v) for row, state in rows for v in _wanted_versions(row, state)})
    sources = {s.code: s for s in session.scalars(select(SourceRecord))}
    now = dt.datetime.now(dt.UTC)
    items = []
    for row, state in rows:
        status = state.status if state else _status(row)
        head = versions.get((row.id, state.working_version or row.current_version if state else row.current_version))
        published = versions.get((row.id, row.current_version)) if row.status == "published" else None
        flags = staleness(row=row, state=state, published=published, source=sources.get(row.code), now=now, stale_after=stale_after)
        data = head.data if head else {}
        updated = aware(state.updated_at) if state and state.updated_by else (aware(head.created_at) if head else aware(row.updated_at))
        item = {
            "code": row.code,
            "title": (data.get("vi") or {}).get("title") or row.title,
            "domain": row.domain,
            "status": status,
            "origin": row.origin,
            "published_version": row.current_version if row.status == "published" else None,
            "working_version": state.working_version if state else (row.current_version if status == "draft" else None),
            "has_english": bool(data.get("en")),
            "updated_at": updated.isoformat(),
            "updated_by": state.updated_by if state else None,
            "stale": flags.stale,
            "stale_reasons": flags.reasons,
            "lock_version": state.lock_version if state else 0,
        }
        if _matches(item, filters, updated.date()):
            items.append(item)
    domains = sorted({row.domain for row, _ in rows if row.domain})
    return {"total": len(items), "items": items[offset : offset + limit], "domains": domains}


def guide_detail(*, session: Session, code: str, stale_after: dt.timedelta) -> dict[str, Any]:
    row = get_row(session=session, code=code)
    state = get_state(session=session, row=row)
    versions = list(session.scalars(select(GuideVersionRow).where(GuideVersionRow.guide_id == row.id).order_by(GuideVersionRow.version)))
    by_number = {v.version: v for v in versions}
    head = by_number[head_version(state, row)]
    published = by_number.get(row.current_version) if row.status == "published" else None
    flags = staleness(
        row=row,
        state=state,
        published=published,
        source=session.get(SourceRecord, row.code),
        now=dt.datetime.now(dt.UTC),
        stale_after=stale_after,
    )
    return {
        "code": row.code,
        "status": state.status,
        "origin": row.origin,
        "lock_version": state.lock_version,
        "published_version": row.current_version if row.status == "published" else None,
        "working_version": state.working_version,
        "head_version": head.version,
        "authors": state.authors,
        "submitted_by": state.submitted_by,
        "reviewed_by": state.reviewed_by,
        "reviewed_at": flags.reviewed_at.isoformat() if flags.reviewed_at else None,
        "stale": flags.stale,
        "stale_reasons": flags.reasons,
        "guide": head.data,
        "versions": [
            {
                "version": v.version,
                "created_at": aware(v.created_at).isoformat(),
                "author": v.author,
                "source": v.source,
                "fingerprint": v.fingerprint,
                "published": v.version == row.current_version and row.status == "published",
                "working": v.version == state.working_version,
            }
            for v in reversed(versions)
        ],
    }


def _status(row: GuideRow) -> str:
    return row.status if row.status in ("published", "archived", "in_review") else "draft"


def _wanted_versions(row: GuideRow, state: GuideEditorial | None) -> set[int]:
    return {row.current_version} | ({state.working_version} if state and state.working_version else set())


def _versions_by_key(session: Session, keys: set[tuple[int, int]]) -> dict[tuple[int, int], GuideVersionRow]:
    if not keys:
        return {}
    found = session.scalars(select(GuideVersionRow).where(tuple_(GuideVersionRow.guide_id, GuideVersionRow.version).in_(list(keys))))
    return {(v.guide_id, v.version): v for v in found}


def _matches(item: dict[str, Any], f: GuideFilter, updated: dt.date) -> bool:
    if f.domain and item["domain"] != f.domain:
        return False
    if f.status and item["status"] != f.status:
        return False
    if f.has_english is not None and item["has_english"] != f.has_english:
        return False
    if f.updated_after and updated < f.updated_after:
        return False
    if f.updated_before and updated > f.updated_before:
        return False
    if f.stale is not None and item["stale"] != f.stale:
        return False
    return not (f.q and fold(f.q) not in fold(f"{item['code']} {item['title']}"))
