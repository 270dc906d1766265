"""Staff accounts: call-center agents, supervisors, content editors, admins."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow

ROLES = ("agent", "supervisor", "editor", "admin", "processing_officer")  # processing_officer: the demo one-stop office (docs/dossiers.md)


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list, doc="queues an agent may serve, e.g. 'residence', 'general'")
    languages: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["vi"])
    status: Mapped[str] = mapped_column(String(16), default="offline", doc="online | away | offline")
    capacity: Mapped[int] = mapped_column(Integer, default=3, doc="concurrent chats")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def has_role(self, *roles: str) -> bool:
        return "admin" in self.roles or any(r in self.roles for r in roles)
