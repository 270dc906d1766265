"""Call-center handoff: tickets, callback requests, satisfaction ratings.

Agents are `staff_users` rows (status, skills, languages and capacity live there).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow

TICKET_STATES = ("queued", "assigned", "resolved")
DISPOSITIONS = ("answered", "referred", "callback", "no_response", "duplicate", "other")


class Ticket(Base):
    """One handoff of one conversation to a person; a conversation has at most one open ticket.

    `priority` holds the rules applied at creation; time waited is added when ordering
    (see `api.handoff.priority`). The transcript is the conversation's messages, stored redacted.
    """

    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_queue", "state", "skill", "lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    citizen_id: Mapped[str | None] = mapped_column(String(64), nullable=True, doc="when the citizen is signed in and consented")
    lang: Mapped[str] = mapped_column(String(8))
    skill: Mapped[str] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(String(32), doc="requested | repeated_failure | negative_feedback")
    state: Mapped[str] = mapped_column(String(16), default="queued")
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True, index=True)
    guide_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    transfers: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    first_response_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    disposition: Mapped[str | None] = mapped_column(String(32), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class CallbackRequest(Base):
    """A citizen's consented request to be called back; agents work through the pending ones."""

    __tablename__ = "callback_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True)
    phone: Mapped[str] = mapped_column(String(32))
    preferred_time: Mapped[str] = mapped_column(String(100))
    lang: Mapped[str] = mapped_column(String(8))
    skill: Mapped[str] = mapped_column(String(32))
    consent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True, doc="pending | reached | no_answer")
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    handled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SatisfactionRating(Base):
    """The citizen's 1–5 rating of a resolved ticket, with an optional (redacted) comment."""

    __tablename__ = "satisfaction_ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SocketTicket(Base):
    """A single-use, short-lived ticket that opens an agent's live socket (`api.handoff.sockets`).

    Only the SHA-256 of the ticket is kept: a copy of this table opens nothing. Stored in the
    database (not in a worker's memory) so any app worker can redeem what another issued.
    """

    __tablename__ = "socket_tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True, doc="hex SHA-256 of the ticket")
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
