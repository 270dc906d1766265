"""The citizen chat contract: `POST /api/chat/messages` and friends."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, status
from fastapi.concurrency import run_in_threadpool

from api.chat.transcript import get_conversation, messages_after, record_feedback
from api.chat.turns import take_turn
from api.deps import FactoryDep, MetricsDep, RasaDep, SessionDep
from api.errors import DomainError
from api.handoff.runtime import DomainOfDep, tell_rasa
from api.handoff.tickets import handoff_after_feedback
from api.identity.session import ChatCitizen, ChatIdentity, OwnConversation
from api.limits.deps import limit_chat, rate_limit
from api.schemas import ChatMessageIn, ChatTurnOut, FeedbackIn, MessageOut, RowId
from db.handoff import Ticket
from db.models import Message

router = APIRouter(prefix="/api/chat", tags=["chat"])


class BadCursor(DomainError):
    status_code = 422


@router.post("/messages", response_model=ChatTurnOut, dependencies=[Depends(limit_chat)])
async def post_message(
    body: ChatMessageIn,
    factory: FactoryDep,
    rasa: RasaDep,
    domain_of: DomainOfDep,
    identity: ChatIdentity,
    citizen: ChatCitizen,
    metrics: MetricsDep,
) -> ChatTurnOut:
    """Send the citizen's message; returns the replies of this turn.

    The message and every reply are stored before the response returns. While a
    person owns the conversation (state `waiting` or `agent`) no bot replies. A conversation started
    or continued while signed in is the citizen's: 404 without their session.
    """
    conversation, replies = await take_turn(
        factory=factory,
        rasa=rasa,
        conversation_id=body.conversation_id,
        text=body.text,
        lang=body.lang,
        domain_of=domain_of,
        identity=identity,
        metrics=metrics,
        subject=citizen.subject if citizen else None,
    )
    return ChatTurnOut(conversation_id=conversation.id, state=conversation.state, messages=[to_out(m) for m in replies])


@router.get("/{conversation_id}/messages", response_model=ChatTurnOut)
def list_messages(
    conversation_id: OwnConversation, session: SessionDep, after: str | None = Query(default=None, description="a message id")
) -> ChatTurnOut:
    """Messages after the given one (all of them without `after`): how agent replies reach the page.
    404 for another citizen's conversation."""
    conversation = get_conversation(session=session, conversation_id=conversation_id)
    if after is not None and not after.isdigit():
        raise BadCursor(f"after={after!r} is not a message id")
    messages = messages_after(session=session, conversation_id=conversation.id, after=int(after) if after else None)
    return ChatTurnOut(conversation_id=conversation.id, state=conversation.state, messages=[to_out(m) for m in messages])


@router.post(
    "/{conversation_id}/messages/{message_id}/feedback",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(rate_limit("feedback_per_address"))],
)
async def post_feedback(
    conversation_id: OwnConversation, message_id: RowId, body: FeedbackIn, factory: FactoryDep, rasa: RasaDep, domain_of: DomainOfDep
) -> dict[str, object]:
    """Helpful or not, with an optional reason, on a bot message of this conversation; stored with the
    guide version the answer cited. One verdict per message: a second one replaces the first.

    404 for a message of another conversation, and for another citizen's conversation. The second
    answer of a conversation found "not helpful" hands it to a person (`handoff: true`).
    """

    def store() -> tuple[dict[str, object], Ticket | None]:
        with factory.begin() as session:
            feedback, new_complaint = record_feedback(
                session=session, conversation_id=conversation_id, message_id=message_id, helpful=body.helpful, reason=body.reason
            )
            ticket = handoff_after_feedback(session=session, message_id=message_id, domain_of=domain_of) if new_complaint else None
            verdict = {"id": feedback.id, "guide_code": feedback.guide_code, "guide_version": feedback.guide_version}
            return {**verdict, "handoff": ticket is not None}, ticket

    out, ticket = await run_in_threadpool(store)  # the event loop stays free for other chats
    if ticket is not None:
        await tell_rasa(rasa, ticket.conversation_id, paused=True)
    return out


def to_out(message: Message) -> MessageOut:
    payload = message.payload or {}
    return MessageOut.model_validate(
        {
            "id": str(message.id),
            "sender": message.sender,
            "kind": message.kind,
            "text": message.text,
            "created_at": message.created_at.isoformat(),
            "buttons": payload.get("buttons") or [],
            "answer": payload.get("answer"),
        }
    )
