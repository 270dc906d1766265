"""Conversations and their messages in the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from api.errors import NotFound
from api.privacy import redact
from db.base import utcnow
from db.models import Conversation, Feedback, Message

ANYONE = object()  # staff-side and internal reads: the caller already decided who may see the conversation


def get_conversation(*, session: Session, conversation_id: str, subject: str | None | object = ANYONE) -> Conversation:
    """The conversation as citizen `subject` may use it (None: a browser without a verified session).

    Its random id is the capability for an anonymous conversation; one a signed-in citizen started
    also needs that citizen's session. Another citizen's conversation is `NotFound`, exactly like one
    that does not exist, so an id reveals nothing.
    """
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or (subject is not ANYONE and conversation.subject not in (None, subject)):
        raise NotFound(f"conversation {conversation_id} does not exist; start a new one with conversation_id null")
    return conversation


def add_message(
    *, session: Session, conversation: Conversation, sender: str, text: str, kind: str = "text", payload: dict[str, Any] | None = None
) -> Message:
    """Store a message, redacted of personal numbers."""
    message = Message(conversation_id=conversation.id, sender=sender, kind=kind, text=redact(text), payload=payload)
    if payload:
        message.guide_code = payload.get("guide_code")
        message.guide_version = payload.get("guide_version")
    session.add(message)
    session.flush()
    return message


def messages_after(*, session: Session, conversation_id: str, after: int | None) -> list[Message]:
    query = select(Message).where(Message.conversation_id == conversation_id)
    if after is not None:
        query = query.where(Message.id > after)
    return list(session.scalars(query.order_by(Message.id)))


def latest_answer(*, session: Session, conversation_id: str, before: int) -> Message | None:
    """The bot's last knowledge answer before message `before`: what a verdict typed in the chat is about."""
    query = select(Message).where(
        Message.conversation_id == conversation_id, Message.sender == "bot", Message.kind == "answer", Message.id < before
    )
    return session.scalars(query.order_by(Message.id.desc()).limit(1)).first()


def record_feedback(*, session: Session, conversation_id: str, message_id: int, helpful: bool, reason: str | None) -> tuple[Feedback, bool]:
    """The citizen's verdict on a bot message of this conversation; a second verdict replaces the first.

    Returns the verdict and whether it is a new "not helpful" (the one that may hand the chat to a
    person): repeating a verdict counts nothing. A message of another conversation is `NotFound`.
    """
    message = session.get(Message, message_id)
    if message is None or message.sender != "bot" or message.conversation_id != conversation_id:
        raise NotFound(f"bot message {message_id} does not exist in conversation {conversation_id}")
    fields = {
        "helpful": helpful,
        "reason": redact(reason) if reason else None,
        "guide_code": message.guide_code,
        "guide_version": message.guide_version,
        "created_at": utcnow(),
    }
    previous = session.scalar(select(Feedback.helpful).where(Feedback.message_id == message.id))
    # One statement, so two verdicts racing on one message leave one row (the unique index decides).
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    session.execute(
        insert(Feedback).values(message_id=message.id, **fields).on_conflict_do_update(index_elements=[Feedback.message_id], set_=fields)
    )
    feedback = session.scalars(select(Feedback).where(Feedback.message_id == message.id).execution_options(populate_existing=True)).one()
    return feedback, not helpful and previous is not False
