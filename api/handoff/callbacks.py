"""Callback requests (phone, preferred time, consent) and the list agents work through."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.chat.transcript import add_message, get_conversation
from api.errors import NotFound
from api.handoff.errors import ConsentRequired, Invalid, SkillMissing, TicketClosed
from api.handoff.tickets import close, open_ticket_of
from api.phones import national, parse_vn_phone
from api.privacy import redact
from db.base import utcnow
from db.handoff import CallbackRequest
from db.staff import StaffUser

OUTCOMES = ("reached", "no_answer")
CONFIRM = {
    "vi": "Đã ghi nhận yêu cầu gọi lại. Tổng đài viên sẽ gọi cho bạn vào thời gian bạn chọn. Trợ lý ảo tiếp tục hỗ trợ bạn.",
    "en": "Your callback request is recorded. An agent will call you at the time you chose. The virtual assistant is back meanwhile.",
}


def normalize_phone(phone: str) -> str:
    """'091 234 5678' → '0912345678'; a Vietnamese mobile or landline number, else `Invalid`."""
    e164 = parse_vn_phone(phone)
    if e164 is None:
        raise Invalid(
            f"{phone!r} is not a Vietnamese phone number; write a mobile as 10 digits starting with 0 (e.g. 0912345678) "
            "or a landline with its area code (e.g. 024 3825 1234)"
        )
    return national(e164)


def request_callback(*, session: Session, conversation_id: str, phone: str, preferred_time: str, consent: bool) -> CallbackRequest:
    """Store the request; an open ticket of the conversation is closed with disposition "callback"."""
    if not consent:
        raise ConsentRequired("a callback needs your consent to store your phone number and call you; tick the consent box")
    conversation = get_conversation(session=session, conversation_id=conversation_id)
    number = normalize_phone(phone)
    ticket = open_ticket_of(session=session, conversation_id=conversation.id)
    if ticket is not None and ticket.state == "assigned":
        raise TicketClosed(f"an agent is already chatting with you in ticket {ticket.id}; ask them directly")
    callback = CallbackRequest(
        conversation_id=conversation.id,
        ticket_id=ticket.id if ticket else None,
        phone=number,
        preferred_time=preferred_time.strip()[:100] or "any time",
        lang=conversation.lang,
        skill=ticket.skill if ticket else "general",
        consent_at=utcnow(),
    )
    session.add(callback)
    if ticket is not None:
        close(session=session, ticket=ticket, disposition="callback")
    add_message(
        session=session,
        conversation=conversation,
        sender="system",
        kind="notice",
        text=CONFIRM["en" if conversation.lang == "en" else "vi"],
    )
    session.flush()
    return callback


def pending_callbacks(*, session: Session, agent: StaffUser) -> list[CallbackRequest]:
    """Oldest first; an agent sees the callbacks of their skills (a supervisor sees all)."""
    query = select(CallbackRequest).where(CallbackRequest.state == "pending").order_by(CallbackRequest.created_at, CallbackRequest.id)
    if not agent.has_role("supervisor"):
        query = query.where(CallbackRequest.skill.in_(agent.skills or []))
    return list(session.scalars(query))


def complete_callback(*, session: Session, callback_id: int, agent: StaffUser, outcome: str, note: str | None) -> CallbackRequest:
    if outcome not in OUTCOMES:
        raise Invalid(f"outcome {outcome!r} is unknown; use one of {', '.join(OUTCOMES)}")
    callback = session.get(CallbackRequest, callback_id)
    if callback is None:
        raise NotFound(f"callback request {callback_id} does not exist")
    if not agent.has_role("supervisor") and callback.skill not in (agent.skills or []):
        raise SkillMissing(f"callback request {callback_id} is for the {callback.skill} queue, which you do not serve")
    if callback.state != "pending":
        raise TicketClosed(f"callback request {callback_id} is already done ({callback.state})")
    callback.state, callback.handled_by, callback.handled_at = outcome, agent.id, utcnow()
    callback.note = redact(note) if note else None
    session.flush()
    return callback
