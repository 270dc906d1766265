"""Editorial tables: workflow state per guide, the audit log, the shared knowledge version, source records.

The guide's content stays in `guides` / `guide_versions` (append-only versions). What
the editors add sits here, so the served set (`guides.status == "published"` at
`guides.current_version`) keeps its meaning while a new draft of a published guide
is being written and reviewed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow

WORKFLOW = ("draft", "in_review", "published", "archived")


class GuideEditorial(Base):
    """The workflow state of one guide, and its optimistic-locking counter.

    `working_version` is the draft (or the version in review); `None` when the guide
    has no pending change. Every successful write bumps `lock_version`; a write that
    names an older `lock_version` is refused (the second of two editors gets a conflict).
    """

    __tablename__ = "guide_editorial"

    guide_id: Mapped[int] = mapped_column(ForeignKey("guides.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True, doc="draft | in_review | published | archived")
    working_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    authors: Mapped[list[str]] = mapped_column(JSON, default=list, doc="usernames who changed the working version")
    submitted_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class EditorAudit(Base):
    """One change by one staff member: who, when, what (action, guide, version, details)."""

    __tablename__ = "editor_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    guide_code: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class KnowledgeState(Base):
    """One row (id 1): the shared knowledge version every app worker follows.

    Publishing bumps `version` after the new index build is current; each worker polls
    this row and reloads its index when the number changes.
    """

    __tablename__ = "knowledge_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    build_id: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class SourceRecord(Base):
    """The national record behind a guide code, as last imported: staleness compares `changed_at` with the review."""

    __tablename__ = "source_records"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(200), default="")
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
