"""Conversations and their messages in the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import NotFound
from api.privacy import redact
from db.models import Conversation, Feedback, Message


def get_conversation(*, session: Session, conversation_id: str) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
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


def record_feedback(*, session: Session, message_id: int, helpful: bool, reason: str | None) -> Feedback:
    message = session.get(Message, message_id)
    if message is None or message.sender != "bot":
        raise NotFound(f"bot message {message_id} does not exist")
    feedback = Feedback(
        message_id=message.id,
        helpful=helpful,
        reason=redact(reason) if reason else None,
        guide_code=message.guide_code,
        guide_version=message.guide_version,
    )
    session.add(feedback)
    session.flush()
    return feedback
