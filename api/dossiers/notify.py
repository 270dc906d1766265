"""Status notices: a message in the citizen's conversation (pushed live by api/handoff/live.py once committed,
read by polling otherwise) and a row in the outbox that an SMS / Zalo / e-mail sender drains.

    notify(session=s, desk=desk, dossier=d, event=e)       # in the transaction that changed the state
    drain(factory=sessions, sender=DemoSender())           # the app's loop (api/dossiers/runtime.py) or a worker
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.chat.transcript import add_message
from api.dossiers.desk import DossierDesk
from api.dossiers.states import CLOSED, READY, RECEIVED, RETURNED, SUPPLEMENT, label
from db.base import utcnow
from db.dossiers import Dossier, DossierEvent, OutboxMessage
from db.models import Conversation

log = logging.getLogger("helpdesk.dossiers")
MAX_ATTEMPTS = 5

TEXTS = {
    "vi": {
        RECEIVED: "Hồ sơ {code} ({title}) đã được tiếp nhận. Ngày hẹn trả kết quả dự kiến: {expected}.",
        SUPPLEMENT: "Hồ sơ {code} cần bổ sung. Lý do: {reason} Giấy tờ cần bổ sung: {documents}.",
        READY: "Hồ sơ {code} đã có kết quả. {collect}",
        "other": "Hồ sơ {code}: {state}.",
        "supplement_button": "Bổ sung hồ sơ",
    },
    "en": {
        RECEIVED: "Dossier {code} ({title}) has been received. Expected result date: {expected}.",
        SUPPLEMENT: "Dossier {code} needs a supplement. Reason: {reason} Documents needed: {documents}.",
        READY: "Dossier {code}: the result is ready. {collect}",
        "other": "Dossier {code}: {state}.",
        "supplement_button": "Supplement the dossier",
    },
}


def _lang(lang: str) -> str:
    return lang if lang in TEXTS else "vi"


def notice_text(*, desk: DossierDesk, dossier: Dossier, event: DossierEvent, lang: str) -> str:
    lang = _lang(lang)
    texts, details = TEXTS[lang], event.details or {}
    procedure = desk.procedure(dossier.form_code)
    template = desk.templates.get(dossier.form_code)
    values = {
        "code": dossier.code,
        "title": template.title_in(lang) if template else dossier.form_code,
        "state": label(event.state, lang),
        "expected": dossier.expected_on.strftime("%d/%m/%Y") if lang == "vi" else dossier.expected_on.isoformat(),
        "reason": _localised(details.get("reason"), lang).rstrip(".") + ".",
        "documents": "; ".join(_localised(d, lang) for d in details.get("documents", [])) or "—",
        "collect": _localised(procedure.collect, lang),
    }
    return texts.get(event.state, texts["other"]).format(**values)


def _localised(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("vi") or "")
    return str(value or "")


def target_conversation(session: Session, dossier: Dossier) -> Conversation | None:
    """Where the citizen will see it: the conversation they submitted from, else their latest one."""
    if dossier.conversation_id:
        conversation = session.get(Conversation, dossier.conversation_id)
        if conversation is not None:
            return conversation
    if dossier.subject is None:
        return None
    query = select(Conversation).where(Conversation.subject == dossier.subject).order_by(Conversation.updated_at.desc()).limit(1)
    return session.scalars(query).first()


def notify(*, session: Session, desk: DossierDesk, dossier: Dossier, event: DossierEvent) -> None:
    """The notice of `event` in the citizen's conversation (kind `dossier`) and in the outbox (SMS to the dossier's phone)."""
    # The citizen who just submitted has the code in front of them (the API's answer, the chat's reply): the
    # receipt goes to the outbox only.
    conversation = None if event.state == RECEIVED else target_conversation(session, dossier)
    if conversation is not None:
        lang = _lang(conversation.lang)
        buttons = []
        if event.state == SUPPLEMENT:  # the page opens the supplement card, prefilled from the dossier (api/static/chat.js)
            buttons = [{"title": TEXTS[lang]["supplement_button"], "payload": f"dossier-supplement:{dossier.code}"}]
        payload: dict[str, Any] = {"dossier": {"code": dossier.code, "state": event.state}, "buttons": buttons}
        text = notice_text(desk=desk, dossier=dossier, event=event, lang=lang)
        add_message(session=session, conversation=conversation, sender="system", kind="dossier", text=text, payload=payload)
    if event.state in (RECEIVED, SUPPLEMENT, READY, RETURNED, CLOSED):
        text = notice_text(desk=desk, dossier=dossier, event=event, lang=dossier.lang)
        session.add(OutboxMessage(dossier_id=dossier.id, channel="sms", recipient=dossier.phone, text=text))
    session.flush()


class Sender(Protocol):
    def send(self, message: OutboxMessage) -> str:
        """Deliver one notice; returns the provider's reference. Raises on failure (the row is retried)."""
        ...


class DemoSender:
    """Development: nothing leaves the machine; the delivery is written into the outbox row itself."""

    def send(self, message: OutboxMessage) -> str:
        return f"demo:{message.channel}:{message.recipient[-3:]}"


def drain(*, factory: sessionmaker[Session], sender: Sender, limit: int = 100) -> int:
    """Send what waits in the outbox, oldest first; returns how many were sent. A failed send is counted in
    `attempts` and retried at the next drain, up to MAX_ATTEMPTS."""
    sent = 0
    with factory.begin() as session:
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        for message in session.scalars(query):
            message.attempts += 1
            try:
                message.delivery = sender.send(message)[:200]
            except Exception as exc:  # any provider failure: recorded, retried later
                message.delivery = f"failed: {type(exc).__name__}: {exc}"[:200]
                log.warning("outbox %s not sent: %s", message.id, type(exc).__name__)
                continue
            message.sent_at = utcnow()
            sent += 1
    return sent
