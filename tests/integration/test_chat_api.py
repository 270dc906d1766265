"""The chat contract through the real app and a real database (SQLite and PostgreSQL).

Rasa is replaced here by an httpx transport; tests/e2e talks to the real Rasa server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from db.models import Feedback, Message
from tests.conftest import TEST_EMBEDDER


class FakeRasa:
    """Answers like Rasa's REST channel; records what it was sent."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.down = False
        self.silent = False  # answer every message with [] (what Rasa's REST channel does when the turn fails)
        self.scripted: dict[str, dict] = {}  # message text → the `custom` payload to answer it with
        self.events: list[dict] = []  # tracker events sent by the app (pause when a person takes the chat)

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused")
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_file": "test.tar.gz"})
        body = json.loads(request.content)
        if request.url.path.endswith("/tracker/events"):
            self.events.append(body)
            return httpx.Response(200, json={})
        self.received.append(body)
        if self.silent:
            return httpx.Response(200, json=[])
        custom = self.scripted.get(body["message"]) or {
            "kind": "answer",
            "text": "Lệ phí ...",
            "answer": {"status": "answered", "procedures": [], "aspect": "fee", "guide": None},
        }
        return httpx.Response(200, json=[{"recipient_id": body["sender"], "custom": custom}])


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def client(settings: Settings, rasa: FakeRasa) -> Iterator[TestClient]:
    app = create_app(settings, embedder=TEST_EMBEDDER, rasa_transport=httpx.MockTransport(rasa.handler))
    with TestClient(app) as client:
        yield client


def post(client: TestClient, text: str, conversation_id: str | None = None, lang: str | None = None) -> httpx.Response:
    return client.post("/api/chat/messages", json={"conversation_id": conversation_id, "text": text, "lang": lang})


def test_a_turn_stores_both_sides_and_forwards_to_rasa(client: TestClient, rasa: FakeRasa) -> None:
    response = post(client, "đăng ký thường trú hết bao nhiêu tiền")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "bot"
    [reply] = body["messages"]
    assert reply["sender"] == "bot" and reply["kind"] == "answer" and reply["answer"]["status"] == "answered"
    request_id = response.headers["X-Request-ID"]  # the turn's request id travels on to the actions
    assert rasa.received == [
        {
            "sender": body["conversation_id"],
            "message": "đăng ký thường trú hết bao nhiêu tiền",
            "metadata": {"lang": "vi", "request_id": request_id},
        }
    ]

    history = client.get(f"/api/chat/{body['conversation_id']}/messages").json()["messages"]
    assert [m["sender"] for m in history] == ["citizen", "bot"]
    later = client.get(f"/api/chat/{body['conversation_id']}/messages", params={"after": history[0]["id"]}).json()["messages"]
    assert [m["id"] for m in later] == [reply["id"]]


def test_language_is_detected_per_message_and_can_be_forced(client: TestClient, rasa: FakeRasa) -> None:
    cid = post(client, "how do I register my residence").json()["conversation_id"]
    post(client, "dang ky thuong tru", conversation_id=cid)
    post(client, "dang ky thuong tru", conversation_id=cid, lang="en")
    assert [r["metadata"]["lang"] for r in rasa.received] == ["en", "vi", "en"]


@pytest.mark.parametrize(("text", "fragment"), [("", "empty"), ("   ", "empty"), ("x" * 2001, "2,001 characters; the limit is 2,000")])
def test_bad_text_is_refused_naming_the_limit(client: TestClient, text: str, fragment: str) -> None:
    response = post(client, text)
    assert response.status_code == 422
    assert fragment in json.dumps(response.json())


def test_malformed_bodies_are_refused(client: TestClient) -> None:
    assert client.post("/api/chat/messages", content=b"{not json", headers={"content-type": "application/json"}).status_code == 422
    assert client.post("/api/chat/messages", json={"text": "hi", "lang": "fr"}).status_code == 422


def test_unknown_conversation_is_404(client: TestClient) -> None:
    assert post(client, "xin chào", conversation_id="nope").status_code == 404
    assert client.get("/api/chat/nope/messages").status_code == 404


def test_rasa_down_gives_a_polite_reply_and_keeps_the_message(client: TestClient, rasa: FakeRasa) -> None:
    rasa.down = True
    body = post(client, "how long does a passport take?").json()
    assert body["messages"][0]["sender"] == "system"
    assert "unavailable" in body["messages"][0]["text"]
    history = client.get(f"/api/chat/{body['conversation_id']}/messages").json()["messages"]
    assert history[0]["sender"] == "citizen" and history[0]["text"] == "how long does a passport take?"
    ready = client.get("/api/health/ready")  # not ready; still live (tests/integration/test_operations_api.py)
    assert ready.status_code == 503 and ready.json() == {"status": "unavailable"}


