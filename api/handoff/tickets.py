"""Ticket use cases: hand off, claim (explicit or next), agent messages, transfer, release, resolve.

Every state change that two people could race for is one conditional UPDATE
(``… WHERE state = 'bot'``, ``… WHERE agent_id IS NULL``), so it is atomic on SQLite and
PostgreSQL alike; claim-next also locks its candidate with ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL so that parallel claimers each take a different ticket instead of colliding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, case, func, or_, select, true, update
from sqlalchemy.orm import Session

from api.chat.transcript import add_message
from api.errors import NotFound
from api.handoff import live
from api.handoff.errors import AtCapacity, Invalid, NotHolder, SkillMissing, TicketAlreadyClaimed, TicketClosed
from api.handoff.priority import aging_thresholds, base_priority
from api.handoff.skills import SKILLS, skill_for_domain
from api.handoff.summary import Line, summarize
from api.privacy import redact
from db.base import utcnow
from db.handoff import DISPOSITIONS, Ticket
from db.models import Conversation, Feedback, Message
from db.staff import StaffUser

DomainOf = Callable[[str], str | None]  # guide code → the guide's domain label, None when unknown
OPEN = ("queued", "assigned")
CLAIM_ATTEMPTS = 20

TEXTS = {
    "handoff": {
        "vi": "Tôi đang chuyển bạn tới tổng đài viên. Vui lòng chờ trong giây lát, nội dung trò chuyện đã được chuyển kèm.",
        "en": "I am passing you to a call-center agent. Please wait a moment; they will see this conversation.",
    },
    "joined": {"vi": "Tổng đài viên {name} đã tham gia cuộc trò chuyện.", "en": "{name}, a support agent, has joined the conversation."},
    "requeued": {
        "vi": "Cuộc trò chuyện đang được chuyển tới tổng đài viên khác, vui lòng chờ.",
        "en": "Your conversation is being passed to another agent, please wait.",
    },
    "resolved": {
        "vi": "Tổng đài viên đã kết thúc hỗ trợ. Trợ lý ảo tiếp tục trả lời bạn. Bạn đánh giá cuộc hỗ trợ này thế nào (1–5)?",
        "en": "The agent has finished. The virtual assistant is back. How would you rate this help (1–5)?",
    },
}


REQUEST_HUMAN = "/request_human"


def handoff_reply(lang: str) -> dict[str, Any]:
    """The handoff message in the shape of a Rasa reply, for when Rasa cannot be reached."""
    return {"custom": {"kind": "handoff", "text": text("handoff", lang), "handoff": {"reason": "requested"}}, "sender": "system"}


def text(key: str, lang: str, **values: str) -> str:
    return TEXTS[key]["en" if lang == "en" else "vi"].format(**values)


def open_ticket_of(*, session: Session, conversation_id: str) -> Ticket | None:
    return session.scalar(select(Ticket).where(Ticket.conversation_id == conversation_id, Ticket.state.in_(OPEN)))


def get_ticket(*, session: Session, ticket_id: int) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} does not exist")
    return ticket


def readable_by(agent: StaffUser) -> ColumnElement[bool]:
    """Tickets whose conversation `agent` may read: the ones they hold or resolved, the unheld ones of
    the queues they serve (skill and language), every one for a supervisor."""
    if agent.has_role("supervisor"):
        return true()
    in_my_queues = and_(Ticket.agent_id.is_(None), Ticket.skill.in_(agent.skills or []), Ticket.lang.in_(agent.languages or []))
    return or_(Ticket.agent_id == agent.id, in_my_queues)


def readable(*, session: Session, ticket_id: int, agent: StaffUser) -> Ticket:
    """The ticket, when `agent` may read its conversation (`readable_by`); 403 naming why otherwise."""
    ticket = get_ticket(session=session, ticket_id=ticket_id)
    if session.scalar(select(Ticket.id).where(Ticket.id == ticket.id, readable_by(agent))) is not None:
        return ticket
    if ticket.agent_id is not None:
        raise NotHolder(f"ticket {ticket_id} is held by {_holder(session, ticket)}; only they and supervisors read it")
    raise SkillMissing(f"ticket {ticket_id} is in the {ticket.skill}/{ticket.lang} queue, which you do not serve")


# ---- handoff --------------------------------------------------------------------------------------------


def start_handoff(
    *, session: Session, conversation_id: str, reason: str, domain_of: DomainOf, announce_to_citizen: bool = False
) -> Ticket | None:
    """Move the conversation bot → waiting and open its ticket; None when it was not with the bot.

    `announce_to_citizen` adds the handoff message (when Rasa did not send one, e.g. after feedback).
    """
    moved = cast(
        CursorResult[Any],
        session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.state == "bot")
            .values(state="waiting", bot_paused=True, updated_at=utcnow())
            .execution_options(synchronize_session="fetch"),
        ),
    )
    if moved.rowcount != 1:
        return None
    conversation = session.get(Conversation, conversation_id)
    assert conversation is not None
    messages = list(session.scalars(select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)))
    lines = [_line(m) for m in messages]
    if reason == "requested" and any(((m.payload or {}).get("answer") or {}).get("offer_human") for m in messages[-4:]):
        reason = "repeated_failure"  # the citizen accepted the offer made after repeated failures
    negative = session.scalar(
        select(func.count(Feedback.id))
        .join(Message, Feedback.message_id == Message.id)
        .where(Message.conversation_id == conversation_id, Feedback.helpful.is_(False))
    )
    summary = summarize(lines, reason, conversation.lang)
    guide_code = summary["guide_code"]
    ticket = Ticket(
        conversation_id=conversation_id,
        lang=conversation.lang,
        skill=skill_for_domain(domain_of(guide_code) if guide_code else None),
        priority=base_priority(
            reason=reason, unanswered=sum(1 for ln in lines if ln.status == "unanswerable"), negative_feedback=negative or 0
        ),
        reason=reason,
        state="queued",
        guide_code=guide_code,
        summary=summary,
    )
    session.add(ticket)
    if announce_to_citizen:
        add_message(session=session, conversation=conversation, sender="system", kind="handoff", text=text("handoff", conversation.lang))
    session.flush()
    _changed(session, ticket, "waiting")
    return ticket


def _line(message: Message) -> Line:
    answer = (message.payload or {}).get("answer") or {}
    return Line(message.sender, message.text, answer.get("status"), message.guide_code)


def _changed(session: Session, ticket: Ticket, conversation_state: str) -> None:
    live.announce(session, live.conversation_channel(ticket.conversation_id), {"type": "state", "state": conversation_state})
    live.announce(session, live.QUEUES, {"type": "ticket", "ticket_id": ticket.id, "state": ticket.state})


# ---- claims ----------------------------------------------------------------------------------------------


def active_count(*, session: Session, agent: StaffUser) -> int:
    return session.scalar(select(func.count(Ticket.id)).where(Ticket.agent_id == agent.id, Ticket.state == "assigned")) or 0


def serves(agent: StaffUser, ticket: Ticket) -> bool:
    return ticket.skill in (agent.skills or []) and ticket.lang in (agent.languages or [])


def claim(*, session: Session, ticket_id: int, agent: StaffUser) -> Ticket:
    """Take a given ticket: 409 when someone else holds it or it is resolved, 403 without the skill."""
    ticket = get_ticket(session=session, ticket_id=ticket_id)
    if ticket.state == "resolved":
        raise TicketClosed(f"ticket {ticket_id} is resolved ({ticket.disposition})")
    if ticket.agent_id == agent.id:
        return ticket
    if ticket.agent_id is not None:
        raise TicketAlreadyClaimed(f"ticket {ticket_id} is already held by {_holder(session, ticket)}")
    if not serves(agent, ticket):
        raise SkillMissing(
            f"ticket {ticket_id} is in the {ticket.skill}/{ticket.lang} queue; you serve "
            f"{', '.join(agent.skills or []) or 'no skills'} in {', '.join(agent.languages or []) or 'no languages'}"
        )
    _check_capacity(session, agent)
    if not _take(session, ticket, agent):
        session.refresh(ticket)
        raise TicketAlreadyClaimed(f"ticket {ticket_id} is already held by {_holder(session, ticket)}")
    return ticket


def claim_next(*, session: Session, agent: StaffUser, now: dt.datetime | None = None) -> Ticket | None:
    """The highest-priority, longest-waiting ticket of the agent's queues, or None when they are empty."""
    _check_capacity(session, agent)
    now = now or utcnow()
    aging = case(*[(Ticket.created_at <= before, points) for before, points in aging_thresholds(now)], else_=0)
    query = (
        select(Ticket)
        .where(
            Ticket.state == "queued",
            Ticket.agent_id.is_(None),
            Ticket.skill.in_(agent.skills or []),
            Ticket.lang.in_(agent.languages or []),
        )
        .order_by((Ticket.priority + aging).desc(), Ticket.created_at, Ticket.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=Ticket)  # SQLite has no row locks: the conditional UPDATE decides
    )
    for _ in range(CLAIM_ATTEMPTS):
        ticket = session.scalars(query).first()
        if ticket is None:
            return None
        if _take(session, ticket, agent, now):
            return ticket
        session.expire(ticket)  # someone else won it between our SELECT and UPDATE (SQLite): try the next
    return None


