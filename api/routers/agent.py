"""The agent API under /api/agent: queues, tickets, claims, messages, transfer, resolve, callbacks.

Sign in with `POST /api/auth/token` (OAuth2 password form) and send `Authorization: Bearer …`.
The WebSocket `/api/agent/tickets/{id}/ws?ticket=…` pushes the conversation live and takes
`{"text": …}` frames as agent messages; its ticket comes from `POST /api/agent/tickets/{id}/ws-ticket`
(single use, 30 s), so the bearer token never travels in a URL.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response, WebSocket, WebSocketDisconnect, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import logs
from api.auth.staff import require_role
from api.deps import KnowledgeDep, RasaDep, SessionDep
from api.dossiers import service as dossier_service
from api.dossiers.desk import DeskDep
from api.errors import DomainError, Unauthorized
from api.handoff import callbacks, live, queue, sockets, tickets
from api.handoff.canned import CANNED
from api.handoff.errors import NotHolder
from api.handoff.runtime import HandoffConfigDep, mark_resumed, tell_rasa
from api.routers.agent_schemas import (
    AgentMessageIn,
    AssistOut,
    CallbackDoneIn,
    CallbackOut,
    QueueOut,
    ResolveIn,
    SocketTicketOut,
    StatusIn,
    TicketDetailOut,
    TicketOut,
    TransferIn,
)
from api.routers.chat import to_out
from api.schemas import RowId
from db.base import utcnow
from db.handoff import CallbackRequest, Ticket
from db.models import Conversation, Message
from db.staff import StaffUser

router = APIRouter(prefix="/api/agent", tags=["agent"])
AgentDep = Annotated[StaffUser, Depends(require_role("agent", "supervisor"))]
SupervisorDep = Annotated[StaffUser, Depends(require_role("supervisor"))]


def ticket_out(session: Session, ticket: Ticket) -> TicketOut:
    return TicketOut.model_validate(_ticket_fields(session, ticket))


def _ticket_fields(session: Session, ticket: Ticket) -> dict[str, Any]:
    now = utcnow()
    agent = session.get(StaffUser, ticket.agent_id) if ticket.agent_id else None
    created = queue.aware(ticket.created_at)
    until = queue.aware(ticket.claimed_at) if ticket.claimed_at else (queue.aware(ticket.resolved_at) if ticket.resolved_at else now)
    iso = lambda moment: queue.aware(moment).isoformat() if moment else None  # noqa: E731
    return {
        "id": ticket.id,
        "conversation_id": ticket.conversation_id,
        "state": ticket.state,
        "skill": ticket.skill,
        "lang": ticket.lang,
        "priority": queue.effective_priority(priority=ticket.priority, created_at=created, now=now)
        if ticket.state == "queued"
        else ticket.priority,
        "reason": ticket.reason,
        "agent": agent.username if agent else None,
        "created_at": created.isoformat(),
        "claimed_at": iso(ticket.claimed_at),
        "resolved_at": iso(ticket.resolved_at),
        "waited_s": max(round((until - created).total_seconds()), 0),
        "disposition": ticket.disposition,
        "guide_code": ticket.guide_code,
        "transfers": ticket.transfers,
        "summary": (ticket.summary or {}).get("text", ""),
    }


def ticket_detail(session: Session, ticket: Ticket) -> TicketDetailOut:
    messages = session.scalars(select(Message).where(Message.conversation_id == ticket.conversation_id).order_by(Message.id))
    return TicketDetailOut.model_validate(
        {
            **_ticket_fields(session, ticket),
            "summary_parts": ticket.summary or {},
            "messages": [to_out(m) for m in messages],
            "citizen": None,
        }
    )


# ---- me, queues -----------------------------------------------------------------------------------------


@router.get("/me")
def me(agent: AgentDep, session: SessionDep) -> dict[str, Any]:
    """The signed-in agent: skills, languages, status, capacity and current chats."""
    return {
        "id": agent.id,
        "username": agent.username,
        "display_name": agent.display_name,
        "roles": agent.roles,
        "skills": agent.skills,
        "languages": agent.languages,
        "status": agent.status,
        "capacity": agent.capacity,
        "chats": tickets.active_count(session=session, agent=agent),
    }


@router.put("/status")
def set_status(body: StatusIn, agent: AgentDep, session: SessionDep) -> dict[str, str]:
    """online (counted in wait estimates) | away | offline."""
    me = session.get(StaffUser, agent.id)
    assert me is not None
    me.status = body.status
    session.flush()
    return {"status": me.status}


@router.get("/queues", response_model=list[QueueOut])
def list_queues(agent: AgentDep, session: SessionDep, config: HandoffConfigDep) -> list[QueueOut]:
    """Every queue (skill × language) with waiting tickets or that the agent serves: counts and oldest wait."""
    rows = {(q["skill"], q["lang"]): q for q in queue.overview(session=session, config=config)["queues"]}
    for skill in agent.skills or []:
        for lang in agent.languages or []:
            rows.setdefault(
                (skill, lang), {"skill": skill, "lang": lang, "waiting": 0, "assigned": 0, "oldest_wait_s": 0, "agents_online": 0}
            )
    return [
        QueueOut(**q, mine=q["skill"] in (agent.skills or []) and q["lang"] in (agent.languages or [])) for _, q in sorted(rows.items())
    ]


# ---- tickets --------------------------------------------------------------------------------------------


@router.get("/tickets", response_model=list[TicketOut])
def list_tickets(
    agent: AgentDep,
    session: SessionDep,
    state: Literal["queued", "assigned", "resolved"] = "queued",
    skill: str | None = None,
    lang: str | None = None,
    mine: bool = Query(default=False, description="only the tickets I hold (or resolved)"),
    limit: int = Query(default=50, ge=1, le=200),
) -> list[TicketOut]:
    """Tickets of one state, queued ones in the order claim-next serves them: those of your queues and
    your own (every one for a supervisor)."""
    query = select(Ticket).where(Ticket.state == state, tickets.readable_by(agent))
    if skill:
        query = query.where(Ticket.skill == skill)
    if lang:
        query = query.where(Ticket.lang == lang)
    if mine:
        query = query.where(Ticket.agent_id == agent.id)
    if state == "resolved":
        rows = list(session.scalars(query.order_by(Ticket.resolved_at.desc()).limit(limit)))
    else:
        rows = queue.queue_order(list(session.scalars(query)), utcnow())[:limit]
    return [ticket_out(session, t) for t in rows]


@router.post("/tickets/next", response_model=TicketDetailOut, responses={204: {"description": "no ticket waits in your queues"}})
def claim_next(agent: AgentDep, session: SessionDep) -> TicketDetailOut | Response:
    """Claim the highest-priority, longest-waiting ticket of your queues (skills × languages), within your capacity."""
    ticket = tickets.claim_next(session=session, agent=agent)
    if ticket is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    return ticket_detail(session, ticket)


@router.get("/tickets/{ticket_id}", response_model=TicketDetailOut)
def get_ticket(ticket_id: RowId, agent: AgentDep, session: SessionDep) -> TicketDetailOut:
    """The ticket with its summary and the whole (redacted) conversation; 403 for a ticket of a queue
    you do not serve or held by another agent (supervisors read every ticket)."""
    return ticket_detail(session, tickets.readable(session=session, ticket_id=ticket_id, agent=agent))


@router.post("/tickets/{ticket_id}/claim", response_model=TicketDetailOut)
def claim(ticket_id: RowId, agent: AgentDep, session: SessionDep) -> TicketDetailOut:
    """409 naming the holder when another agent has it, 409 when resolved, 403 without the skill or language."""
    return ticket_detail(session, tickets.claim(session=session, ticket_id=ticket_id, agent=agent))


@router.post("/tickets/{ticket_id}/messages", status_code=status.HTTP_201_CREATED)
def send_message(ticket_id: RowId, body: AgentMessageIn, agent: AgentDep, session: SessionDep) -> dict[str, Any]:
    """Write to the citizen (stored as sender "agent"); 409 when the ticket is resolved or someone else's."""
    message = tickets.send_agent_message(session=session, ticket_id=ticket_id, agent=agent, text=body.text)
    return to_out(message).model_dump()


