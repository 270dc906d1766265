"""`/metrics` and the health probes through the real app and a real database (SQLite and PostgreSQL).

Rasa is an httpx transport that answers from a script (or is down); the action webhook runs the real
actions over the test index.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from api.auth.staff import upsert_staff
from api.auth.tokens import STAFF_AUDIENCE, issue_token
from api.metrics import MetricsSettings
from api.settings import Settings
from tests.conftest import TEST_EMBEDDER

FIXTURES = Path(__file__).resolve().parents[1] / "actions" / "fixtures"

ANSWERS = {
    "answered": {
        "kind": "answer",
        "text": "Lệ phí ...",
        "answer": {"status": "answered", "procedures": [], "aspect": "fee", "guide": None},
    },
    "clarify": {
        "kind": "answer",
        "text": "Thủ tục nào?",
        "answer": {"status": "clarify", "procedures": [], "aspect": "fee", "guide": None},
    },
    "unanswerable": {
        "kind": "answer",
        "text": "Không rõ",
        "answer": {"status": "unanswerable", "procedures": [], "aspect": None, "guide": None},
    },
    "human": {"kind": "handoff", "text": "Đang chuyển", "handoff": {"reason": "requested"}},
}


class ScriptedRasa:
    """Rasa's REST channel: the first word of a message picks the reply (ANSWERS); `down` refuses connections."""

    def __init__(self) -> None:
        self.down = False

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused by 127.0.0.1:5005")
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_file": "test.tar.gz"})
        if request.url.path.endswith("/tracker/events"):
            return httpx.Response(200, json={})
        body = json.loads(request.content)
        custom = ANSWERS.get(body["message"].split()[0], ANSWERS["answered"])
        return httpx.Response(200, json=[{"recipient_id": body["sender"], "custom": custom}])


@pytest.fixture
def rasa() -> ScriptedRasa:
    return ScriptedRasa()


def client_for(settings: Settings, rasa: ScriptedRasa) -> Iterator[TestClient]:
    app = create_app(settings, embedder=TEST_EMBEDDER, rasa_transport=httpx.MockTransport(rasa.handler))
    with TestClient(app) as client:
        # The app's own client (it observes helpdesk_rasa_request_seconds), over the scripted transport.
        yield client


@pytest.fixture
def client(settings: Settings, rasa: ScriptedRasa) -> Iterator[TestClient]:
    yield from client_for(settings, rasa)


def say(client: TestClient, text: str, conversation_id: str | None = None) -> dict:
    response = client.post("/api/chat/messages", json={"conversation_id": conversation_id, "text": text})
    assert response.status_code == 200, response.text
    return response.json()


