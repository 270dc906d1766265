"""What the figures are computed from: the rows of one period and filters, read once, as plain values.

`load` reads conversations started in the period (Vietnam dates) with their answers, feedback,
tickets, rating prompts, ratings and callbacks; forms last changed in the period; and the anonymous
daily counts `retained_stats` keeps of conversations already purged (api/retention.py), included only
when no filter is set (they carry no queue, and no domain but their procedure). No message text
leaves `load`: a citizen's Vietnamese text is reduced at once to "typed without diacritics or not".

    data = load(session=session, period=Period.of(start, end), filters=Filters(queue="residence"))
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from api.errors import DomainError
from db.base import aware, utcnow
from db.handoff import CallbackRequest, SatisfactionRating, Ticket
from db.identity import ApplicationDraft, Consent, FormProgress
from db.models import Conversation, Feedback, GuideRow, Message
from db.retention import RetainedStat
from db.staff import StaffUser
from knowledge.normalize import fold

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_DAYS = 366
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)  # beyond them a day's bounds in UTC could overflow
ABANDONED_AFTER = dt.timedelta(days=1)  # a form untouched this long is counted as abandoned


class InvalidPeriod(DomainError):
    status_code = 422


@dataclass(frozen=True)
class Period:
    """Vietnam calendar days `start` to `end`, both included."""

    start: dt.date
    end: dt.date

    @classmethod
    def of(cls, start: dt.date, end: dt.date) -> Period:
        if start < EARLIEST or end > LATEST:
            raise InvalidPeriod(f"dates run from {EARLIEST} to {LATEST}; {start} to {end} is outside them")
        if end < start:
            raise InvalidPeriod(f"the range ends ({end}) before it starts ({start}); swap the dates")
        days = (end - start).days + 1
        if days > MAX_DAYS:
            raise InvalidPeriod(f"the range is {days} days; the longest is {MAX_DAYS} (a year): choose a shorter range")
        return cls(start, end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[first instant, instant after the last) in UTC."""
        first = dt.datetime.combine(self.start, dt.time(), VN).astimezone(dt.UTC)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), VN).astimezone(dt.UTC)
        return first, after


@dataclass(frozen=True)
class Filters:
    queue: str | None = None  # a ticket skill: conversations handed to this queue, and its tickets
    domain: str | None = None  # a guide domain: conversations answered from it, and its answers

    @property
    def any(self) -> bool:
        return bool(self.queue or self.domain)


@dataclass(frozen=True)
class Conv:
    id: str
    lang: str
    at: dt.datetime
    plain: bool | None  # Vietnamese typed without any diacritics; None: not Vietnamese or nothing typed


@dataclass(frozen=True)
class Answer:
    conversation_id: str
    at: dt.datetime
    status: str
    guide_code: str | None
    guide_version: int | None
    helpful: bool | None  # the citizen's verdict, None when not rated


@dataclass(frozen=True)
class Handoff:
    id: int
    conversation_id: str
    skill: str
    lang: str
    reason: str
    agent_id: int | None
    created: dt.datetime
    claimed: dt.datetime | None
    first_response: dt.datetime | None
    resolved: dt.datetime | None
    disposition: str | None


@dataclass(frozen=True)
class Rating:
    ticket_id: int
    conversation_id: str
    rating: int


@dataclass(frozen=True)
class Form:
    form_code: str
    state: str  # completed | in_progress | abandoned
    prefilled: bool  # identity values were used
    corrected: tuple[tuple[str, str], ...]  # (field id, label) of identity-covered fields the citizen typed instead


@dataclass(frozen=True)
class Retained:
    day: dt.date
    metric: str
    procedure: str | None
    key: str
    count: int


@dataclass
class Data:
    period: Period
    filters: Filters
    now: dt.datetime
    conversations: dict[str, Conv] = field(default_factory=dict)
    answers: list[Answer] = field(default_factory=list)
    turns: list[tuple[str, dt.datetime]] = field(default_factory=list)  # (conversation id, time) of citizen messages
    tickets: list[Handoff] = field(default_factory=list)
    prompts: list[tuple[int, str]] = field(default_factory=list)  # (ticket id, conversation id) of rating prompts
    ratings: list[Rating] = field(default_factory=list)
    callbacks: list[tuple[str, str]] = field(default_factory=list)  # (conversation id, state)
    forms: list[Form] = field(default_factory=list)
    retained: list[Retained] = field(default_factory=list)
    guides: dict[str, tuple[str, str]] = field(default_factory=dict)  # code → (title, domain)
    agents: dict[int, tuple[str, int]] = field(default_factory=dict)  # staff id → (display name, capacity)


def typed_without_diacritics(text: str) -> bool | None:
    """True when the text has letters and none carries a diacritic (đ included); None without letters."""
    if not any(ch.isalpha() for ch in text):
        return None
    return fold(text) == text.lower()


