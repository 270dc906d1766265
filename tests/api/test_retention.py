"""api/retention.py on a seeded database (SQLite and PostgreSQL): exactly the old rows go, the
anonymous counts stay, a second run or a second worker counts nothing twice."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api import __main__ as cli
from api.app import create_app
from api.retention import Raced, RetentionSettings, Schedule, delete_conversations, old_conversations, purge, run_once
from api.settings import Settings, get_settings
from db.dossiers import Dossier, OutboxMessage
from db.handoff import CallbackRequest, SatisfactionRating, Ticket
from db.identity import ApplicationDraft, CitizenSession, Consent, FormProgress
from db.models import Conversation, Feedback, Message
from db.retention import RetainedStat
from db.session import make_engine, make_sessionmaker, session_scope
from db.staff import StaffUser
from tests.conftest import TEST_EMBEDDER

NOW = dt.datetime.now(dt.UTC)
OLD, RECENT = NOW - dt.timedelta(days=100), NOW - dt.timedelta(days=5)
DONE_LONG_AGO, DONE_LATELY = NOW - dt.timedelta(days=40), NOW - dt.timedelta(days=10)
PROFILE = {"full_name": "Nguyễn Văn An", "personal_id": "001190000011", "phone": "0900000111"}


def conversation(session: Session, cid: str, at: dt.datetime, *, lang: str = "vi") -> Conversation:
    row = Conversation(id=cid, lang=lang, created_at=at, updated_at=at)
    session.add(row)
    session.flush()
    return row


def exchange(session: Session, cid: str, at: dt.datetime, *, status: str = "answered", helpful: bool | None = None) -> Message:
    """A citizen's question and the bot's answer citing guide 1.004222, with an optional verdict on it."""
    session.add(Message(conversation_id=cid, sender="citizen", text="lệ phí thường trú? gọi [số điện thoại]", created_at=at))
    answer = Message(
        conversation_id=cid,
        sender="bot",
        kind="answer",
        text="Lệ phí ...",
        payload={"answer": {"status": status}, "guide_code": "1.004222"},
        guide_code="1.004222",
        created_at=at,
    )
    session.add(answer)
    session.flush()
    if helpful is not None:
        session.add(Feedback(message_id=answer.id, helpful=helpful, reason="sai rồi", guide_code="1.004222", created_at=at))
    return answer


def ticket(session: Session, cid: str, at: dt.datetime, *, state: str = "resolved", agent: StaffUser | None = None) -> Ticket:
    row = Ticket(
        conversation_id=cid,
        citizen_id="subject-1",
        lang="vi",
        skill="residence",
        reason="negative_feedback",
        state=state,
        agent_id=agent.id if agent else None,
        guide_code="1.004222",
        summary={"questions": ["lệ phí thường trú?"]},
        note="đã gọi lại",
        created_at=at,
        claimed_at=at + dt.timedelta(seconds=120) if state != "queued" else None,
        resolved_at=at + dt.timedelta(seconds=720) if state == "resolved" else None,
        disposition="answered" if state == "resolved" else None,
    )
    session.add(row)
    session.flush()
    return row


def callback(session: Session, cid: str, at: dt.datetime, *, handled: dt.datetime | None, ticket_id: int | None = None) -> None:
    session.add(
        CallbackRequest(
            conversation_id=cid,
            ticket_id=ticket_id,
            phone="0912345678",
            preferred_time="sáng mai",
            lang="vi",
            skill="residence",
            consent_at=at,
            state="reached" if handled else "pending",
            handled_at=handled,
            created_at=at,
        )
    )


def seed(factory: sessionmaker[Session]) -> None:
    with session_scope(factory) as session:
        agent = StaffUser(username="an", display_name="An", password_hash="x", roles=["agent"], skills=["residence"])
        session.add(agent)
        session.flush()
        # Old and quiet: everything in it goes.
        conversation(session, "old", OLD)
        exchange(session, "old", OLD, helpful=False)
        exchange(session, "old", OLD, status="unanswerable")
        old_ticket = ticket(session, "old", OLD, agent=agent)
        session.add(SatisfactionRating(ticket_id=old_ticket.id, conversation_id="old", rating=4, comment="nhanh", created_at=OLD))
        callback(session, "old", OLD, handled=OLD, ticket_id=old_ticket.id)
        conversation(session, "old_en", OLD, lang="en")
        exchange(session, "old_en", OLD, helpful=True)
        # Started long ago, but active lately, or with work still open: kept.
        conversation(session, "active", OLD)
        exchange(session, "active", RECENT)
        conversation(session, "rated_lately", OLD)
        rated = ticket(session, "rated_lately", OLD)
        session.add(SatisfactionRating(ticket_id=rated.id, conversation_id="rated_lately", rating=5, created_at=RECENT))
        conversation(session, "queued", OLD)
        ticket(session, "queued", OLD, state="queued")
        conversation(session, "waiting_callback", OLD)
        callback(session, "waiting_callback", OLD, handled=None)
        # Recent conversations; one callback done long enough ago to go, one done lately.
        conversation(session, "new", RECENT)
        exchange(session, "new", RECENT)
        conversation(session, "callbacks", NOW - dt.timedelta(days=60))
        callback(session, "callbacks", NOW - dt.timedelta(days=60), handled=DONE_LONG_AGO)
        callback(session, "callbacks", NOW - dt.timedelta(days=60), handled=DONE_LATELY)

        def sign_in(sid: str, created: dt.datetime, *, ended: dt.datetime | None = None) -> None:
            expires = created + dt.timedelta(hours=1)
            session.add(
                CitizenSession(
                    id=sid,
                    subject="subject-1",
                    issuer="demo",
                    profile=dict(PROFILE),
                    created_at=created,
                    expires_at=expires,
                    ended_at=ended,
                )
            )

        sign_in("ended_long_ago", DONE_LONG_AGO, ended=DONE_LONG_AGO)
        sign_in("expired_long_ago", DONE_LONG_AGO)
        sign_in("ended_lately", DONE_LATELY, ended=DONE_LATELY)
        sign_in("expired_lately", DONE_LATELY)
        sign_in("live", NOW)

        session.add(Consent(subject="subject-1", form_code="CT01", fields=["ho_ten"], granted=True, created_at=OLD))
        session.add(FormProgress(subject="subject-1", form_code="CT01", values={"ho_ten": {"value": "An"}}, updated_at=DONE_LONG_AGO))
        session.add(FormProgress(subject="subject-1", form_code="TK1", values={"ho_ten": {"value": "An"}}, updated_at=DONE_LATELY))
        values = [{"field": "ho_ten", "label": "Họ tên", "value": "An", "source": "identity"}]
        session.add(ApplicationDraft(id="draft_old", subject="subject-1", form_code="CT01", values=values, created_at=DONE_LONG_AGO))
        session.add(
            ApplicationDraft(
                id="submitted_old", subject="subject-1", form_code="CT01", status="submitted", values=values, created_at=DONE_LONG_AGO
            )
        )
        session.add(ApplicationDraft(id="draft_new", subject="subject-1", form_code="CT01", values=values, created_at=DONE_LATELY))


def stats(factory: sessionmaker[Session]) -> dict[tuple[str, str | None, str], tuple[int, float]]:
    """Retained counts summed over rows and days (what a dashboard reads)."""
    with factory() as session:
        query = select(
            RetainedStat.metric, RetainedStat.procedure, RetainedStat.key, func.sum(RetainedStat.count), func.sum(RetainedStat.total)
        )
        rows = session.execute(query.group_by(RetainedStat.metric, RetainedStat.procedure, RetainedStat.key))
        return {(metric, procedure, key): (int(count), float(total)) for metric, procedure, key, count, total in rows}


EXPECTED_STATS = {
    ("conversations", None, "vi"): (1, 0.0),
    ("conversations", None, "en"): (1, 0.0),
    ("answers", "1.004222", "answered"): (2, 0.0),
    ("answers", "1.004222", "unanswerable"): (1, 0.0),
    ("feedback", "1.004222", "helpful"): (1, 0.0),
    ("feedback", "1.004222", "not_helpful"): (1, 0.0),
    ("handoffs", "1.004222", "negative_feedback"): (1, 0.0),
    ("handoff_outcomes", None, "answered"): (1, 0.0),
    ("wait_s", None, "residence"): (1, 120.0),
    ("handling_s", None, "residence"): (1, 600.0),
    ("ratings", None, "4"): (1, 0.0),
    ("callbacks", None, "reached"): (2, 0.0),  # the old conversation's, and one done 40 days ago
}


def ids(factory: sessionmaker[Session], column) -> set:  # type: ignore[no-untyped-def]
    with factory() as session:
        return set(session.scalars(select(column)))


def test_purge_deletes_exactly_the_old_rows_and_keeps_counts(sessions: sessionmaker[Session]) -> None:
    seed(sessions)
    report = purge(factory=sessions, settings=RetentionSettings(), now=NOW)

    assert ids(sessions, Conversation.id) == {"active", "rated_lately", "queued", "waiting_callback", "new", "callbacks"}
    assert ids(sessions, Message.conversation_id) == {"active", "new"}
    assert ids(sessions, Ticket.conversation_id) == {"rated_lately", "queued"}
    assert ids(sessions, SatisfactionRating.rating) == {5}
    with sessions() as session:
        left = Counter((c.conversation_id, c.state) for c in session.scalars(select(CallbackRequest)))
        sessions_left = {s.id: s.profile for s in session.scalars(select(CitizenSession))}
        assert session.scalar(select(func.count()).select_from(Feedback)) == 0
        assert session.scalar(select(func.count()).select_from(Consent)) == 1  # the legal record stays
    assert left == Counter({("waiting_callback", "pending"): 1, ("callbacks", "reached"): 1})
    assert sessions_left == {"ended_lately": {}, "expired_lately": {}, "live": PROFILE}
    assert ids(sessions, FormProgress.form_code) == {"TK1"}
    assert ids(sessions, ApplicationDraft.id) == {"submitted_old", "draft_new"}
    assert (report.conversations, report.callbacks, report.sessions, report.form_progress, report.drafts) == (2, 2, 2, 1, 1)
    assert report.profiles_cleared == 4

    assert stats(sessions) == EXPECTED_STATS
    with sessions() as session:  # nothing personal in what is kept
        kept = " ".join(f"{s.metric} {s.procedure} {s.key}" for s in session.scalars(select(RetainedStat)))
    assert "0912345678" not in kept and "subject-1" not in kept and "old" not in kept.split()


def test_a_second_run_deletes_and_counts_nothing(sessions: sessionmaker[Session]) -> None:
    seed(sessions)
    purge(factory=sessions, settings=RetentionSettings(), now=NOW)
    again = purge(factory=sessions, settings=RetentionSettings(), now=NOW)
    assert str(again) == "0 conversations, 0 callbacks, 0 profiles cleared, 0 sessions, 0 form progress, 0 drafts, 0 outbox messages"
    assert stats(sessions) == EXPECTED_STATS


def test_small_batches_purge_the_same(sessions: sessionmaker[Session]) -> None:
    seed(sessions)
    report = purge(factory=sessions, settings=RetentionSettings(batch_size=1), now=NOW)
    assert (report.conversations, report.callbacks) == (2, 2)
    assert stats(sessions) == EXPECTED_STATS


def test_periods_are_settings(sessions: sessionmaker[Session]) -> None:
    seed(sessions)
    report = purge(factory=sessions, settings=RetentionSettings(conversation_days=200, callback_days=5), now=NOW)
    assert report.conversations == 0 and report.callbacks == 3  # every done callback, the ones done 10 days ago too
    assert "old" in ids(sessions, Conversation.id)


def test_two_workers_purging_at_once_count_each_conversation_once(sessions: sessionmaker[Session]) -> None:
    """Worker A has read its batch when worker B purges everything: A's batch is deleted and counted by one of them only."""
    seed(sessions)
    before = NOW - dt.timedelta(days=90)
    a = sessions()
    try:
        a.begin()
        batch = old_conversations(session=a, before=before, limit=100)
        assert {c.id for c in batch} == {"old", "old_en"}
        purge(factory=sessions, settings=RetentionSettings(), now=NOW)  # worker B (PostgreSQL: skips A's locked rows)
        raced = False
        try:
            delete_conversations(session=a, conversations=batch, before=before)
            a.commit()
        except Raced:  # B deleted and counted them first: A's DELETE finds fewer rows, A's counts roll back
            raced = True
            a.rollback()
    finally:
        a.close()
    # SQLite reads without locks, so B got there first; PostgreSQL left A's locked batch to A.
    assert raced is (sessions.kw["bind"].dialect.name == "sqlite")
    assert ids(sessions, Conversation.id).isdisjoint({"old", "old_en"})
    assert stats(sessions)[("conversations", None, "vi")] == (1, 0.0)
    assert stats(sessions) == EXPECTED_STATS


