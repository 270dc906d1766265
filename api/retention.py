"""Retention: what the help desk deletes, and when (docs/privacy.md lists each kind of data).

`purge` deletes, once they are older than the periods of `RetentionSettings`:

- conversations after their last activity, with their transcript, feedback, tickets (summary and
  agent note included), callback requests and satisfaction ratings; a conversation with an open
  ticket or a pending callback is kept until that work is done;
- callback requests (the phone number) once done;
- citizen sessions after their end or expiry; the identity profile a session holds is cleared as
  soon as the session has ended or expired;
- forms being filled in, and application drafts not submitted, after their last change;
- dossier status notices in the outbox (the phone number they go to) once sent, or once the
  sender has given up on them (`MAX_ATTEMPTS`), after their creation.

Before a conversation or a callback is deleted, the anonymous counts analytics needs (answers by
status per procedure, helpful rate, handoffs by reason, outcomes, waits, ratings, callbacks) are
appended to `retained_stats` in the same transaction. Consent records are kept: they name the
subject, the form and the field names, never an identity value.

Several app workers may purge at once. Each batch deletes exactly the rows it counted, its
conditions checked again by the DELETE, or its transaction (counts included) is rolled back and
the batch read again; PostgreSQL hands concurrent workers different rows (FOR UPDATE SKIP LOCKED).

    report = purge(factory=sessions, settings=RetentionSettings())  # what `python -m api purge` runs
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, CursorResult, String, and_, cast, delete, exists, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from api.dossiers.notify import MAX_ATTEMPTS as MAX_OUTBOX_ATTEMPTS
from db.base import aware, utcnow
from db.dossiers import OutboxMessage
from db.handoff import CallbackRequest, SatisfactionRating, Ticket
from db.identity import ApplicationDraft, CitizenSession, FormProgress
from db.models import Conversation, Feedback, Message
from db.retention import RetainedStat
from db.session import session_scope

log = logging.getLogger("helpdesk.retention")
MAX_RACES = 5  # batches in a row lost to another worker before giving up until the next run


class RetentionSettings(BaseModel):
    """The `retention` section of `api.settings.Settings` (variables ``HELPDESK_RETENTION__<NAME>``)."""

    scheduled: bool = Field(default=True, description="each app process purges at start and then every `every_hours`")
    every_hours: float = Field(default=24.0, gt=0)
    conversation_days: int = Field(default=90, ge=1, description="conversations, transcripts, tickets, ratings: after the last activity")
    callback_days: int = Field(default=30, ge=1, description="callback requests (phone numbers): after they are done")
    session_days: int = Field(default=30, ge=1, description="citizen sessions: after their end or expiry (the profile goes at once)")
    draft_days: int = Field(default=30, ge=1, description="forms being filled in and unsubmitted drafts: after the last change")
    outbox_days: int = Field(
        default=30, ge=1, description="dossier notices in the outbox (phone numbers): sent or given up, after creation"
    )
    batch_size: int = Field(default=500, ge=1, description="rows deleted per transaction")


@dataclass
class PurgeReport:
    conversations: int = 0
    callbacks: int = 0
    profiles_cleared: int = 0
    sessions: int = 0
    form_progress: int = 0
    drafts: int = 0
    outbox_messages: int = 0

    def __str__(self) -> str:
        return ", ".join(f"{getattr(self, f.name)} {f.name.replace('_', ' ')}" for f in fields(self))


class Raced(Exception):
    """Another worker deleted some of this batch's rows first: roll back and read the batch again."""


def purge(*, factory: sessionmaker[Session], settings: RetentionSettings, now: dt.datetime | None = None) -> PurgeReport:
    """Delete what is past its period (module docstring); safe to run again and from several workers."""
    now = now or utcnow()

    def before(days: int) -> dt.datetime:
        return now - dt.timedelta(days=days)

    report = PurgeReport()
    with session_scope(factory) as session:
        report.profiles_cleared = clear_ended_profiles(session=session, now=now)
        report.sessions = delete_sessions(session=session, before=before(settings.session_days))
        report.form_progress, report.drafts = delete_drafts(session=session, before=before(settings.draft_days))
        report.outbox_messages = delete_outbox(session=session, before=before(settings.outbox_days))
    limit = settings.batch_size
    report.callbacks = _in_batches(factory, limit, lambda s: purge_callbacks(session=s, before=before(settings.callback_days), limit=limit))
    report.conversations = _in_batches(
        factory, limit, lambda s: purge_conversations(session=s, before=before(settings.conversation_days), limit=limit)
    )
    return report


def _in_batches(factory: sessionmaker[Session], limit: int, batch: Callable[[Session], int]) -> int:
    """Run `batch` (returns the rows it deleted) in a transaction each until one deletes fewer than `limit`."""
    total, races = 0, 0
    while True:
        try:
            with session_scope(factory) as session:
                deleted = batch(session)
        except Raced as exc:
            races += 1
            if races >= MAX_RACES:
                log.warning("retention: %s; leaving the rest to the next run", exc)
                return total
            continue
        total, races = total + deleted, 0
        if deleted < limit:
            return total


