"""The audit log: every change by every editor, who, when and what."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.editorial import EditorAudit


def record(*, session: Session, actor: str, action: str, code: str | None = None, version: int | None = None, **detail: Any) -> EditorAudit:
    entry = EditorAudit(actor=actor, action=action, guide_code=code, version=version, detail=detail)
    session.add(entry)
    return entry


def entries(*, session: Session, code: str | None = None, actor: str | None = None, limit: int = 200) -> list[EditorAudit]:
    """Newest first."""
    query = select(EditorAudit).order_by(EditorAudit.id.desc()).limit(limit)
    if code is not None:
        query = query.where(EditorAudit.guide_code == code)
    if actor is not None:
        query = query.where(EditorAudit.actor == actor)
    return list(session.scalars(query))


def to_dict(entry: EditorAudit) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "guide_code": entry.guide_code,
        "version": entry.version,
        "detail": entry.detail,
    }