@router.post("/tickets/{ticket_id}/transfer", response_model=TicketOut)
def transfer(ticket_id: RowId, body: TransferIn, agent: AgentDep, session: SessionDep) -> TicketOut:
    """Put the ticket in another queue (skill, and optionally language)."""
    return ticket_out(
        session, tickets.transfer(session=session, ticket_id=ticket_id, agent=agent, skill=body.skill, lang=body.lang, note=body.note)
    )


@router.post("/tickets/{ticket_id}/release", response_model=TicketOut)
def release(ticket_id: RowId, agent: AgentDep, session: SessionDep) -> TicketOut:
    """Give the ticket back to its queue, keeping its age."""
    return ticket_out(session, tickets.release(session=session, ticket_id=ticket_id, agent=agent))


@router.post("/tickets/{ticket_id}/resolve", response_model=TicketOut)
async def resolve(ticket_id: RowId, body: ResolveIn, agent: AgentDep, session: SessionDep, rasa: RasaDep) -> TicketOut:
    """Close with a disposition: the bot answers again (Rasa resumed) and the citizen is asked for a rating."""
    ticket = tickets.resolve(session=session, ticket_id=ticket_id, agent=agent, disposition=body.disposition, note=body.note)
    if await tell_rasa(rasa, ticket.conversation_id, paused=False):
        mark_resumed(session, ticket.conversation_id)
    return ticket_out(session, ticket)