def scrape(client: TestClient, **headers: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of /metrics: (name, labels) → value."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value for family in text_string_to_metric_families(response.text) for s in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def staff_header(settings: Settings, roles: list[str]) -> dict[str, str]:
    token = issue_token(
        subject="1", secret=settings.secret_key, audience=STAFF_AUDIENCE, ttl=dt.timedelta(minutes=5), claims={"roles": roles}
    )
    return {"Authorization": f"Bearer {token}"}


# ---- metrics ---------------------------------------------------------------------------------------------


def test_turns_answers_handoffs_and_routes_are_counted(client: TestClient) -> None:
    for text in ("answered lệ phí?", "clarify thủ tục", "unanswerable mèo"):
        say(client, text)
    handed = say(client, "human tôi muốn gặp người")
    assert handed["state"] == "waiting"
    say(client, "còn đó không?", conversation_id=handed["conversation_id"])  # a person owns the chat: Rasa is not asked
    assert client.get("/api/search", params={"q": "đăng ký thường trú"}).status_code == 200
    assert client.get(f"/api/chat/{uuid.uuid4().hex}/messages").status_code == 404

    samples = scrape(client)
    assert [value(samples, "helpdesk_answers_total", status=s) for s in ("answered", "clarify", "unanswerable")] == [1, 1, 1]
    assert value(samples, "helpdesk_handoffs_total", reason="requested") == 1
    assert value(samples, "helpdesk_handoffs_total", reason="negative_feedback") == 0  # every reason is listed, 0 included
    assert value(samples, "helpdesk_chat_turn_seconds_count", path="bot") == 4
    assert value(samples, "helpdesk_chat_turn_seconds_count", path="person") == 1
    assert value(samples, "helpdesk_rasa_request_seconds_count", call="message", outcome="ok") == 4
    assert value(samples, "helpdesk_rasa_request_seconds_count", call="event", outcome="ok") == 1  # the pause of the handoff
    assert value(samples, "helpdesk_search_seconds_count", caller="api") == 1
    chat = {"method": "POST", "route": "/api/chat/messages", "status_class": "2xx"}
    assert value(samples, "helpdesk_http_requests_total", **chat) == 5
    assert value(samples, "helpdesk_http_errors_total", **chat) == 0
    missing = {"method": "GET", "route": "/api/chat/{conversation_id}/messages", "status_class": "4xx"}
    assert value(samples, "helpdesk_http_errors_total", **missing) == 1

    # The queue the ticket waits in, read from the database at scrape time.
    waiting = {labels: v for (name, labels), v in samples.items() if name == "helpdesk_queue_waiting" and v}
    assert list(waiting.values()) == [1] and dict(next(iter(waiting))) == {"skill": "general", "lang": "vi"}
    assert value(samples, "helpdesk_queue_oldest_wait_seconds", skill="general", lang="vi") >= 0
    assert value(samples, "helpdesk_queue_waiting", skill="residence", lang="en") == 0  # empty queues are listed too
    assert value(samples, "helpdesk_agents_online") == 0


def test_agents_online_per_queue(client: TestClient) -> None:
    with client.app.state.sessions.begin() as session:
        common = {"password": "pw-123456", "roles": ["agent"], "skills": ["general", "residence"], "languages": ["vi"]}
        upsert_staff(session=session, username="an", display_name="An", status="online", **common)
        upsert_staff(session=session, username="binh", display_name="Bình", status="away", **common)
        upsert_staff(session=session, username="chi", display_name="Chi", status="online", password="pw-123456", roles=["editor"])
    samples = scrape(client)
    assert value(samples, "helpdesk_agents_online") == 1
    assert value(samples, "helpdesk_queue_agents_online", skill="residence", lang="vi") == 1
    assert value(samples, "helpdesk_queue_agents_online", skill="residence", lang="en") == 0
    assert value(samples, "helpdesk_database_up") == 1


def test_rasa_down_is_counted_and_the_chat_stays_polite(client: TestClient, rasa: ScriptedRasa) -> None:
    rasa.down = True
    reply = say(client, "how long does a passport take?")["messages"][0]
    assert reply["kind"] == "notice" and "briefly unavailable" in reply["text"]
    samples = scrape(client)
    assert value(samples, "helpdesk_chat_turn_seconds_count", path="rasa_unavailable") == 1
    assert value(samples, "helpdesk_rasa_request_seconds_count", call="message", outcome="error") == 1
    assert value(samples, "helpdesk_rasa_request_seconds_count", call="message", outcome="ok") == 0


def test_action_runs_are_timed_by_action_name(client: TestClient, settings: Settings) -> None:
    tracker = json.loads((FIXTURES / "fee_follow_up.json").read_text(encoding="utf-8"))
    call = {"next_action": "action_answer", "sender_id": tracker["sender_id"], "tracker": tracker, "domain": {}}
    auth = {"Authorization": f"Bearer {settings.action_token}"}
    answered = client.post("/webhooks/actions", headers=auth, json=call)
    assert answered.status_code == 200 and answered.headers["content-type"] == "application/json"
    assert [e["event"] for e in answered.json()["events"]][:1] == ["slot"] and answered.json()["responses"]
    not_json = client.post("/webhooks/actions", headers={**auth, "Content-Type": "application/json"}, content=b'{"next_action": ')
    assert not_json.status_code == 400 and "not JSON" in not_json.json()["error"]
    made_up = f"action_{uuid.uuid4().hex}"
    assert client.post("/webhooks/actions", headers=auth, json={**call, "next_action": made_up}).status_code == 404
    samples = scrape(client)
    assert value(samples, "helpdesk_action_seconds_count", action="action_answer", outcome="ok") == 1
    assert value(samples, "helpdesk_action_seconds_count", action="other", outcome="not_found") == 1
    assert value(samples, "helpdesk_search_seconds_count", caller="chat") == 1  # the answer action's knowledge call
    assert not any(made_up in str(labels) for _, labels in samples)


def test_labels_never_carry_user_text_or_ids(client: TestClient) -> None:
    """Random text, conversation ids and paths: the set of series stays the same, no value holds them."""

    def batch() -> list[str]:
        sent: list[str] = []
        for kind in ("answered", "clarify", "unanswerable"):
            word = uuid.uuid4().hex
            cid = say(client, f"{kind} {word} số 0912345678")["conversation_id"]
            say(client, f"{kind} again {uuid.uuid4().hex}", conversation_id=cid)
            sent += [word, cid]
            missing = uuid.uuid4().hex
            assert client.post("/api/chat/messages", json={"conversation_id": missing, "text": "xin chào"}).status_code == 404
            assert client.get(f"/api/chat/{missing}/messages", params={"after": missing}).status_code == 404
            path = uuid.uuid4().hex
            assert client.get(f"/{path}/{missing}", params={"q": word}).status_code == 404
            assert client.request("BREW", f"/api/chat/{path}").status_code in (404, 405)
            sent += [missing, path]
        return sent

    scrape(client)  # the first scrape is counted too: its series exist before the batches
    sent = batch()
    first = scrape(client)
    sent += batch()
    second = scrape(client)
    assert set(second) == set(first)  # the second batch added no series: cardinality is bounded
    values = {v for _, labels in second for _, v in labels}
    assert not [v for v in values if any(token in v for token in sent) or "0912345678" in v]
    routes = {v for _, labels in second for k, v in labels if k == "route"}
    assert routes == {"/api/chat/messages", "/api/chat/{conversation_id}/messages", "/metrics", "unmatched"}  # templates, not paths
    methods = {v for _, labels in second for k, v in labels if k == "method"}
    assert methods <= {"GET", "POST", "other"} and "other" in methods  # BREW is counted as `other`


# ---- who may read /metrics -------------------------------------------------------------------------------


def production(settings: Settings, **metrics: object) -> Settings:
    """The tests' settings in production mode (model_copy: the development secrets stay)."""
    return settings.model_copy(update={"mode": "production", "metrics": MetricsSettings(**metrics)})


def test_production_hides_metrics_without_a_token(settings: Settings, rasa: ScriptedRasa) -> None:
    for client in client_for(production(settings), rasa):
        response = client.get("/metrics")
        assert response.status_code == 404 and "helpdesk_" not in response.text
        assert response.json() == client.get(f"/{uuid.uuid4().hex}").json()  # like any unknown path


def test_production_metrics_need_the_token(settings: Settings, rasa: ScriptedRasa) -> None:
    token = "m" * 40
    for client in client_for(production(settings, token=token), rasa):
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": f"Bearer {token[:-1]}x"}).status_code == 401
        assert client.get("/metrics", headers={"Authorization": f"Basic {token}"}).status_code == 401
        assert value(scrape(client, Authorization=f"Bearer {token}"), "helpdesk_agents_online") == 0


def test_public_metrics_in_production_and_a_token_in_development(settings: Settings, rasa: ScriptedRasa) -> None:
    for client in client_for(production(settings, public=True), rasa):
        assert client.get("/metrics").status_code == 200
    with_token = settings.model_copy(update={"metrics": MetricsSettings(token="d" * 40)})
    for client in client_for(with_token, rasa):
        assert client.get("/metrics").status_code == 401


# ---- health ----------------------------------------------------------------------------------------------


def test_live_while_rasa_is_down_and_ready_says_only_unavailable(client: TestClient, rasa: ScriptedRasa) -> None:
    rasa.down = True
    assert client.get("/api/health/live").json() == {"status": "ok"}
    ready = client.get("/api/health/ready")
    assert ready.status_code == 503 and ready.json() == {"status": "unavailable"}
    assert "refused" not in ready.text and "5005" not in ready.text


def test_staff_see_each_check_with_its_error(client: TestClient, rasa: ScriptedRasa, settings: Settings) -> None:
    rasa.down = True
    body = client.get("/api/health/ready", headers=staff_header(settings, ["editor"])).json()
    assert body["status"] == "unavailable"
    assert body["checks"]["rasa"] == {"ok": False, "error": "connection refused by 127.0.0.1:5005"}
    assert body["checks"]["database"]["ok"] and body["checks"]["index"]["ok"]
    for anonymous in ({"Authorization": "Bearer forged"}, staff_header(settings, [])):
        assert "checks" not in client.get("/api/health/ready", headers=anonymous).json()


def test_ready_when_everything_is_up(client: TestClient, settings: Settings) -> None:
    assert client.get("/api/health/ready").json() == {"status": "ok"}
    checks = client.get("/api/health/ready", headers=staff_header(settings, ["agent"])).json()["checks"]
    assert checks["rasa"] == {"ok": True, "model": "test.tar.gz"} and checks["index"]["guides"] > 0


def test_live_needs_no_database(client: TestClient, settings: Settings) -> None:
    client.app.state.engine.dispose()
    client.app.state.sessions.configure(bind=None)  # every query now fails
    assert client.get("/api/health/live").status_code == 200
    ready = client.get("/api/health/ready", headers=staff_header(settings, ["agent"]))
    assert ready.status_code == 503 and ready.json()["checks"]["database"]["ok"] is False
    samples = scrape(client)
    assert value(samples, "helpdesk_database_up") == 0 and not any(name == "helpdesk_queue_waiting" for name, _ in samples)
