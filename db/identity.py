"""Identity and form prefill: the demo provider's citizen registry, verified sessions, consents,
form progress and application drafts.

Personal data lives only in these tables (and in the citizen's browser): transcripts and
logs carry field names and redacted text, never the values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow
from db.models import new_id


class Citizen(Base):
    """One synthetic citizen of the demo identity provider (development mode only).

    `subject` is the opaque `sub` claim; the personal ID number never leaves this
    registry except inside the signed ID token.
    """

    __tablename__ = "citizens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CitizenSession(Base):
    """A verified sign-in: created after the ID token checked out; the HttpOnly cookie names it."""

    __tablename__ = "citizen_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(255), index=True)
    issuer: Mapped[str] = mapped_column(String(255))
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, doc="claims mapped to a citizen profile (api.identity.profile)")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Consent(Base):
    """The citizen's answer to "may we use these identity fields for this form?" (or, with `form_code`
    "reminders", for renewal reminders: api/dossiers/reminder_consent.py); revocable."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(255), index=True)
    form_code: Mapped[str] = mapped_column(String(32))
    fields: Mapped[list[str]] = mapped_column(JSON, doc="template field ids (profile fields for reminders) the consent covers")
    granted: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class FormProgress(Base):
    """A form being filled in: one per citizen and form, kept until confirmed (so leaving loses nothing)."""

    __tablename__ = "form_progress"
    __table_args__ = (UniqueConstraint("subject", "form_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(255), index=True)
    form_code: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(16), default="consent", doc="consent | filling | confirm")
    current: Mapped[str | None] = mapped_column(String(64), nullable=True, doc="the field being asked")
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, doc='{field: {"value": …, "source": "identity"|"citizen"}}')
    consent_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class ApplicationDraft(Base):
    """A confirmed, filled-in form ready to submit; readable by its citizen only."""

    __tablename__ = "application_drafts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    subject: Mapped[str] = mapped_column(String(255), index=True)
    form_code: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    values: Mapped[list[dict[str, Any]]] = mapped_column(JSON, doc='[{"field", "label", "value", "source"}] in template order')
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
