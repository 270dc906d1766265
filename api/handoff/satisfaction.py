"""The citizen's 1–5 satisfaction rating after an agent resolved their conversation."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.chat.transcript import get_conversation
from api.handoff.errors import NothingToRate
from api.privacy import redact
from db.handoff import SatisfactionRating, Ticket


def rate(*, session: Session, conversation_id: str, rating: int, comment: str | None) -> SatisfactionRating:
    """The citizen's 1–5 rating of the last ticket an agent resolved in this conversation (once)."""
    conversation = get_conversation(session=session, conversation_id=conversation_id)
    ticket = session.scalar(
        select(Ticket)
        .where(Ticket.conversation_id == conversation.id, Ticket.state == "resolved", Ticket.disposition != "callback")
        .order_by(Ticket.resolved_at.desc(), Ticket.id.desc())
        .limit(1)
    )
    if ticket is None:
        raise NothingToRate("no agent has helped in this conversation yet, so there is nothing to rate")
    if session.scalar(select(SatisfactionRating.id).where(SatisfactionRating.ticket_id == ticket.id)) is not None:
        raise NothingToRate(f"ticket {ticket.id} is already rated; thank you")
    rating_row = SatisfactionRating(
        ticket_id=ticket.id, conversation_id=conversation.id, rating=rating, comment=redact(comment) if comment else None
    )
    session.add(rating_row)
    session.flush()
    return rating_row