def test_an_empty_answer_from_rasa_is_the_unavailable_notice(client: TestClient, rasa: FakeRasa) -> None:
    """Rasa's REST channel turns a failed turn (its Redis down, an action failing) into 200 []: not silence."""
    rasa.silent = True
    body = post(client, "lệ phí bao nhiêu?").json()
    assert [(m["sender"], m["kind"]) for m in body["messages"]] == [("system", "notice")]
    history = client.get(f"/api/chat/{body['conversation_id']}/messages").json()["messages"]
    assert [m["sender"] for m in history] == ["citizen", "system"]


def test_personal_numbers_never_reach_the_transcript_or_rasa(client: TestClient, rasa: FakeRasa) -> None:
    cid = post(client, "số CCCD của tôi là 001203004567, sđt 0912345678").json()["conversation_id"]
    texts = [m["text"] for m in client.get(f"/api/chat/{cid}/messages").json()["messages"]]
    assert "001203004567" not in texts[0] and "0912345678" not in texts[0]
    assert rasa.received[0]["message"] == "số CCCD của tôi là [số định danh], sđt [số điện thoại]"


def test_feedback_is_stored_with_the_answer(client: TestClient) -> None:
    turn = post(client, "lệ phí đăng ký thường trú").json()
    cid, reply = turn["conversation_id"], turn["messages"][0]
    response = client.post(f"/api/chat/{cid}/messages/{reply['id']}/feedback", json={"helpful": False, "reason": "thiếu thông tin"})
    assert response.status_code == 201
    assert client.post(f"/api/chat/{cid}/messages/999999/feedback", json={"helpful": True}).status_code == 404


def test_a_verdict_typed_in_the_chat_is_feedback_on_the_latest_answer(client: TestClient, rasa: FakeRasa) -> None:
    rasa.scripted["lệ phí đăng ký thường trú"] = {
        "kind": "answer", "text": "Lệ phí ...", "guide_code": "1.004222", "guide_version": 3,
        "answer": {"status": "answered", "procedures": [], "aspect": "fee", "guide": None},
    }  # fmt: skip
    rasa.scripted["câu trả lời này không đúng"] = {"kind": "feedback", "text": "Cảm ơn bạn đã góp ý", "feedback": {"helpful": False}}
    first = post(client, "lệ phí đăng ký thường trú").json()
    cid, answer_id = first["conversation_id"], int(first["messages"][0]["id"])

    turn = post(client, "câu trả lời này không đúng", conversation_id=cid).json()
    assert [m["kind"] for m in turn["messages"]] == ["feedback"] and turn["state"] == "bot"
    with client.app.state.sessions() as session:
        [feedback] = session.query(Feedback).all()
        assert (feedback.message_id, feedback.helpful, feedback.guide_code, feedback.guide_version) == (answer_id, False, "1.004222", 3)
        assert feedback.reason == "câu trả lời này không đúng"

    # The same complaint about the same answer is one verdict: it replaces the first, it does not count twice.
    turn = post(client, "câu trả lời này không đúng", conversation_id=cid).json()
    assert turn["state"] == "bot"
    with client.app.state.sessions() as session:
        assert session.query(Feedback).count() == 1

    # A complaint about a second answer is the second "not helpful": a person takes the chat, as with the buttons.
    post(client, "lệ phí đăng ký thường trú", conversation_id=cid)
    turn = post(client, "câu trả lời này không đúng", conversation_id=cid).json()
    assert turn["state"] == "waiting" and [m["kind"] for m in turn["messages"]] == ["feedback", "handoff"]
    assert [e["event"] for e in rasa.events] == ["pause"]


def test_search_endpoint(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "dang ky thuong tru", "k": 3}).json()
    assert body["status"] == "answered" and body["results"][0]["code"] == "1.004222"
    assert client.get("/api/search", params={"q": "???"}).json()["status"] == "unanswerable"


def test_chat_page_and_openapi(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "aria-live" in page.text
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/chat/messages", "/api/chat/{conversation_id}/messages", "/api/health/ready", "/api/search"} <= set(paths)


def test_messages_are_in_the_database(client: TestClient) -> None:
    cid = post(client, "xin chào").json()["conversation_id"]
    with client.app.state.sessions() as session:
        assert session.query(Message).filter_by(conversation_id=cid).count() == 2


def test_decomposed_unicode_is_stored_and_sent_composed(client: TestClient, rasa: FakeRasa) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "lệ phí đăng ký thường trú")
    cid = post(client, decomposed).json()["conversation_id"]
    assert rasa.received[0]["message"] == "lệ phí đăng ký thường trú"
    assert client.get(f"/api/chat/{cid}/messages").json()["messages"][0]["text"] == "lệ phí đăng ký thường trú"


def test_a_button_payload_keeps_the_conversations_language(client: TestClient, rasa: FakeRasa) -> None:
    cid = post(client, "đăng ký thường trú cần giấy tờ gì").json()["conversation_id"]
    post(client, "/request_human", cid)  # alone, it reads as English
    assert [r["metadata"]["lang"] for r in rasa.received] == ["vi", "vi"]