def _check_capacity(session: Session, agent: StaffUser) -> None:
    active = active_count(session=session, agent=agent)
    if active >= agent.capacity:
        raise AtCapacity(f"you already have {active} chats (capacity {agent.capacity}); resolve or release one first")


def _take(session: Session, ticket: Ticket, agent: StaffUser, now: dt.datetime | None = None) -> bool:
    now = now or utcnow()
    taken = cast(
        CursorResult[Any],
        session.execute(
            update(Ticket)
            .where(Ticket.id == ticket.id, Ticket.agent_id.is_(None), Ticket.state == "queued")
            .values(agent_id=agent.id, state="assigned", claimed_at=func.coalesce(Ticket.claimed_at, now))
            .execution_options(synchronize_session=False),
        ),
    )
    if taken.rowcount != 1:
        return False
    session.refresh(ticket)
    conversation = session.get(Conversation, ticket.conversation_id)
    assert conversation is not None
    conversation.state = "agent"
    add_message(
        session=session,
        conversation=conversation,
        sender="system",
        kind="notice",
        text=text("joined", ticket.lang, name=agent.display_name),
    )
    _changed(session, ticket, "agent")
    return True


def _holder(session: Session, ticket: Ticket) -> str:
    holder = session.get(StaffUser, ticket.agent_id) if ticket.agent_id else None
    return f"{holder.display_name} ({holder.username})" if holder else "another agent"


