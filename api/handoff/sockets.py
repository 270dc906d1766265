"""Single-use tickets for the agent's live socket, so that no bearer token travels in a URL.

The console asks `POST /api/agent/tickets/{id}/ws-ticket` (bearer auth, holder check) and opens
``/api/agent/tickets/{id}/ws?ticket=…`` within `TTL`. Redeeming is one conditional UPDATE
(``… WHERE used_at IS NULL AND expires_at > now``), so a ticket opens one socket, on any worker.
Only its SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from api.errors import Unauthorized
from api.handoff import tickets
from db.base import utcnow
from db.handoff import SocketTicket, Ticket
from db.staff import StaffUser

TTL = dt.timedelta(seconds=30)


class SocketTicketInvalid(Unauthorized):
    """401 (the socket closes with 4401): missing, forged, expired, used, or for another ticket."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(*, session: Session, ticket_id: int, agent: StaffUser, now: dt.datetime | None = None) -> str:
    """A fresh ticket for `agent` on `ticket_id`; `NotHolder`/`TicketAlreadyClaimed`/`TicketClosed` otherwise."""
    now = now or utcnow()
    tickets.held(session=session, ticket_id=ticket_id, agent=agent)
    session.execute(delete(SocketTicket).where(SocketTicket.expires_at < now))  # spent ones are worth nothing
    secret = secrets.token_urlsafe(32)
    session.add(SocketTicket(digest=_digest(secret), staff_user_id=agent.id, ticket_id=ticket_id, expires_at=now + TTL))
    session.flush()
    return secret


def redeem(*, session: Session, secret: str, ticket_id: int, now: dt.datetime | None = None) -> StaffUser:
    """The staff user the ticket was issued to, once; `SocketTicketInvalid` for anything else.

    Commit before checking that the agent still holds the ticket: a refused socket spends it too.
    """
    now = now or utcnow()
    if not secret:
        raise SocketTicketInvalid("no socket ticket: ask POST /api/agent/tickets/{id}/ws-ticket for one")
    digest = _digest(secret)
    spent = cast(
        CursorResult,
        session.execute(
            update(SocketTicket)
            .where(SocketTicket.digest == digest, SocketTicket.used_at.is_(None), SocketTicket.expires_at > now)
            .values(used_at=now)
        ),
    )
    row = session.scalar(select(SocketTicket).where(SocketTicket.digest == digest)) if spent.rowcount == 1 else None
    if row is None:
        raise SocketTicketInvalid("socket ticket unknown, expired or already used; ask for a new one")
    if row.ticket_id != ticket_id:
        raise SocketTicketInvalid(f"this socket ticket was issued for ticket {row.ticket_id}, not {ticket_id}")
    agent = session.get(StaffUser, row.staff_user_id)
    if agent is None:
        raise SocketTicketInvalid("the staff account of this socket ticket is gone")
    return agent


def may_watch(*, session: Session, ticket_id: int, agent: StaffUser) -> Ticket:
    """The ticket, when `agent` (still) holds it or supervises; a `DomainError` (socket 4403) otherwise."""
    return tickets.held(session=session, ticket_id=ticket_id, agent=agent)
