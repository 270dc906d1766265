"""Many agents claiming at once on PostgreSQL: no ticket ever gets two agents."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.chat.transcript import add_message
from api.handoff.errors import TicketAlreadyClaimed
from api.handoff.tickets import claim, claim_next, start_handoff
from db.handoff import Ticket
from db.models import Conversation
from db.session import session_scope
from db.staff import StaffUser

pytestmark = pytest.mark.postgres
CLAIMERS = 30


@pytest.fixture(params=["postgres"])
def database_url(request: pytest.FixtureRequest, database_url):  # type: ignore[no-untyped-def]
    """Only the PostgreSQL parameter of the shared fixture (SQLite has no row locks to prove anything with)."""
    return database_url


def make_tickets(sessions: sessionmaker[Session], count: int) -> list[int]:
    with session_scope(sessions) as session:
        ids = []
        for i in range(count):
            conversation = Conversation(lang="vi")
            session.add(conversation)
            session.flush()
            add_message(session=session, conversation=conversation, sender="citizen", text=f"câu hỏi {i}")
            ticket = start_handoff(session=session, conversation_id=conversation.id, reason="requested", domain_of=lambda _c: None)
            assert ticket is not None
            ids.append(ticket.id)
        return ids


def make_agents(sessions: sessionmaker[Session], count: int) -> list[int]:
    with session_scope(sessions) as session:
        agents = [
            StaffUser(
                username=f"a{i}",
                display_name=f"Agent {i}",
                password_hash="-",
                roles=["agent"],
                skills=["general"],
                languages=["vi"],
                status="online",
                capacity=1,
            )
            for i in range(count)
        ]
        session.add_all(agents)
        session.flush()
        return [a.id for a in agents]


def run_parallel(count: int, work) -> list[object]:  # type: ignore[no-untyped-def]
    barrier, results, lock = threading.Barrier(count), [], threading.Lock()

    def run(i: int) -> None:
        barrier.wait()
        try:
            outcome: object = work(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            outcome = exc
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_parallel_claim_next_gives_each_ticket_to_exactly_one_agent(sessions: sessionmaker[Session]) -> None:
    assert sessions.kw["bind"].dialect.name == "postgresql"
    tickets = make_tickets(sessions, 25)
    agents = make_agents(sessions, CLAIMERS)

    def work(i: int) -> int | None:
        with session_scope(sessions) as session:
            agent = session.get(StaffUser, agents[i])
            ticket = claim_next(session=session, agent=agent)
            return ticket.id if ticket else None

    results = run_parallel(CLAIMERS, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    won = [r for r in results if r is not None]
    assert sorted(won) == sorted(tickets)  # every ticket claimed, none twice
    assert results.count(None) == CLAIMERS - len(tickets)
    with sessions() as session:
        rows = session.scalars(select(Ticket)).all()
        assert all(t.state == "assigned" and t.agent_id is not None for t in rows)
        assert max(Counter(t.agent_id for t in rows).values()) == 1


def test_parallel_claims_of_one_ticket_have_one_winner(sessions: sessionmaker[Session]) -> None:
    [ticket_id] = make_tickets(sessions, 1)
    agents = make_agents(sessions, CLAIMERS)

    def work(i: int) -> int:
        with session_scope(sessions) as session:
            return claim(session=session, ticket_id=ticket_id, agent=session.get(StaffUser, agents[i])).agent_id  # type: ignore[return-value]

    results = run_parallel(CLAIMERS, work)
    winners = [r for r in results if isinstance(r, int)]
    conflicts = [r for r in results if isinstance(r, TicketAlreadyClaimed)]
    assert len(winners) == 1 and len(conflicts) == CLAIMERS - 1, results
    with sessions() as session:
        holder = session.get(StaffUser, winners[0])
        assert session.get(Ticket, ticket_id).agent_id == holder.id
    assert all(f"({holder.username})" in c.detail for c in conflicts)