# ---- while assigned --------------------------------------------------------------------------------------


def held(*, session: Session, ticket_id: int, agent: StaffUser) -> Ticket:
    """The open ticket when `agent` holds it or is a supervisor; `NotHolder`, `TicketAlreadyClaimed` or `TicketClosed`."""
    return _held(session, ticket_id, agent)


def holder_or_supervisor(*, session: Session, ticket_id: int, agent: StaffUser) -> Ticket:
    """The ticket, open or resolved, when `agent` holds (or held) it or is a supervisor; `NotHolder` (403) otherwise:
    for what goes beyond the conversation itself, such as the citizen's dossiers."""
    ticket = get_ticket(session=session, ticket_id=ticket_id)
    if ticket.agent_id == agent.id or agent.has_role("supervisor"):
        return ticket
    raise NotHolder(f"ticket {ticket_id} is not yours; only its holder and supervisors see the citizen's dossiers")


def _held(session: Session, ticket_id: int, agent: StaffUser, *, supervisor_may: bool = True) -> Ticket:
    ticket = get_ticket(session=session, ticket_id=ticket_id)
    if ticket.state == "resolved":
        raise TicketClosed(f"ticket {ticket_id} is resolved ({ticket.disposition}); nothing more can be sent or changed")
    if ticket.agent_id == agent.id or (supervisor_may and agent.has_role("supervisor")):
        return ticket
    if ticket.agent_id is None:
        raise NotHolder(f"ticket {ticket_id} is waiting in the queue; claim it first")
    raise TicketAlreadyClaimed(f"ticket {ticket_id} is held by {_holder(session, ticket)}")


