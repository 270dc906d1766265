"""One citizen turn: store the message, ask Rasa (while the bot owns the chat), store the replies."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from api import logs
from api.chat.transcript import add_message, get_conversation, latest_answer, messages_after, record_feedback
from api.forms.privacy import PLACEHOLDER, transcript_text
from api.handoff.runtime import mark_resumed, tell_rasa
from api.handoff.tickets import REQUEST_HUMAN, DomainOf, handoff_after_feedback, handoff_reply, start_handoff
from api.metrics import Metrics
from api.privacy import redact
from api.rasa_client import RasaClient, RasaUnavailable
from db.handoff import Ticket
from db.models import Conversation, Message
from knowledge.language import detect_language
from knowledge.normalize import nfc

UNAVAILABLE = {
    "vi": "Xin lỗi, trợ lý đang tạm gián đoạn. Tin nhắn của bạn đã được lưu lại; bạn vui lòng thử lại sau ít phút,"
    " hoặc bấm nút bên dưới để gặp tổng đài viên.",
    "en": "Sorry, the assistant is briefly unavailable. Your message has been saved; please try again in a few minutes,"
    " or use the button below to talk to a person.",
}
PERSON_BUTTON = {"vi": "Gặp tổng đài viên", "en": "Talk to a person"}  # the chat page's own label for the same payload


def unavailable_notice(lang: str) -> dict[str, Any]:
    """Rasa cannot be reached: the notice, with the button that reaches a person without Rasa (REQUEST_HUMAN)."""
    lang = "en" if lang == "en" else "vi"
    button = {"title": PERSON_BUTTON[lang], "payload": REQUEST_HUMAN}
    return {"text": UNAVAILABLE[lang], "custom": {"kind": "notice", "buttons": [button]}, "sender": "system"}


async def take_turn(
    *,
    factory: sessionmaker[Session],
    rasa: RasaClient,
    conversation_id: str | None,
    text: str,
    lang: str | None,
    domain_of: DomainOf = lambda _code: None,
    identity: str | None = None,
    metrics: Metrics | None = None,
    subject: str | None = None,
) -> tuple[Conversation, list[Message]]:
    """Returns the conversation and the replies of this turn (the citizen's message is stored first).

    `subject` is the signed-in citizen (None: no verified session): a conversation they start or
    continue becomes theirs, readable only with their session from then on.
    """
    started = time.perf_counter()
    text = nfc(text)  # "ệ" typed as e + two combining marks is the same letter to NLU, lookups and search
    # The database work runs in worker threads: the event loop stays free for Rasa's action call
    # that this very turn causes, and for every other request.
    opened = await asyncio.to_thread(_store_message, factory, conversation_id, text, lang, subject)
    conversation_id, turn_lang = opened.conversation_id, opened.lang
    logs.bind(conversation_id=conversation_id)  # on this turn's log lines from here on, and its access line
    # Rasa sees personal numbers only where a form asked for them (its tracker lives in memory).
    rasa_text = text if opened.stored_text == PLACEHOLDER else redact(text)

    replies: list[dict[str, Any]] = []
    path = "bot" if opened.state == "bot" else "person"  # the label of helpdesk_chat_turn_seconds
    if opened.state == "bot":
        try:
            if opened.paused and not await _resume(factory, rasa, conversation_id):
                raise RasaUnavailable("the resume after the last handoff is not confirmed")
            replies = await rasa.send(conversation_id, rasa_text, {"lang": turn_lang} | ({"identity": identity} if identity else {}))
            if not replies:  # Rasa's REST channel answers a failed turn (its Redis down, an action failing) with 200 []
                raise RasaUnavailable("Rasa answered nothing")
        except RasaUnavailable:
            path = "rasa_unavailable"
            # Asking for a person works without Rasa too.
            replies = [handoff_reply(turn_lang) if text.strip() == REQUEST_HUMAN else unavailable_notice(turn_lang)]

    conversation, stored, ticket = await asyncio.to_thread(_store_replies, factory, conversation_id, replies, opened.stored_text, domain_of)
    if ticket:
        await tell_rasa(rasa, conversation_id, paused=True)
    if metrics is not None:
        metrics.chat_turn(path, time.perf_counter() - started)
    return conversation, stored


@dataclass(frozen=True)
class Opened:
    """The turn's conversation once the citizen's message is stored."""

    conversation_id: str
    state: str
    paused: bool
    lang: str
    stored_text: str


def _store_message(factory: sessionmaker[Session], conversation_id: str | None, text: str, lang: str | None, subject: str | None) -> Opened:
    with factory.begin() as session:
        if conversation_id is None:
            conversation = Conversation(lang=lang or detect_language(text), subject=subject)
            session.add(conversation)
            session.flush()
        else:
            conversation = get_conversation(session=session, conversation_id=conversation_id, subject=subject)
            conversation.subject = conversation.subject or subject  # signing in mid-chat closes it to the id alone
        # A button's payload ("/request_human") says nothing about the citizen's language.
        turn_lang = lang or (conversation.lang if text.startswith("/") else detect_language(text, default=conversation.lang))
        conversation.lang = turn_lang
        # Form answers stay out; a new conversation has no form question yet (one query fewer on its first turn).
        stored_text = text if conversation_id is None else transcript_text(session=session, conversation_id=conversation.id, text=text)
        add_message(session=session, conversation=conversation, sender="citizen", text=stored_text)
        return Opened(conversation.id, conversation.state, conversation.bot_paused, turn_lang, stored_text)


def _store_replies(
    factory: sessionmaker[Session], conversation_id: str, replies: list[dict[str, Any]], stored_text: str, domain_of: DomainOf
) -> tuple[Conversation, list[Message], Ticket | None]:
    with factory.begin() as session:
        conversation = get_conversation(session=session, conversation_id=conversation_id)
        if conversation.state != "bot":
            replies = []  # a person took the conversation during the Rasa call: the bot stays silent
        stored = [_store_reply(session, conversation, reply) for reply in replies]
        verdict = next((m for m in stored if m.kind == "feedback"), None)
        ticket = verdict and _record_typed_feedback(session, verdict, reason=stored_text, domain_of=domain_of)
        if ticket:  # the second "not helpful" handed the chat to a person: its notice is part of this turn
            stored += messages_after(session=session, conversation_id=conversation_id, after=stored[-1].id)
        handoff = None if ticket else next((m for m in stored if m.kind == "handoff"), None)
        reason = ((handoff.payload or {}).get("handoff") or {}).get("reason", "requested") if handoff else ""
        ticket = ticket or (handoff and start_handoff(session=session, conversation_id=conversation_id, reason=reason, domain_of=domain_of))
        return conversation, stored, ticket or None


async def _resume(factory: sessionmaker[Session], rasa: RasaClient, conversation_id: str) -> bool:
    """The resume after the last handoff was never confirmed, so Rasa may still ignore this chat: resume it first."""
    if not await tell_rasa(rasa, conversation_id, paused=False, retry=False):
        return False
    await asyncio.to_thread(_mark_resumed, factory, conversation_id)
    return True


def _mark_resumed(factory: sessionmaker[Session], conversation_id: str) -> None:
    with factory.begin() as session:
        mark_resumed(session, conversation_id)


def _record_typed_feedback(session: Session, verdict: Message, *, reason: str, domain_of: DomainOf) -> Ticket | None:
    """A verdict typed in the chat ("câu trả lời này không đúng") counts like the feedback buttons, on the latest answer.

    Returns the ticket when it was the conversation's second "not helpful" (as `POST …/feedback` does).
    """
    helpful = ((verdict.payload or {}).get("feedback") or {}).get("helpful")
    answer = latest_answer(session=session, conversation_id=verdict.conversation_id, before=verdict.id)
    if helpful is None or answer is None:  # neither praise nor complaint, or nothing answered yet
        return None
    _, new_complaint = record_feedback(
        session=session, conversation_id=verdict.conversation_id, message_id=answer.id, helpful=helpful, reason=reason[:500]
    )
    return handoff_after_feedback(session=session, message_id=answer.id, domain_of=domain_of) if new_complaint else None


def _store_reply(session: Session, conversation: Conversation, reply: dict[str, Any]) -> Message:
    custom = reply.get("custom") or {}
    buttons = custom.get("buttons") or reply.get("buttons") or []
    kind = custom.get("kind") or ("buttons" if buttons else "text")
    payload = {k: v for k, v in custom.items() if k not in ("kind", "text")}
    if buttons:
        payload["buttons"] = [{"title": b["title"], "payload": b["payload"]} for b in buttons]
    return add_message(
        session=session,
        conversation=conversation,
        sender=reply.get("sender", "bot"),
        text=custom.get("text") or reply.get("text") or "",
        kind=kind,
        payload=payload or None,
    )
