"""The metrics' rules without HTTP: who may scrape, bounded labels, counting at commit."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import generate_latest
from sqlalchemy.orm import Session, sessionmaker

from api.metrics import Metrics, MetricsSettings, RouteMetrics, bounded, may_scrape, status_class
from db.handoff import Ticket
from db.models import Conversation, Message

TOKEN = "t" * 40


@pytest.mark.parametrize(
    ("config", "development", "authorization", "expected"),
    [
        (MetricsSettings(), True, None, True),  # development: open
        (MetricsSettings(), False, None, None),  # production without a token: hidden (404)
        (MetricsSettings(), False, f"Bearer {TOKEN}", None),  # a token nobody configured opens nothing
        (MetricsSettings(public=True), False, None, True),
        (MetricsSettings(token=TOKEN), False, f"Bearer {TOKEN}", True),
        (MetricsSettings(token=TOKEN), False, f"bearer {TOKEN}", True),
        (MetricsSettings(token=TOKEN), False, None, False),
        (MetricsSettings(token=TOKEN), False, f"Bearer {TOKEN}x", False),
        (MetricsSettings(token=TOKEN), False, TOKEN, False),
        (MetricsSettings(token=TOKEN, public=True), False, None, False),  # a set token is always required
        (MetricsSettings(token=TOKEN), True, None, False),  # in development too
    ],
)
def test_who_may_scrape(config: MetricsSettings, development: bool, authorization: str | None, expected: bool | None) -> None:
    assert may_scrape(config=config, development=development, authorization=authorization) is expected


def test_label_values_come_from_fixed_sets() -> None:
    assert bounded("clarify", ("answered", "clarify")) == "clarify"
    assert bounded("đăng ký thường trú", ("answered", "clarify")) == "other"
    assert bounded(None, ("answered",)) == "other"
    assert [status_class(s) for s in (200, 302, 404, 503, 999)] == ["2xx", "3xx", "4xx", "5xx", "other"]


def test_unknown_values_are_recorded_as_other() -> None:
    metrics = Metrics()
    metrics.chat_turn("cccd 001203004567", 0.1)
    metrics.rasa_call("/conversations/abc/tracker", ok=True, seconds=0.1)
    metrics.action_run("action_x", known={"action_answer"}, outcome="ok", seconds=0.1)
    metrics.response(method="BREW", route="unmatched", status=404)
    text = generate_latest(metrics.registry).decode()
    assert "001203004567" not in text and "abc" not in text and "action_x" not in text and "BREW" not in text
    assert 'helpdesk_chat_turn_seconds_count{path="other"} 1.0' in text
    assert 'helpdesk_http_errors_total{method="other",route="unmatched",status_class="4xx"} 1.0' in text


def test_answers_and_handoffs_count_when_committed_not_on_rollback(sessions: sessionmaker[Session]) -> None:
    metrics = Metrics()
    metrics.watch(sessions)

    def stored(session: Session, status: object) -> None:
        conversation = Conversation(lang="vi")
        session.add(conversation)
        session.flush()
        payload = {"answer": {"status": status}}
        session.add(Message(conversation_id=conversation.id, sender="bot", kind="answer", text="…", payload=payload))
        session.add(Ticket(conversation_id=conversation.id, lang="vi", skill="general", reason="negative_feedback", summary={}))

    with sessions.begin() as session:
        stored(session, "unanswerable")
    with pytest.raises(RuntimeError), sessions.begin() as session:
        stored(session, "answered")
        session.flush()
        raise RuntimeError("rolled back")
    with sessions.begin() as session:
        stored(session, "a status nobody knows")

    def count(name: str, label: str, value: str) -> float | None:
        return metrics.registry.get_sample_value(f"{name}_total", {label: value})

    assert count("helpdesk_answers", "status", "unanswerable") == 1
    assert count("helpdesk_answers", "status", "answered") == 0
    assert count("helpdesk_answers", "status", "other") == 1
    assert count("helpdesk_handoffs", "reason", "negative_feedback") == 2


def test_responses_are_counted_by_route_template_including_crashes() -> None:
    metrics = Metrics()
    app = FastAPI()
    app.add_middleware(RouteMetrics, metrics=metrics)

    @app.get("/things/{thing_id}")
    def thing(thing_id: str) -> dict[str, str]:
        if thing_id == "boom":
            raise RuntimeError("a bug")
        return {"id": thing_id}

    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/things/42").status_code == 200
        assert client.get("/things/boom").status_code == 500
        assert client.get("/elsewhere/42").status_code == 404

    def errors(route: str, status: str) -> float | None:
        return metrics.registry.get_sample_value("helpdesk_http_errors_total", {"method": "GET", "route": route, "status_class": status})

    assert (
        metrics.registry.get_sample_value(
            "helpdesk_http_requests_total", {"method": "GET", "route": "/things/{thing_id}", "status_class": "2xx"}
        )
        == 1
    )
    assert errors("/things/{thing_id}", "5xx") == 1
    assert errors("unmatched", "4xx") == 1
    labels = {v for family in metrics.registry.collect() for sample in family.samples for v in sample.labels.values()}
    assert not [v for v in labels if "42" in v or "boom" in v]


def test_the_query_embedding_cache_is_counted_at_scrape_time() -> None:
    from knowledge.dense import HashEmbedder
    from knowledge.query_cache import CachedQueryEmbedder

    metrics = Metrics()
    assert "helpdesk_query_embedding_cache" not in generate_latest(metrics.registry).decode()  # no cache, no series
    cache = CachedQueryEmbedder(HashEmbedder(16), size=4)
    metrics.watch_query_cache(cache)
    for text in ("hộ chiếu", "hộ chiếu", "tạm trú"):
        cache.embed_query(text)
    text = generate_latest(metrics.registry).decode()
    assert 'helpdesk_query_embedding_cache_total{result="hit"} 1.0' in text
    assert 'helpdesk_query_embedding_cache_total{result="miss"} 2.0' in text
    assert "helpdesk_query_embedding_cache_entries 2.0" in text
    assert "hộ chiếu" not in text