def send_agent_message(*, session: Session, ticket_id: int, agent: StaffUser, text: str) -> Message:
    """Stored as sender "agent" in the conversation, so the citizen's page receives it; personal
    numbers an agent types are redacted like the citizen's (transcripts never hold them raw)."""
    ticket = _held(session, ticket_id, agent, supervisor_may=False)
    if not text.strip():
        raise Invalid("text is empty; write a message of 1 to 2,000 characters")
    conversation = session.get(Conversation, ticket.conversation_id)
    assert conversation is not None
    message = add_message(
        session=session,
        conversation=conversation,
        sender="agent",
        text=redact(text),
        payload={"agent": agent.display_name, "ticket_id": ticket.id},
    )
    if ticket.first_response_at is None:
        ticket.first_response_at = utcnow()
    return message


def transfer(*, session: Session, ticket_id: int, agent: StaffUser, skill: str, lang: str | None = None, note: str | None = None) -> Ticket:
    """Back into the queue of another skill (and language): any agent of that queue may claim it."""
    if skill not in SKILLS:
        raise Invalid(f"skill {skill!r} is not a queue; queues are {', '.join(SKILLS)}")
    ticket = _held(session, ticket_id, agent)
    ticket.skill, ticket.lang, ticket.transfers = skill, lang or ticket.lang, ticket.transfers + 1
    if note:
        ticket.note = note
    return _requeue(session, ticket)


def release(*, session: Session, ticket_id: int, agent: StaffUser) -> Ticket:
    """Back to the head of its queue (its age is kept), for another agent of the same skill."""
    return _requeue(session, _held(session, ticket_id, agent))


def _requeue(session: Session, ticket: Ticket) -> Ticket:
    ticket.agent_id, ticket.state = None, "queued"
    conversation = session.get(Conversation, ticket.conversation_id)
    assert conversation is not None
    conversation.state = "waiting"
    add_message(session=session, conversation=conversation, sender="system", kind="notice", text=text("requeued", ticket.lang))
    session.flush()
    _changed(session, ticket, "waiting")
    return ticket


def resolve(*, session: Session, ticket_id: int, agent: StaffUser, disposition: str, note: str | None = None) -> Ticket:
    """Close the ticket, give the conversation back to the bot and ask the citizen for a rating."""
    if disposition not in DISPOSITIONS:
        raise Invalid(f"disposition {disposition!r} is unknown; use one of {', '.join(DISPOSITIONS)}")
    ticket = _held(session, ticket_id, agent)
    return close(session=session, ticket=ticket, disposition=disposition, note=note, agent=agent)


def close(*, session: Session, ticket: Ticket, disposition: str, note: str | None = None, agent: StaffUser | None = None) -> Ticket:
    ticket.state, ticket.disposition, ticket.resolved_at = "resolved", disposition, utcnow()
    if agent is not None and ticket.agent_id is None:
        ticket.agent_id = agent.id
    if note:
        ticket.note = note
    conversation = session.get(Conversation, ticket.conversation_id)
    assert conversation is not None
    conversation.state = "bot"
    if disposition != "callback":
        add_message(
            session=session,
            conversation=conversation,
            sender="system",
            kind="satisfaction",
            text=text("resolved", ticket.lang),
            payload={"ticket_id": ticket.id},
        )
    session.flush()
    _changed(session, ticket, "bot")
    return ticket


NEGATIVE_FEEDBACK_HANDOFF = 2


def handoff_after_feedback(*, session: Session, message_id: int, domain_of: DomainOf) -> Ticket | None:
    """The second "not helpful" in one conversation hands it to a person (when the bot still has it)."""
    message = session.get(Message, message_id)
    if message is None:
        return None
    negative = session.scalar(
        select(func.count(Feedback.id))
        .join(Message, Feedback.message_id == Message.id)
        .where(Message.conversation_id == message.conversation_id, Feedback.helpful.is_(False))
    )
    if (negative or 0) < NEGATIVE_FEEDBACK_HANDOFF:
        return None
    return start_handoff(
        session=session, conversation_id=message.conversation_id, reason="negative_feedback", domain_of=domain_of, announce_to_citizen=True
    )