# --- identity sessions and forms: no counts to keep ---------------------------------------------


def clear_ended_profiles(*, session: Session, now: dt.datetime) -> int:
    """Empty the identity profile of every ended or expired session; returns how many were cleared."""
    ended = or_(CitizenSession.ended_at.is_not(None), CitizenSession.expires_at <= now)
    return _rows_changed(session, update(CitizenSession).where(ended, cast(CitizenSession.profile, String) != "{}").values(profile={}))


def delete_sessions(*, session: Session, before: dt.datetime) -> int:
    ended = or_(CitizenSession.ended_at < before, CitizenSession.expires_at < before)
    return _rows_changed(session, delete(CitizenSession).where(ended))


def delete_drafts(*, session: Session, before: dt.datetime) -> tuple[int, int]:
    """Forms left unfinished, and drafts never submitted (a draft is not changed after it is made)."""
    progress = _rows_changed(session, delete(FormProgress).where(FormProgress.updated_at < before))
    drafts = _rows_changed(
        session, delete(ApplicationDraft).where(ApplicationDraft.status != "submitted", ApplicationDraft.created_at < before)
    )
    return progress, drafts


def delete_outbox(*, session: Session, before: dt.datetime) -> int:
    """Status notices created before `before` that are done with: sent, or given up after MAX_ATTEMPTS. A notice
    still waiting to be sent stays, however old (the sender may be down)."""
    done = or_(OutboxMessage.sent_at.is_not(None), OutboxMessage.attempts >= MAX_OUTBOX_ATTEMPTS)
    return _rows_changed(session, delete(OutboxMessage).where(done, OutboxMessage.created_at < before))


def _rows_changed(session: Session, statement: Any) -> int:
    """Rows changed by an UPDATE or DELETE (the ORM session is not synchronised: nothing it holds is reused)."""
    result: CursorResult[Any] = session.execute(statement.execution_options(synchronize_session=False))  # type: ignore[assignment]
    return result.rowcount


# --- callbacks and conversations: counted, then deleted ---------------------------------------


