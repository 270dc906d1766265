"""What the citizen and the supervisor see of the queues: position, estimated wait, load, SLA."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.chat.transcript import get_conversation
from api.handoff.config import HandoffConfig
from api.handoff.eta import estimate_wait
from api.handoff.hours import is_open
from api.handoff.priority import effective_priority
from api.handoff.tickets import open_ticket_of
from db.base import aware, utcnow
from db.handoff import Ticket
from db.staff import StaffUser

RECENT_RESOLVED = 100


@dataclass(frozen=True)
class QueueLoad:
    """The inputs of the wait estimate for one queue (skill, language)."""

    servers: int  # chat slots of online agents serving the queue
    agents_online: int
    arrival_rate: float  # tickets per second over the stats window
    handling_time: float  # seconds, mean over recently resolved tickets


def queue_order(tickets: list[Ticket], now: dt.datetime) -> list[Ticket]:
    """Priority (with time waited) first, then age: the order claim-next serves."""
    return sorted(
        tickets,
        key=lambda t: (-effective_priority(priority=t.priority, created_at=aware(t.created_at), now=now), aware(t.created_at), t.id),
    )


def queue_load(*, session: Session, skill: str, lang: str, config: HandoffConfig, now: dt.datetime) -> QueueLoad:
    online = [
        a
        for a in session.scalars(select(StaffUser).where(StaffUser.status == "online"))
        if a.has_role("agent") and skill in (a.skills or []) and lang in (a.languages or [])
    ]
    window_start = now - config.stats_window
    arrivals = len(
        list(session.scalars(select(Ticket.id).where(Ticket.skill == skill, Ticket.lang == lang, Ticket.created_at >= window_start)))
    )
    return QueueLoad(
        servers=sum(max(a.capacity, 1) for a in online),
        agents_online=len(online),
        arrival_rate=arrivals / config.stats_window.total_seconds(),
        handling_time=handling_time(session=session, default=config.default_handling_s),
    )


def handling_time(*, session: Session, default: float) -> float:
    """Mean claimed → resolved time of the last resolved tickets, `default` before there are any."""
    rows = session.execute(
        select(Ticket.claimed_at, Ticket.resolved_at)
        .where(Ticket.state == "resolved", Ticket.claimed_at.is_not(None), Ticket.resolved_at.is_not(None))
        .order_by(Ticket.resolved_at.desc())
        .limit(RECENT_RESOLVED)
    ).all()
    durations = [(aware(resolved) - aware(claimed)).total_seconds() for claimed, resolved in rows if claimed and resolved]
    durations = [d for d in durations if d >= 0]
    return max(sum(durations) / len(durations), 30.0) if durations else default


def citizen_view(*, session: Session, conversation_id: str, config: HandoffConfig, now: dt.datetime | None = None) -> dict[str, Any]:
    """Position, estimated wait and whether to offer a callback, for the citizen's page."""
    now = now or utcnow()
    conversation = get_conversation(session=session, conversation_id=conversation_id)
    ticket = open_ticket_of(session=session, conversation_id=conversation.id)
    view: dict[str, Any] = {
        "state": conversation.state,
        "ticket_id": ticket.id if ticket else None,
        "open": is_open(now, config),
        "position": None,
        "queue_size": 0,
        "agents_online": 0,
        "estimated_wait_s": None,
        "offer_callback": False,
    }
    if ticket is None:
        return view
    load = queue_load(session=session, skill=ticket.skill, lang=ticket.lang, config=config, now=now)
    view["agents_online"] = load.agents_online
    if ticket.state == "assigned":
        return {**view, "position": 0, "estimated_wait_s": 0}
    queued = queue_order(
        list(session.scalars(select(Ticket).where(Ticket.state == "queued", Ticket.skill == ticket.skill, Ticket.lang == ticket.lang))), now
    )
    position = next(i for i, t in enumerate(queued, 1) if t.id == ticket.id)
    wait = estimate_wait(position=position, servers=load.servers, arrival_rate=load.arrival_rate, handling_time=load.handling_time)
    view.update(position=position, queue_size=len(queued), estimated_wait_s=None if wait is None else round(wait))
    view["offer_callback"] = not view["open"] or wait is None or wait > config.callback_after_s
    return view


def overview(*, session: Session, config: HandoffConfig, now: dt.datetime | None = None) -> dict[str, Any]:
    """Queues (waiting, oldest wait, with agents), agents (status, chats) and the SLA of the stats window."""
    now = now or utcnow()
    open_tickets = list(session.scalars(select(Ticket).where(Ticket.state.in_(("queued", "assigned")))))
    queues: dict[tuple[str, str], dict[str, Any]] = {}
    for t in open_tickets:
        q = queues.setdefault((t.skill, t.lang), {"skill": t.skill, "lang": t.lang, "waiting": 0, "assigned": 0, "oldest_wait_s": 0})
        if t.state == "queued":
            q["waiting"] += 1
            q["oldest_wait_s"] = max(q["oldest_wait_s"], round((now - aware(t.created_at)).total_seconds()))
        else:
            q["assigned"] += 1
    agents: list[dict[str, Any]] = []
    for a in session.scalars(select(StaffUser).order_by(StaffUser.username)):
        if "agent" not in a.roles:
            continue
        chats = sum(1 for t in open_tickets if t.agent_id == a.id and t.state == "assigned")
        agents.append({"id": a.id, "username": a.username, "display_name": a.display_name, "status": a.status, "chats": chats,
                       "capacity": a.capacity, "skills": a.skills, "languages": a.languages})  # fmt: skip
    for q in queues.values():
        q["agents_online"] = sum(1 for a in agents if a["status"] == "online" and q["skill"] in a["skills"] and q["lang"] in a["languages"])
    return {
        "queues": sorted(queues.values(), key=lambda q: (q["skill"], q["lang"])),
        "agents": agents,
        "sla": sla(session=session, config=config, now=now),
    }


def sla(*, session: Session, config: HandoffConfig, now: dt.datetime) -> dict[str, Any]:
    """Share of the window's tickets claimed within `sla_answer_s`; waiting past it counts as a breach."""
    target = dt.timedelta(seconds=config.sla_answer_s)
    tickets = list(session.scalars(select(Ticket).where(Ticket.created_at >= now - config.stats_window)))
    within, breaches, due = 0, [], 0
    for t in tickets:
        waited = (aware(t.claimed_at) if t.claimed_at else now) - aware(t.created_at)
        if t.claimed_at is None and waited < target and t.state != "resolved":
            continue  # still inside its 60 s: not yet counted either way
        if t.claimed_at is None and t.state == "resolved":
            continue  # closed without an agent (a callback request)
        due += 1
        if waited <= target:
            within += 1
        else:
            breaches.append(
                {
                    "ticket_id": t.id,
                    "skill": t.skill,
                    "lang": t.lang,
                    "waited_s": round(waited.total_seconds()),
                    "claimed": t.claimed_at is not None,
                }
            )
    share = within / due if due else None
    return {"answer_within_s": config.sla_answer_s, "target": config.sla_target, "tickets": due, "answered_within": within,
            "share": share, "met": share is None or share >= config.sla_target, "breaches": breaches}  # fmt: skip