@router.get("/tickets/{ticket_id}/assist", response_model=AssistOut)
def assist(ticket_id: RowId, agent: AgentDep, session: SessionDep, knowledge: KnowledgeDep) -> AssistOut:
    """Guide snippets for the citizen's last question (agent assist, from the knowledge service); 403 as for the ticket."""
    ticket = tickets.readable(session=session, ticket_id=ticket_id, agent=agent)
    question = session.scalar(
        select(Message.text)
        .where(Message.conversation_id == ticket.conversation_id, Message.sender == "citizen", ~Message.text.startswith("/"))
        .order_by(Message.id.desc())
        .limit(1)
    )
    if not question:
        return AssistOut(question=None, suggestions=[])
    outcome = knowledge.search(question, k=3, lang=ticket.lang)
    return AssistOut(
        question=question, suggestions=[{"code": h.code, "title": h.title, "snippet": h.snippet, "url": h.url} for h in outcome.hits]
    )


@router.get("/tickets/{ticket_id}/dossiers")
def citizen_dossiers(ticket_id: RowId, agent: AgentDep, session: SessionDep, desk: DeskDep) -> list[dict[str, Any]]:
    """The dossiers of the signed-in citizen on the ticket, as the citizen sees them (code, procedure, state, history,
    supplement reason): no field values, no phone number. Empty for an anonymous chat; 403 unless you hold the
    ticket or are a supervisor."""
    ticket = tickets.holder_or_supervisor(session=session, ticket_id=ticket_id, agent=agent)
    conversation = session.get(Conversation, ticket.conversation_id)
    if conversation is None or not conversation.subject:
        return []
    return [
        dossier_service.dossier_json(d, desk, ticket.lang)
        for d in dossier_service.citizen_dossiers(session=session, subject=conversation.subject)
    ]


@router.get("/canned")
def canned(agent: AgentDep, lang: Literal["vi", "en"] = "vi") -> list[str]:
    """Ready-made replies in the citizen's language."""
    return CANNED[lang]


# ---- callbacks, supervisor ------------------------------------------------------------------------------


