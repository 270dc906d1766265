"""Dossiers (hồ sơ) submitted from application drafts, their status history, and the notification outbox.

In development the `dossiers` table is also the demo one-stop office's own record; a real deployment keeps
it as the app's mirror of what its back office reports (api/dossiers/backoffice.py, docs/dossiers.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, utcnow


class Dossier(Base):
    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, doc="mã hồ sơ, e.g. HS-261203-7K3Q9X")
    subject: Mapped[str | None] = mapped_column(String(255), index=True, nullable=True, doc="the citizen who submitted it")
    phone: Mapped[str] = mapped_column(String(20), doc="the phone number on the dossier (lookup with the code)")
    form_code: Mapped[str] = mapped_column(String(32))
    procedure: Mapped[str] = mapped_column(String(64), doc="national procedure code, e.g. 1.004222")
    draft_id: Mapped[str | None] = mapped_column(String(32), unique=True, nullable=True, doc="one dossier per draft")
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True, nullable=True)
    state: Mapped[str] = mapped_column(String(32), default="received")
    lang: Mapped[str] = mapped_column(String(8), default="vi")
    conversation_id: Mapped[str | None] = mapped_column(String(32), nullable=True, doc="where the citizen submitted it (notices go there)")
    expected_on: Mapped[dt.date] = mapped_column(Date, doc="expected result date, in working days")
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    events: Mapped[list[DossierEvent]] = relationship(back_populates="dossier", order_by="DossierEvent.id", cascade="all, delete-orphan")


class DossierEvent(Base):
    """One state the dossier entered, when, by whom, and why (a supplement's reason and missing documents, vi/en)."""

    __tablename__ = "dossier_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(64), default="system", doc="citizen | system | staff username")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, doc='{"reason": {vi, en}, "documents": [{vi, en}], "note": …}')

    dossier: Mapped[Dossier] = relationship(back_populates="events")


class OutboxMessage(Base):
    """A status notice waiting for an SMS / Zalo / e-mail sender (`sent_at` set once delivered)."""

    __tablename__ = "dossier_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16), default="sms")
    recipient: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    delivery: Mapped[str | None] = mapped_column(String(200), nullable=True, doc="the sender's reference or last error")
