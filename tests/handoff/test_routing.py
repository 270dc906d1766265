"""Claim-next order (priority with time waited, then age) and queue filters, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session, sessionmaker

from api.handoff.queue import queue_order
from api.handoff.tickets import claim_next
from db.handoff import Ticket
from db.models import Conversation
from db.session import session_scope
from db.staff import StaffUser

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)


def ticket(session: Session, *, priority: int, waited_min: float, skill: str = "general", lang: str = "vi") -> int:
    conversation = Conversation(lang=lang, state="waiting")
    session.add(conversation)
    session.flush()
    row = Ticket(conversation_id=conversation.id, lang=lang, skill=skill, priority=priority, reason="requested", state="queued",
                 summary={}, created_at=NOW - dt.timedelta(minutes=waited_min))  # fmt: skip
    session.add(row)
    session.flush()
    return row.id


def test_claim_next_serves_priority_with_aging_then_age(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        fresh_urgent = ticket(session, priority=3, waited_min=1)
        old_plain = ticket(session, priority=1, waited_min=12)  # 1 + 2 aging points = 3, and older
        newer_plain = ticket(session, priority=1, waited_min=2)
        oldest_plain = ticket(session, priority=1, waited_min=3)
        other_skill = ticket(session, priority=9, waited_min=30, skill="residence")
        other_lang = ticket(session, priority=9, waited_min=30, lang="en")
        agent = StaffUser(
            username="a", display_name="A", password_hash="-", roles=["agent"], skills=["general"], languages=["vi"], capacity=10
        )
        session.add(agent)
        session.flush()
        expected = [old_plain, fresh_urgent, oldest_plain, newer_plain]
        claimed = [t.id for t in iter(lambda: claim_next(session=session, agent=agent, now=NOW), None)]
        assert claimed == expected
        assert session.get(Ticket, other_skill).state == session.get(Ticket, other_lang).state == "queued"


def test_queue_order_matches_claim_next(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        ids = [ticket(session, priority=p, waited_min=w) for p, w in ((1, 12), (3, 1), (1, 2), (1, 3))]
        rows = [session.get(Ticket, i) for i in ids]
        assert [t.id for t in queue_order(rows, NOW)] == [ids[0], ids[1], ids[3], ids[2]]