def callback_out(callback: CallbackRequest) -> CallbackOut:
    return CallbackOut(
        id=callback.id,
        conversation_id=callback.conversation_id,
        phone=callback.phone,
        preferred_time=callback.preferred_time,
        lang=callback.lang,
        skill=callback.skill,
        state=callback.state,
        created_at=queue.aware(callback.created_at).isoformat(),
    )


@router.get("/callbacks", response_model=list[CallbackOut])
def list_callbacks(agent: AgentDep, session: SessionDep) -> list[CallbackOut]:
    """Pending callback requests of your skills, oldest first (all of them for a supervisor)."""
    return [callback_out(c) for c in callbacks.pending_callbacks(session=session, agent=agent)]


@router.post("/callbacks/{callback_id}/complete", response_model=CallbackOut)
def complete_callback(callback_id: RowId, body: CallbackDoneIn, agent: AgentDep, session: SessionDep) -> CallbackOut:
    return callback_out(
        callbacks.complete_callback(session=session, callback_id=callback_id, agent=agent, outcome=body.outcome, note=body.note)
    )


@router.get("/supervisor/overview")
def supervisor_overview(supervisor: SupervisorDep, session: SessionDep, config: HandoffConfigDep) -> dict[str, Any]:
    """Queues (waiting, oldest wait), agents (status, chats, capacity) and the SLA (share answered within 60 s)."""
    return queue.overview(session=session, config=config)


# ---- live -----------------------------------------------------------------------------------------------


@router.post("/tickets/{ticket_id}/ws-ticket", response_model=SocketTicketOut, status_code=status.HTTP_201_CREATED)
def socket_ticket(ticket_id: RowId, agent: AgentDep, session: SessionDep) -> SocketTicketOut:
    """A single-use ticket that opens the live socket of a ticket you hold (403 otherwise), valid 30 s."""
    secret = sockets.issue(session=session, ticket_id=ticket_id, agent=agent)
    return SocketTicketOut(ticket=secret, expires_in=int(sockets.TTL.total_seconds()))


@router.websocket("/tickets/{ticket_id}/ws")
async def ticket_socket(websocket: WebSocket, ticket_id: RowId, ticket: str = "") -> None:
    """Live conversation for the agent who holds the ticket: pushes events, takes `{"text": …}` frames.

    Closes right after the handshake with 4401 (ticket missing, forged, expired, used or for
    another ticket) or 4403 (the agent no longer holds the ticket): a close before the handshake
    reaches a browser as a bare HTTP 403, without the code.
    """
    state = websocket.app.state
    try:
        with state.sessions.begin() as session:  # committed on its own: a refused socket spends its ticket too
            agent = sockets.redeem(session=session, secret=ticket, ticket_id=ticket_id)
        with state.sessions.begin() as session:
            if not agent.has_role("agent", "supervisor"):
                raise NotHolder("sign in as an agent")
            conversation_id = sockets.may_watch(session=session, ticket_id=ticket_id, agent=agent).conversation_id
    except DomainError as exc:
        await websocket.accept()
        await websocket.close(code=4401 if isinstance(exc, Unauthorized) else 4403, reason=exc.detail[:120])
        return
    logs.bind(conversation_id=conversation_id)
    await websocket.accept()
    channel = live.conversation_channel(conversation_id)
    events = state.hub.subscribe(channel)
    pump = asyncio.create_task(_pump(websocket, events))
    try:
        while True:
            frame = await websocket.receive_json()
            text = str((frame or {}).get("text") or "") if isinstance(frame, dict) else ""
            if not text:
                continue
            try:
                with state.sessions.begin() as session:
                    tickets.send_agent_message(session=session, ticket_id=ticket_id, agent=agent, text=text[:2000])
            except DomainError as exc:
                await websocket.send_json({"type": "error", "detail": exc.detail})
    except WebSocketDisconnect:
        pass
    finally:
        pump.cancel()
        state.hub.unsubscribe(channel, events)


async def _pump(websocket: WebSocket, events: asyncio.Queue[dict[str, Any]]) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await websocket.send_json(await events.get())
