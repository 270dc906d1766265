"""The figures on the seeded week (tests/analytics/seeded.py), on SQLite and PostgreSQL: exact numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session, sessionmaker

from api.analytics import figures
from api.analytics.data import Data, Filters, InvalidPeriod, Period, load, typed_without_diacritics
from api.analytics.tables import Table
from api.handoff.config import HandoffConfig
from db.retention import RetainedStat
from db.session import session_scope
from tests.analytics.seeded import G1, G1_DOMAIN, G2, NOW, PERIOD, seed

CONFIG = HandoffConfig()  # Monday–Friday 07:30–17:00: 47.5 service hours in the seeded week


def rows(table: Table, key: str) -> dict[str, dict]:  # type: ignore[type-arg]
    return {row[key]: row for row in table.rows}


@pytest.fixture
def data(sessions: sessionmaker[Session]) -> Data:
    with session_scope(sessions) as session:
        seed(session)
    with session_scope(sessions) as session:
        return load(session=session, period=PERIOD, filters=Filters(), now=NOW)


def tables(tables_: list[Table]) -> dict[str, Table]:
    return {t.key: t for t in tables_}


def test_containment_and_handoff_reasons(data: Data) -> None:
    out = tables(figures.containment(data))
    outcome = rows(out["containment"], "outcome")
    assert outcome["without_person"]["conversations"] == 8 and outcome["with_person"]["conversations"] == 4
    assert outcome["without_person"]["share"] == pytest.approx(8 / 12)
    reasons = rows(out["handoff_reasons"], "reason")
    assert {k: r["handoffs"] for k, r in reasons.items()} == {
        "requested": 1, "repeated_failure": 2, "negative_feedback": 0, "complaint": 1, "urgent": 0}  # fmt: skip
    assert reasons["repeated_failure"]["rate"] == pytest.approx(2 / 12)


def test_answer_status_helpful_rate_and_procedures(data: Data) -> None:
    out = tables(figures.answers(data))
    status = rows(out["answer_status"], "status")
    assert {k: r["answers"] for k, r in status.items()} == {"answered": 10, "clarify": 0, "unanswerable": 2}
    assert out["helpful"].rows == [{"rated": 6, "helpful": 5, "helpful_rate": pytest.approx(5 / 6)}]
    per = rows(out["procedures"], "procedure")
    assert list(per) == [G1, G2]  # most answers first
    assert per[G1]["versions"] == "3, 4" and per[G1]["answers"] == 8 and per[G1]["answered"] == 1.0
    assert per[G1]["rated"] == 6 and per[G1]["helpful_rate"] == pytest.approx(5 / 6)
    assert per[G2]["answers"] == 2 and per[G2]["versions"] == "1" and per[G2]["helpful_rate"] is None
    assert out["procedures"].bases == [8, 2]


def test_satisfaction(data: Data) -> None:
    out = tables(figures.satisfaction(data))
    assert {r["rating"]: r["ratings"] for r in out["ratings"].rows} == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}
    index = {(r["dimension"], r["group"]): r for r in out["satisfaction_index"].rows}
    assert set(index) == {("all", "all"), ("queue", "civil_status"), ("agent", "Agent A"), ("language", "vi"), ("week", "2025-W10")}
    assert index[("agent", "Agent A")]["ratings"] == 2 and index[("agent", "Agent A")]["index"] == 1.0
    assert index[("all", "all")]["mean"] == 4.5
    assert out["rating_response"].rows == [{"prompts": 3, "ratings": 2, "response_rate": pytest.approx(2 / 3)}]


def test_queue_waits_sla_callbacks_occupancy(data: Data) -> None:
    out = tables(figures.queue(data, CONFIG))
    waits = rows(out["waits"], "queue")
    assert list(waits) == ["all", "civil_status", "residence"]
    assert waits["all"] == {"queue": "all", "tickets": 4, "wait_p50": 40, "wait_p90": 100, "sla": 0.5, "abandoned": 1}
    assert waits["civil_status"]["sla"] == pytest.approx(1 / 3) and waits["civil_status"]["abandoned"] == 1
    assert waits["residence"]["wait_p50"] == 30 and waits["residence"]["sla"] == 1.0
    assert out["callbacks"].rows == [{"requested": 2, "reached": 1, "no_answer": 1, "pending": 0, "kept": 0.5}]
    assert figures.service_hours(data, CONFIG) == 47.5
    occupancy = rows(out["occupancy"], "agent")
    assert occupancy["Agent A"]["tickets"] == 2 and occupancy["Agent A"]["handled_h"] == pytest.approx(0.5)
    assert occupancy["Agent A"]["occupancy"] == pytest.approx(0.5 / (2 * 47.5))
    assert occupancy["Agent B"]["occupancy"] == pytest.approx(0.5 / (3 * 47.5))


def test_demand_and_quality_by_language_and_diacritics(data: Data) -> None:
    out = tables(figures.demand(data))
    assert [(r["procedure"], r["conversations"]) for r in out["top_procedures"].rows] == [(G1, 8), (G2, 2)]
    hours = {r["hour"]: r["messages"] for r in out["hours"].rows if r["messages"]}
    assert hours == {"09:00": 6, "14:00": 4, "20:00": 2}  # Vietnam time, UTC+7
    assert {r["language"]: r["conversations"] for r in out["languages"].rows} == {"en": 2, "vi": 10}
    diacritics = rows(out["diacritics"], "group")
    assert diacritics["without_diacritics"]["conversations"] == 4 and diacritics["without_diacritics"]["share"] == pytest.approx(0.4)
    quality = {(r["dimension"], r["group"]): r for r in out["answer_quality"].rows}
    assert quality[("all", "all")]["answers"] == 12 and quality[("all", "all")]["answered"] == pytest.approx(10 / 12)
    assert quality[("language", "en")]["helpful_rate"] == 1.0
    assert quality[("diacritics", "without_diacritics")]["unanswerable"] == 0.5
    assert quality[("diacritics", "without_diacritics")]["rated"] == 0
    assert quality[("diacritics", "with_diacritics")]["helpful_rate"] == pytest.approx(4 / 5)


def test_forms(data: Data) -> None:
    out = tables(figures.forms(data))
    assert out["forms"].rows == [
        {"form": "CT01", "started": 2, "prefilled": 1, "completed": 1, "in_progress": 0, "abandoned": 1, "completion": 0.5}
    ]
    assert {r["field"]: r["corrections"] for r in out["corrected_fields"].rows} == {"full_name": 1, "id_number": 1}


def test_filters_select_conversations(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        seed(session)
    with session_scope(sessions) as session:
        by_queue = load(session=session, period=PERIOD, filters=Filters(queue="civil_status"), now=NOW)
        by_domain = load(session=session, period=PERIOD, filters=Filters(domain=G1_DOMAIN), now=NOW)
    assert len(by_queue.conversations) == 3 and {t.skill for t in by_queue.tickets} == {"civil_status"}
    assert len(by_domain.conversations) == 8 and {a.guide_code for a in by_domain.answers} == {G1}


def test_purged_days_count_through_retained_stats(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        seed(session)
        day = dt.date(2025, 3, 4)
        session.add_all([RetainedStat(day=day, metric="conversations", key="vi", count=3),
                         RetainedStat(day=day, metric="answers", procedure=G1, key="answered", count=3),
                         RetainedStat(day=day, metric="handoffs", procedure=G1, key="requested", count=1),
                         RetainedStat(day=day, metric="ratings", key="2", count=1),
                         RetainedStat(day=dt.date(2025, 3, 20), metric="conversations", key="vi", count=50)])  # fmt: skip
    with session_scope(sessions) as session:
        data = load(session=session, period=PERIOD, filters=Filters(), now=NOW)
        filtered = load(session=session, period=PERIOD, filters=Filters(queue="civil_status"), now=NOW)
    outcome = rows(figures.containment(data)[0], "outcome")
    assert outcome["with_person"]["conversations"] == 5 and outcome["without_person"]["conversations"] == 10
    assert rows(figures.answers(data)[2], "procedure")[G1]["answers"] == 11
    assert {r["rating"]: r["ratings"] for r in figures.satisfaction(data)[0].rows}["2"] == 1
    assert filtered.retained == []  # counts without a queue cannot be filtered by one


def test_an_empty_period_gives_empty_tables(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        data = load(session=session, period=Period(dt.date(2020, 1, 1), dt.date(2020, 1, 31)), filters=Filters(), now=NOW)
    for name in figures.SECTIONS:
        for table in figures.section(name, data, CONFIG):
            assert all(not isinstance(v, (int, float)) or v == 0 for row in table.rows for k, v in row.items() if k != "hour"), table.key


def test_period_limits() -> None:
    assert Period.of(dt.date(2025, 1, 1), dt.date(2025, 12, 31)).days == 365
    with pytest.raises(InvalidPeriod, match="367 days; the longest is 366"):
        Period.of(dt.date(2024, 1, 1), dt.date(2025, 1, 1))
    with pytest.raises(InvalidPeriod, match="outside them"):
        Period.of(dt.date(1, 1, 1), dt.date(1, 1, 2))
    with pytest.raises(InvalidPeriod, match="before it starts"):
        Period.of(dt.date(2025, 2, 1), dt.date(2025, 1, 1))


@pytest.mark.parametrize(("text", "plain"), [("dang ky thuong tru", True), ("Đăng ký thường trú", False), ("do", True), ("đi", False),
                                             ("123 456", None)])  # fmt: skip
def test_typed_without_diacritics(text: str, plain: bool | None) -> None:
    assert typed_without_diacritics(text) is plain


def test_percentile_is_nearest_rank() -> None:
    assert figures.percentile([4, 1, 3, 2], 0.5) == 2
    assert figures.percentile(list(range(1, 11)), 0.9) == 9
    assert figures.percentile([], 0.5) is None