def test_outbox_notices_go_once_sent_or_given_up(sessions: sessionmaker[Session]) -> None:
    """They hold the dossier's phone number: sent (or given up) ones older than `outbox_days` go; waiting ones stay."""
    with session_scope(sessions) as session:
        dossier = Dossier(code="HS-261203-RETAIN", phone="0900000111", form_code="CT01", procedure="1.004222", expected_on=NOW.date())
        session.add(dossier)
        session.flush()
        notices = {
            "sent_old": (OLD, OLD, 1),
            "given_up_old": (OLD, None, 5),
            "waiting_old": (OLD, None, 2),  # the sender was down: still to be sent
            "sent_lately": (RECENT, RECENT, 1),
        }
        for text, (created, sent, attempts) in notices.items():
            session.add(
                OutboxMessage(
                    dossier_id=dossier.id, recipient="+84900000111", text=text, created_at=created, sent_at=sent, attempts=attempts
                )
            )
    report = purge(factory=sessions, settings=RetentionSettings(), now=NOW)
    assert report.outbox_messages == 2
    assert ids(sessions, OutboxMessage.text) == {"waiting_old", "sent_lately"}
    assert purge(factory=sessions, settings=RetentionSettings(outbox_days=1), now=NOW).outbox_messages == 1  # a setting
    assert ids(sessions, OutboxMessage.text) == {"waiting_old"}