def load(*, session: Session, period: Period, filters: Filters, now: dt.datetime | None = None) -> Data:
    """The period's rows as plain values (module docstring); filters applied here, once."""
    now = now or utcnow()
    first, after = period.bounds()
    data = Data(period=period, filters=filters, now=now)
    data.guides = {code: (title, domain) for code, title, domain in session.execute(select(GuideRow.code, GuideRow.title, GuideRow.domain))}
    data.agents = {
        i: (name, capacity) for i, name, capacity in session.execute(select(StaffUser.id, StaffUser.display_name, StaffUser.capacity))
    }
    started = and_(Conversation.created_at >= first, Conversation.created_at < after)

    plain: dict[str, list[bool]] = defaultdict(list)
    convs = {
        cid: (lang, aware(at))
        for cid, lang, at in session.execute(select(Conversation.id, Conversation.lang, Conversation.created_at).where(started))
    }
    rows = select(Message.id, Message.conversation_id, Message.sender, Message.kind, Message.text, Message.payload, Message.guide_code,
                  Message.guide_version, Message.created_at).join(Conversation).where(started).order_by(Message.id)  # fmt: skip
    verdicts = dict(session.execute(select(Feedback.message_id, Feedback.helpful).join(Message).join(Conversation).where(started)).all())
    for mid, cid, sender, kind, text, payload, code, version, at in session.execute(rows):
        if sender == "citizen" and kind == "text":
            data.turns.append((cid, aware(at)))
            if convs[cid][0] == "vi" and not text.startswith("/"):  # a button's payload is not typed
                verdict = typed_without_diacritics(text)
                if verdict is not None:
                    plain[cid].append(verdict)
        elif kind == "answer":
            status = ((payload or {}).get("answer") or {}).get("status") or "unknown"
            data.answers.append(Answer(cid, aware(at), status, code, version, verdicts.get(mid)))
        elif kind == "satisfaction" and (payload or {}).get("ticket_id") is not None:
            data.prompts.append((int(payload["ticket_id"]), cid))  # type: ignore[index]
    data.conversations = {cid: Conv(cid, lang, at, all(plain[cid]) if plain.get(cid) else None) for cid, (lang, at) in convs.items()}

    for t in session.scalars(select(Ticket).join(Conversation).where(started).order_by(Ticket.id)):
        data.tickets.append(Handoff(t.id, t.conversation_id, t.skill, t.lang, t.reason, t.agent_id, aware(t.created_at), _aware_or_none(t.claimed_at),
                                    _aware_or_none(t.first_response_at), _aware_or_none(t.resolved_at), t.disposition))  # fmt: skip
    ratings = select(SatisfactionRating.ticket_id, SatisfactionRating.conversation_id, SatisfactionRating.rating).join(Conversation)
    data.ratings = [Rating(*row) for row in session.execute(ratings.where(started))]
    callbacks = select(CallbackRequest.conversation_id, CallbackRequest.state).join(Conversation).where(started)
    data.callbacks = [(cid, state) for cid, state in session.execute(callbacks)]
    data.forms = _forms(session, first, after, now)
    if not filters.any:
        stats = select(RetainedStat).where(RetainedStat.day >= period.start, RetainedStat.day <= period.end)
        data.retained = [Retained(r.day, r.metric, r.procedure, r.key, r.count) for r in session.scalars(stats)]
    return _filtered(data)


def _aware_or_none(at: dt.datetime | None) -> dt.datetime | None:
    return aware(at) if at else None


def _filtered(data: Data) -> Data:
    """Keep the conversations (and their rows) the filters select; tickets of the queue, answers of the domain."""
    keep = set(data.conversations)
    if data.filters.queue:
        data.tickets = [t for t in data.tickets if t.skill == data.filters.queue]
        keep &= {t.conversation_id for t in data.tickets}
    if data.filters.domain:
        data.answers = [a for a in data.answers if data.guides.get(a.guide_code or "", ("", ""))[1] == data.filters.domain]
        keep &= {a.conversation_id for a in data.answers}
    if not data.filters.any:
        return data
    tickets = {t.id for t in data.tickets}
    data.conversations = {cid: c for cid, c in data.conversations.items() if cid in keep}
    data.answers = [a for a in data.answers if a.conversation_id in keep]
    data.turns = [t for t in data.turns if t[0] in keep]
    data.tickets = [t for t in data.tickets if t.conversation_id in keep]
    data.prompts = [p for p in data.prompts if p[0] in tickets and p[1] in keep]
    data.ratings = [r for r in data.ratings if r.ticket_id in tickets and r.conversation_id in keep]
    data.callbacks = [c for c in data.callbacks if c[0] in keep]
    return data


def _forms(session: Session, first: dt.datetime, after: dt.datetime, now: dt.datetime) -> list[Form]:
    """Drafts made in the period (completed) and forms in progress last changed in it (abandoned after a day)."""
    consents: dict[int, list[str]] = {}
    granted: dict[tuple[str, str], list[tuple[dt.datetime, list[str]]]] = defaultdict(list)
    for c in session.scalars(select(Consent).where(Consent.granted.is_(True)).order_by(Consent.created_at)):
        consents[c.id] = list(c.fields)
        granted[(c.subject, c.form_code)].append((aware(c.created_at), list(c.fields)))
    forms: list[Form] = []
    drafts = select(ApplicationDraft).where(ApplicationDraft.created_at >= first, ApplicationDraft.created_at < after)
    for d in session.scalars(drafts):
        made = aware(d.created_at)
        covered = next((f for at, f in reversed(granted[(d.subject, d.form_code)]) if at <= made), [])
        values = {v["field"]: v for v in d.values}
        corrected = tuple((k, v.get("label") or k) for k, v in values.items() if k in covered and v.get("source") == "citizen")
        forms.append(Form(d.form_code, "completed", any(v.get("source") == "identity" for v in values.values()), corrected))
    progress = select(FormProgress).where(FormProgress.updated_at >= first, FormProgress.updated_at < after)
    for p in session.scalars(progress):
        covered = consents.get(p.consent_id or -1, [])
        corrected = tuple((k, k) for k, v in p.values.items() if k in covered and v.get("source") == "citizen")
        state = "abandoned" if now - aware(p.updated_at) >= ABANDONED_AFTER else "in_progress"
        forms.append(Form(p.form_code, state, any(v.get("source") == "identity" for v in p.values.values()), corrected))
    return forms
