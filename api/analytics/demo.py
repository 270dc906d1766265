"""A few weeks of synthetic history for the dashboard (`python -m api seed-demo`, development mode only).

Deterministic (one seeded random generator) and idempotent: every conversation has a fixed id
starting with ``demohist``, and nothing is added when the first one exists. No text is personal:
citizens' messages are a handful of stock questions, phone numbers are the 0900000xxx demo range.

    added = seed_history(session=session, guides_dir=ROOT / "data" / "guides", now=utcnow())
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.analytics.data import VN
from api.handoff.skills import skill_for_domain
from db.handoff import CallbackRequest, SatisfactionRating, Ticket
from db.identity import ApplicationDraft, Consent, FormProgress
from db.models import Conversation, Feedback, Message
from db.staff import StaffUser

PREFIX = "demohist"
DAYS = 28
SEED = 15
QUESTIONS = {
    ("vi", False): [
        "Đăng ký thường trú cần giấy tờ gì?",
        "Làm căn cước ở đâu?",
        "Lệ phí đăng ký khai sinh bao nhiêu?",
        "Thủ tục tạm trú thế nào?",
    ],
    ("vi", True): ["dang ky thuong tru can giay to gi", "lam can cuoc o dau", "le phi khai sinh bao nhieu", "thu tuc tam tru the nao"],
    ("en", False): ["How do I register permanent residence?", "Where do I get an ID card?", "What does a birth certificate cost?"],
}
REASONS = ("requested", "requested", "repeated_failure", "negative_feedback", "complaint", "urgent")
CT01_IDENTITY = ["ho_ten", "ngay_sinh", "gioi_tinh", "so_dinh_danh", "dien_thoai", "email"]


def _guides(guides_dir: Path) -> list[tuple[str, int, str]]:
    """(code, version, queue) of the curated guides; version 1 (the seed's) unless the file says otherwise."""
    out = []
    for path in sorted(guides_dir.glob("*.yaml"))[:12]:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if data.get("code"):
            out.append((str(data["code"]), int(data.get("version") or 1), skill_for_domain(data.get("domain"))))
    return out or [("1.004222", 1, "residence")]


def seed_history(*, session: Session, guides_dir: Path, now: dt.datetime, days: int = DAYS) -> int:
    """Add `days` days of conversations, answers, feedback, tickets, ratings, callbacks and forms before `now`; 0 when present."""
    if session.get(Conversation, f"{PREFIX}{0:024d}") is not None:
        return 0
    rng = random.Random(SEED)
    guides = _guides(guides_dir)
    agents = list(session.scalars(select(StaffUser).where(StaffUser.username.in_(["agent1", "agent2", "supervisor"]))))
    today = now.astimezone(VN).date()
    n = 0
    for back in range(days, 0, -1):
        day = today - dt.timedelta(days=back)
        weekday = day.weekday() < 5
        for _ in range(rng.randint(14, 24) if weekday else rng.randint(4, 9)):
            hour = rng.choices(range(24), weights=[1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 13, 10, 7, 9, 12, 13, 11, 8, 6, 5, 4, 3, 2, 1])[0]
            at = dt.datetime.combine(day, dt.time(hour, rng.randrange(60)), VN).astimezone(dt.UTC)
            _conversation(session, rng, f"{PREFIX}{n:024d}", at, guides, agents, n)
            n += 1
    _forms(session, rng, today, now)
    session.flush()
    return n


def _conversation(session: Session, rng: random.Random, cid: str, at: dt.datetime, guides: list[tuple[str, int, str]],
                  agents: list[StaffUser], n: int) -> None:  # fmt: skip
    lang = "en" if rng.random() < 0.15 else "vi"
    plain = lang == "vi" and rng.random() < 0.3
    conv = Conversation(id=cid, lang=lang, created_at=at, updated_at=at)
    session.add(conv)
    session.flush()  # the rows below name it; no relationship orders their inserts after it
    code, version, skill = rng.choice(guides)
    unanswerable = 0
    for turn in range(rng.choice([1, 1, 2, 3])):
        when = at + dt.timedelta(minutes=2 * turn)
        session.add(Message(conversation_id=cid, sender="citizen", kind="text", text=rng.choice(QUESTIONS[(lang, plain)]), created_at=when))
        status = rng.choices(["answered", "clarify", "unanswerable"], weights=[70, 12, 18 + (10 if plain else 0)])[0]
        unanswerable += status == "unanswerable"
        cited = status != "unanswerable"
        answer = Message(conversation_id=cid, sender="bot", kind="answer", text="(câu trả lời mẫu)", payload={"answer": {"status": status}},
                         guide_code=code if cited else None, guide_version=version if cited else None,
                         created_at=when + dt.timedelta(seconds=3))  # fmt: skip
        session.add(answer)
        if cited and rng.random() < 0.45:
            session.flush()
            helpful = rng.random() < (0.72 if not plain else 0.6)
            session.add(Feedback(message_id=answer.id, helpful=helpful, guide_code=code, guide_version=version, created_at=when))
    if rng.random() < (0.35 if unanswerable else 0.12):
        _ticket(
            session,
            rng,
            conv,
            at + dt.timedelta(minutes=6),
            code,
            skill,
            agents,
            "repeated_failure" if unanswerable > 1 else rng.choice(REASONS),
        )


def _ticket(
    session: Session, rng: random.Random, conv: Conversation, at: dt.datetime, code: str, skill: str, agents: list[StaffUser], reason: str
) -> None:
    ticket = Ticket(conversation_id=conv.id, lang=conv.lang, skill=skill, reason=reason, created_at=at, state="resolved", guide_code=code)
    fate = rng.random()
    if fate < 0.1 or not agents:  # left while waiting
        ticket.disposition, ticket.resolved_at = "no_response", at + dt.timedelta(minutes=rng.randint(3, 15))
        session.add(ticket)
        return
    if fate < 0.2:  # turned into a callback
        ticket.disposition, ticket.resolved_at = "callback", at + dt.timedelta(minutes=2)
        session.add(ticket)
        session.flush()
        state = rng.choices(["reached", "no_answer", "pending"], weights=[7, 2, 1])[0]
        session.add(CallbackRequest(conversation_id=conv.id, ticket_id=ticket.id, phone=f"0900000{rng.randrange(1000):03d}", preferred_time="sáng",
                                    lang=conv.lang, skill=skill, consent_at=at, state=state, created_at=at,
                                    handled_at=None if state == "pending" else at + dt.timedelta(hours=3)))  # fmt: skip
        return
    agent = rng.choice(agents)
    wait = rng.lognormvariate(3.6, 0.7)  # median ≈ 37 s
    ticket.agent_id, ticket.disposition = agent.id, rng.choice(["answered", "answered", "answered", "referred", "other"])
    ticket.claimed_at = at + dt.timedelta(seconds=wait)
    ticket.first_response_at = ticket.claimed_at + dt.timedelta(seconds=rng.randint(5, 40))
    ticket.resolved_at = ticket.claimed_at + dt.timedelta(minutes=rng.randint(3, 25))
    session.add(ticket)
    session.flush()
    session.add(Message(conversation_id=conv.id, sender="system", kind="satisfaction", text="Bạn đánh giá cuộc hỗ trợ này thế nào (1–5)?",
                        payload={"ticket_id": ticket.id}, created_at=ticket.resolved_at))  # fmt: skip
    if rng.random() < 0.6:
        rating = rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 2, 5, 6])[0]
        session.add(SatisfactionRating(ticket_id=ticket.id, conversation_id=conv.id, rating=rating, created_at=ticket.resolved_at))


