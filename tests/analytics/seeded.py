"""A week of conversations whose figures are known by construction (tests/analytics, the API test).

Period: Monday 2025-03-03 to Sunday 2025-03-09 (Vietnam dates); "now" is 2025-03-20.

- 6 Vietnamese conversations typed with diacritics at 09:00 VN, each answered from G1 version 3;
  verdicts: 4 helpful, 1 not helpful, 1 none; no person.
- 4 Vietnamese conversations typed without diacritics at 14:00 VN: two answered from G2 version 1,
  two unanswerable (no guide); tickets T1 (repeated failure, agent A: claimed 30 s, first reply 40 s,
  resolved after 10 min, rated 5), T2 (repeated failure, A: 90 s, 100 s, 20 min, rated 4), T3
  (requested, never claimed: abandoned) in civil_status; the fourth asked a callback (reached).
- 2 English conversations at 20:00 VN, answered from G1 version 4 (one rated helpful); T4
  (complaint, residence, agent B: 20 s, 30 s, 30 min, prompted, not rated); the other asked a callback (no answer).
- 1 conversation on 2025-03-12, outside the period.
- Forms: a CT01 draft (identity prefilled; the consented id_number typed by the citizen instead),
  and a CT01 form left since 2025-03-05 (its consented full_name typed by the citizen).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.analytics.data import Period
from db.handoff import CallbackRequest, SatisfactionRating, Ticket
from db.identity import ApplicationDraft, Consent, FormProgress
from db.models import Conversation, Feedback, GuideRow, Message
from db.staff import StaffUser

PERIOD = Period(dt.date(2025, 3, 3), dt.date(2025, 3, 9))
NOW = dt.datetime(2025, 3, 20, 3, 0, tzinfo=dt.UTC)
G1, G2 = "1.004222", "2.000001"
G1_DOMAIN, G2_DOMAIN = "Đăng ký, quản lý cư trú", "Hộ tịch"


@dataclass
class Seeded:
    agent_a: int
    agent_b: int


def utc(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=dt.UTC)


def seed(session: Session) -> Seeded:
    session.add_all(
        [
            GuideRow(code=G1, title="Đăng ký thường trú", domain=G1_DOMAIN, origin="curated", status="published", current_version=4),
            GuideRow(code=G2, title="Đăng ký khai sinh", domain=G2_DOMAIN, origin="curated", status="published", current_version=1),
        ]
    )
    a = StaffUser(username="seed-a", display_name="Agent A", password_hash="x", roles=["agent"], skills=["civil_status"], capacity=2)
    b = StaffUser(username="seed-b", display_name="Agent B", password_hash="x", roles=["agent"], skills=["residence"], capacity=3)
    session.add_all([a, b])
    session.flush()

    def conversation(at: dt.datetime, lang: str, text: str) -> Conversation:
        conv = Conversation(lang=lang, created_at=at, updated_at=at)
        session.add(conv)
        session.flush()
        session.add(Message(conversation_id=conv.id, sender="citizen", kind="text", text=text, created_at=at))
        return conv

    def answer(conv: Conversation, at: dt.datetime, status: str, code: str | None, version: int | None, helpful: bool | None) -> None:
        message = Message(conversation_id=conv.id, sender="bot", kind="answer", text="…", payload={"answer": {"status": status}},
                          guide_code=code, guide_version=version, created_at=at + dt.timedelta(seconds=2))  # fmt: skip
        session.add(message)
        session.flush()
        if helpful is not None:
            session.add(Feedback(message_id=message.id, helpful=helpful, guide_code=code, guide_version=version, created_at=at))

    def ticket(conv: Conversation, at: dt.datetime, skill: str, reason: str, agent: StaffUser | None, claim: int | None, reply: int | None,
               handled_min: int | None, rating: int | None, lang: str = "vi") -> None:  # fmt: skip
        t = Ticket(conversation_id=conv.id, lang=lang, skill=skill, reason=reason, created_at=at, state="queued")
        if agent is not None and claim is not None and reply is not None and handled_min is not None:
            t.agent_id, t.state, t.disposition = agent.id, "resolved", "answered"
            t.claimed_at = at + dt.timedelta(seconds=claim)
            t.first_response_at = at + dt.timedelta(seconds=reply)
            t.resolved_at = t.claimed_at + dt.timedelta(minutes=handled_min)
        session.add(t)
        session.flush()
        if t.resolved_at is not None:
            session.add(Message(conversation_id=conv.id, sender="system", kind="satisfaction", text="1–5?", payload={"ticket_id": t.id},
                                created_at=t.resolved_at))  # fmt: skip
        if rating is not None:
            session.add(SatisfactionRating(ticket_id=t.id, conversation_id=conv.id, rating=rating, created_at=t.resolved_at))

    def callback(conv: Conversation, at: dt.datetime, state: str) -> None:
        session.add(CallbackRequest(conversation_id=conv.id, phone="0900000000", preferred_time="", lang=conv.lang, skill="general",
                                    consent_at=at, state=state, handled_at=at + dt.timedelta(hours=1), created_at=at))  # fmt: skip

    for i, helpful in enumerate([True, True, True, True, False, None]):
        at = utc(3 + i % 5, 2)  # 09:00 VN
        answer(conversation(at, "vi", "Đăng ký thường trú cần giấy tờ gì?"), at, "answered", G1, 3, helpful)
    plain = []
    for i, status in enumerate(["answered", "answered", "unanswerable", "unanswerable"]):
        at = utc(4 + i, 7)  # 14:00 VN
        conv = conversation(at, "vi", "dang ky khai sinh cho con")
        answer(conv, at, status, G2 if status == "answered" else None, 1 if status == "answered" else None, None)
        plain.append((conv, at + dt.timedelta(minutes=1)))
    ticket(*plain[0], "civil_status", "repeated_failure", a, 30, 40, 10, 5)
    ticket(*plain[1], "civil_status", "repeated_failure", a, 90, 100, 20, 4)
    ticket(*plain[2], "civil_status", "requested", None, None, None, None, None)
    callback(*plain[3], "reached")
    english = []
    for i, helpful in enumerate([True, None]):
        at = utc(5 + i, 13)  # 20:00 VN
        conv = conversation(at, "en", "How do I register my permanent residence?")
        answer(conv, at, "answered", G1, 4, helpful)
        english.append((conv, at + dt.timedelta(minutes=1)))
    ticket(*english[0], "residence", "complaint", b, 20, 30, 30, None, lang="en")
    callback(*english[1], "no_answer")
    later = utc(12, 2)
    answer(conversation(later, "vi", "Làm căn cước ở đâu?"), later, "answered", G1, 4, True)

    session.add_all(
        [
            Consent(subject="s1", form_code="CT01", fields=["full_name", "id_number"], granted=True, created_at=utc(4, 1)),
            ApplicationDraft(
                subject="s1",
                form_code="CT01",
                created_at=utc(4, 2),
                values=[
                    {"field": "full_name", "label": "Họ, chữ đệm và tên", "value": "A", "source": "identity"},
                    {"field": "id_number", "label": "Số định danh cá nhân", "value": "0", "source": "citizen"},
                    {"field": "address", "label": "Nơi ở", "value": "B", "source": "citizen"},
                ],
            ),  # fmt: skip
            Consent(subject="s2", form_code="CT01", fields=["full_name"], granted=True, created_at=utc(5, 1)),
        ]
    )
    session.flush()
    consent_id = session.query(Consent.id).filter(Consent.subject == "s2").scalar()
    session.add(FormProgress(subject="s2", form_code="CT01", stage="filling", consent_id=consent_id, updated_at=utc(5, 2),
                             values={"full_name": {"value": "C", "source": "citizen"}}))  # fmt: skip
    session.flush()
    return Seeded(a.id, b.id)
