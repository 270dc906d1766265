"""Answers to form questions stay out of the chat transcript.

The citizen's reply to a form question is personal data by nature (names, dates, addresses
that `api.privacy.redact` cannot recognise), so the transcript keeps a placeholder; the value
itself lives only in the form's progress row.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Message

PLACEHOLDER = "[câu trả lời tờ khai]"
ASKING_KINDS = ("form_question",)


def transcript_text(*, session: Session, conversation_id: str, text: str) -> str:
    """`text`, or the placeholder when the bot's last message asked for a form field."""
    last = session.scalar(
        select(Message.kind).where(Message.conversation_id == conversation_id, Message.sender == "bot").order_by(Message.id.desc()).limit(1)
    )
    return PLACEHOLDER if last in ASKING_KINDS else text
