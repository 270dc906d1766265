"""The citizen chat contract: `POST /api/chat/messages` and friends."""

from __future__ import annotations

from fastapi import APIRouter, Query, status

from api.chat.transcript import get_conversation, messages_after, record_feedback
from api.chat.turns import take_turn
from api.deps import FactoryDep, RasaDep, SessionDep
from api.errors import DomainError
from api.handoff.runtime import DomainOfDep, tell_rasa
from api.handoff.tickets import handoff_after_feedback
from api.identity.session import ChatIdentity
from api.schemas import ChatMessageIn, ChatTurnOut, FeedbackIn, MessageOut
from db.models import Message

router = APIRouter(prefix="/api/chat", tags=["chat"])


class BadCursor(DomainError):
    status_code = 422


@router.post("/messages", response_model=ChatTurnOut)
async def post_message(
    body: ChatMessageIn, factory: FactoryDep, rasa: RasaDep, domain_of: DomainOfDep, identity: ChatIdentity
) -> ChatTurnOut:
    """Send the citizen's message; returns the replies of this turn.

    The message and every reply are stored before the response returns. While a
    person owns the conversation (state `waiting` or `agent`) no bot replies.
    """
    conversation, replies = await take_turn(
        factory=factory,
        rasa=rasa,
        conversation_id=body.conversation_id,
        text=body.text,
        lang=body.lang,
        domain_of=domain_of,
        identity=identity,
    )
    return ChatTurnOut(conversation_id=conversation.id, state=conversation.state, messages=[to_out(m) for m in replies])


@router.get("/{conversation_id}/messages", response_model=ChatTurnOut)
def list_messages(
    conversation_id: str, session: SessionDep, after: str | None = Query(default=None, description="a message id")
) -> ChatTurnOut:
    """Messages after the given one (all of them without `after`): how agent replies reach the page."""
    conversation = get_conversation(session=session, conversation_id=conversation_id)
    if after is not None and not after.isdigit():
        raise BadCursor(f"after={after!r} is not a message id")
    messages = messages_after(session=session, conversation_id=conversation.id, after=int(after) if after else None)
    return ChatTurnOut(conversation_id=conversation.id, state=conversation.state, messages=[to_out(m) for m in messages])


@router.post("/messages/{message_id}/feedback", status_code=status.HTTP_201_CREATED)
async def post_feedback(message_id: int, body: FeedbackIn, factory: FactoryDep, rasa: RasaDep, domain_of: DomainOfDep) -> dict[str, object]:
    """Helpful or not, with an optional reason; stored with the guide version the answer cited.

    The second "not helpful" of a conversation hands it to a person (`handoff: true`).
    """
    with factory.begin() as session:
        feedback = record_feedback(session=session, message_id=message_id, helpful=body.helpful, reason=body.reason)
        ticket = None if body.helpful else handoff_after_feedback(session=session, message_id=message_id, domain_of=domain_of)
        out: dict[str, object] = {
            "id": feedback.id,
            "guide_code": feedback.guide_code,
            "guide_version": feedback.guide_version,
            "handoff": ticket is not None,
        }
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