def test_signing_out_clears_the_profile_at_once(sessions: sessionmaker[Session]) -> None:
    from api.identity.session import end_session

    with session_scope(sessions) as session:
        session.add(CitizenSession(id="s", subject="x", issuer="demo", profile=dict(PROFILE), expires_at=NOW + dt.timedelta(hours=1)))
    with session_scope(sessions) as session:
        end_session(session=session, row=session.get_one(CitizenSession, "s"))
    with sessions() as session:
        assert session.get_one(CitizenSession, "s").profile == {}


def test_the_command_line_purges(
    database_url: str, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(sessions)
    monkeypatch.setenv("HELPDESK_MODE", "development")
    monkeypatch.setenv("HELPDESK_DATABASE_URL", database_url)
    monkeypatch.setenv("HELPDESK_RETENTION__CONVERSATION_DAYS", "95")
    get_settings.cache_clear()
    try:
        assert cli.main(["purge"]) == 0
    finally:
        get_settings.cache_clear()
    assert "purged: 2 conversations, 2 callbacks" in capsys.readouterr().out
    assert "old" not in ids(sessions, Conversation.id)


def test_the_schedule_purges_at_start_and_stop_waits_for_it(sessions: sessionmaker[Session]) -> None:
    seed(sessions)

    async def start_and_stop() -> None:
        schedule = Schedule(sessions, RetentionSettings(every_hours=24))
        schedule.start()
        await schedule.stop()

    asyncio.run(start_and_stop())
    assert "old" not in ids(sessions, Conversation.id)


def test_a_failed_scheduled_run_is_logged_and_the_app_goes_on(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    unmigrated = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # no tables: every statement fails
    try:
        assert run_once(factory=make_sessionmaker(unmigrated), settings=RetentionSettings()) is None
    finally:
        unmigrated.dispose()
    assert "retention purge failed" in caplog.text


@pytest.mark.parametrize("scheduled", [True, False])
def test_the_app_starts_the_schedule_when_enabled(settings: Settings, scheduled: bool) -> None:
    settings = settings.model_copy(update={"retention": RetentionSettings(scheduled=scheduled)})
    app = create_app(settings, embedder=TEST_EMBEDDER)
    with TestClient(app):
        assert isinstance(app.state.retention, Schedule) is scheduled