def _forms(session: Session, rng: random.Random, today: dt.date, now: dt.datetime) -> None:
    """CT01 forms by synthetic subjects: most confirmed, some left; a few identity fields typed again."""
    for i in range(40):
        subject = f"{PREFIX}-subject-{i:03d}"
        at = dt.datetime.combine(today - dt.timedelta(days=rng.randint(1, 27)), dt.time(rng.randint(8, 20)), VN).astimezone(dt.UTC)
        consent = rng.random() < 0.8
        fields = CT01_IDENTITY if consent else []
        if consent:
            session.add(Consent(subject=subject, form_code="CT01", fields=fields, granted=True, created_at=at))
            session.flush()
        corrected = {f for f in fields if rng.random() < 0.08} | ({"dien_thoai"} if consent and rng.random() < 0.2 else set())
        source = {f: "citizen" if f in corrected or not consent else "identity" for f in CT01_IDENTITY}
        if rng.random() < 0.7:
            values = [{"field": f, "label": f, "value": "…", "source": source[f]} for f in CT01_IDENTITY]
            session.add(ApplicationDraft(subject=subject, form_code="CT01", values=values, created_at=at + dt.timedelta(minutes=8)))
        else:
            consent_id = session.scalars(select(Consent.id).where(Consent.subject == subject)).first() if consent else None
            values_map = {f: {"value": "…", "source": source[f]} for f in CT01_IDENTITY[: rng.randint(1, 5)]}
            session.add(FormProgress(subject=subject, form_code="CT01", stage="filling", consent_id=consent_id, values=values_map,
                                     updated_at=min(at, now)))  # fmt: skip