class Counts:
    """Anonymous daily counts, added up in memory and appended to `retained_stats` as one row each."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[dt.date, str, str | None, str]] = Counter()
        self._totals: defaultdict[tuple[dt.date, str, str | None, str], float] = defaultdict(float)

    def add(self, at: dt.datetime, metric: str, key: str | None, *, procedure: str | None = None, total: float = 0.0) -> None:
        row = (at.date(), metric, procedure, (key or "")[:64])
        self._counts[row] += 1
        self._totals[row] += total

    def rows(self) -> list[RetainedStat]:
        return [
            RetainedStat(
                day=day, metric=metric, procedure=procedure, key=key, count=count, total=self._totals[(day, metric, procedure, key)]
            )
            for (day, metric, procedure, key), count in sorted(self._counts.items(), key=lambda item: tuple(map(str, item[0])))
        ]


def purge_callbacks(*, session: Session, before: dt.datetime, limit: int) -> int:
    """Up to `limit` callback requests done before `before`: counted by outcome, then deleted."""
    done = and_(CallbackRequest.state != "pending", CallbackRequest.handled_at < before)
    query = select(CallbackRequest).where(done).order_by(CallbackRequest.id).limit(limit).with_for_update(skip_locked=True)
    callbacks = list(session.scalars(query))
    counts = Counts()
    for callback in callbacks:
        _count_callback(counts, callback)
    _delete_exactly(session, CallbackRequest, [c.id for c in callbacks], done, counts)
    return len(callbacks)


def quiet_since(before: dt.datetime) -> ColumnElement[bool]:
    """A conversation with no activity at or after `before`, and no ticket or callback still open."""
    conversation = Conversation.id
    recent_feedback = select(Feedback.id).join(Message, Feedback.message_id == Message.id)
    return and_(
        Conversation.created_at < before,
        Conversation.updated_at < before,
        ~exists().where(Message.conversation_id == conversation, Message.created_at >= before),
        ~exists(recent_feedback.where(Message.conversation_id == conversation, Feedback.created_at >= before)),
        ~exists().where(
            Ticket.conversation_id == conversation,
            or_(Ticket.state != "resolved", Ticket.created_at >= before, Ticket.resolved_at >= before),
        ),
        ~exists().where(
            CallbackRequest.conversation_id == conversation,
            or_(CallbackRequest.state == "pending", CallbackRequest.created_at >= before, CallbackRequest.handled_at >= before),
        ),
        ~exists().where(SatisfactionRating.conversation_id == conversation, SatisfactionRating.created_at >= before),
    )


def old_conversations(*, session: Session, before: dt.datetime, limit: int) -> list[Conversation]:
    query = select(Conversation).where(quiet_since(before)).order_by(Conversation.id).limit(limit)
    return list(session.scalars(query.with_for_update(skip_locked=True, of=Conversation)))


def purge_conversations(*, session: Session, before: dt.datetime, limit: int) -> int:
    """Up to `limit` conversations quiet since `before`: counted, then deleted with everything they hold."""
    conversations = old_conversations(session=session, before=before, limit=limit)
    delete_conversations(session=session, conversations=conversations, before=before)
    return len(conversations)


def delete_conversations(*, session: Session, conversations: Sequence[Conversation], before: dt.datetime) -> None:
    """Count what analytics needs of these conversations, then delete them (the database cascades to
    messages, feedback, tickets, callbacks and ratings); `Raced` if any is gone or active again."""
    ids = [c.id for c in conversations]
    if not ids:
        return
    counts = Counts()
    for conversation in conversations:
        counts.add(conversation.created_at, "conversations", conversation.lang)
    answers = select(Message.created_at, Message.guide_code, Message.payload).where(
        Message.conversation_id.in_(ids), Message.kind == "answer"
    )
    for at, guide_code, payload in session.execute(answers):
        status = ((payload or {}).get("answer") or {}).get("status")
        counts.add(at, "answers", status or "unknown", procedure=guide_code)
    verdicts = select(Feedback).join(Message, Feedback.message_id == Message.id).where(Message.conversation_id.in_(ids))
    for feedback in session.scalars(verdicts):
        counts.add(feedback.created_at, "feedback", "helpful" if feedback.helpful else "not_helpful", procedure=feedback.guide_code)
    for ticket in session.scalars(select(Ticket).where(Ticket.conversation_id.in_(ids))):
        _count_ticket(counts, ticket)
    for rating in session.scalars(select(SatisfactionRating).where(SatisfactionRating.conversation_id.in_(ids))):
        counts.add(rating.created_at, "ratings", str(rating.rating))
    for callback in session.scalars(select(CallbackRequest).where(CallbackRequest.conversation_id.in_(ids))):
        _count_callback(counts, callback)
    _delete_exactly(session, Conversation, ids, quiet_since(before), counts)


def _count_ticket(counts: Counts, ticket: Ticket) -> None:
    counts.add(ticket.created_at, "handoffs", ticket.reason, procedure=ticket.guide_code)
    counts.add(ticket.created_at, "handoff_outcomes", ticket.disposition or ticket.state)
    if ticket.claimed_at is not None:
        counts.add(ticket.created_at, "wait_s", ticket.skill, total=_seconds(ticket.created_at, ticket.claimed_at))
        if ticket.resolved_at is not None:
            counts.add(ticket.created_at, "handling_s", ticket.skill, total=_seconds(ticket.claimed_at, ticket.resolved_at))


def _count_callback(counts: Counts, callback: CallbackRequest) -> None:
    counts.add(callback.created_at, "callbacks", callback.state)


def _seconds(start: dt.datetime, end: dt.datetime) -> float:
    return max((aware(end) - aware(start)).total_seconds(), 0.0)


def _delete_exactly(session: Session, model: Any, ids: list[Any], condition: ColumnElement[bool], counts: Counts) -> None:
    """Append `counts` and delete the rows `ids` that still meet `condition`: all of them, or `Raced`."""
    if not ids:
        return
    session.add_all(counts.rows())
    deleted = _rows_changed(session, delete(model).where(model.id.in_(ids), condition))
    if deleted != len(ids):
        raise Raced(f"{len(ids) - deleted} of {len(ids)} {model.__tablename__} rows were purged or used by another worker")


# --- the scheduled run inside the app --------------------------------------------------------


def run_once(*, factory: sessionmaker[Session], settings: RetentionSettings) -> PurgeReport | None:
    """One scheduled purge; a database error is logged and left to the next run (the app keeps serving)."""
    try:
        report = purge(factory=factory, settings=settings)
    except SQLAlchemyError as exc:
        log.warning("retention purge failed, next try in %s h: %s", settings.every_hours, exc)
        return None
    log.info("retention purge: %s", report)
    return report


class Schedule:
    """Purges at start and then every `every_hours`, in a worker thread; `stop` waits for a purge in progress."""

    def __init__(self, factory: sessionmaker[Session], settings: RetentionSettings) -> None:
        self.factory, self.settings = factory, settings
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="retention-purge")

    async def _run(self) -> None:
        while True:  # the first purge runs even when `stop` comes before it: stop then waits for it
            await asyncio.to_thread(run_once, factory=self.factory, settings=self.settings)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.settings.every_hours * 3600)
                return

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task


def start_schedule(factory: sessionmaker[Session], settings: RetentionSettings) -> Schedule | None:
    """The app's scheduled purge when `settings.scheduled`, else None."""
    if not settings.scheduled:
        return None
    schedule = Schedule(factory, settings)
    schedule.start()
    return schedule
