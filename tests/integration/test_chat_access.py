"""Who may use a conversation: its random id, plus the citizen's session for one a signed-in citizen started.

Feedback names its conversation and counts once per message (issue 12: a stranger's two posts used to
put any conversation in `waiting`). The app and database are real; Rasa is an httpx fake.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from api.app import create_app
from api.settings import Settings
from db.models import Conversation, Feedback
from tests.conftest import TEST_EMBEDDER
from tests.integration.test_chat_api import FakeRasa
from tests.integration.test_prefill_api import BAO, MAI_ANH, sign_in

SAME_SITE = {"Origin": "http://testserver"}  # what the chat page's own requests carry (api/web/origin.py)


@pytest.fixture
def app(settings: Settings) -> Iterator[TestClient]:
    """The citizen's browser; `other(app)` gives a second browser (its own cookies) on the same app."""
    application = create_app(settings, embedder=TEST_EMBEDDER, rasa_transport=httpx.MockTransport(FakeRasa().handler))
    with TestClient(application, headers=SAME_SITE) as client:
        yield client


def other(client: TestClient) -> TestClient:
    return TestClient(client.app, headers=SAME_SITE)


def say(client: TestClient, text: str, conversation_id: str | None = None) -> httpx.Response:
    return client.post("/api/chat/messages", json={"conversation_id": conversation_id, "text": text, "lang": "vi"})


def answer(client: TestClient, conversation_id: str | None = None) -> tuple[str, str]:
    turn = say(client, "lệ phí đăng ký thường trú", conversation_id).json()
    return turn["conversation_id"], turn["messages"][0]["id"]


def state_of(client: TestClient, conversation_id: str) -> str:
    with client.app.state.sessions() as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        return conversation.state


def test_a_strangers_feedback_is_refused_and_the_conversation_stays_with_the_bot(app: TestClient) -> None:
    """The issue's reproduction: message ids are sequential, so the stranger names theirs or guesses."""
    victim, victim_message = answer(app)
    _, second = answer(app, victim)
    stranger = other(app)
    own, _ = answer(stranger)
    for message_id in (victim_message, second, victim_message):
        refused = stranger.post(f"/api/chat/{own}/messages/{message_id}/feedback", json={"helpful": False})
        assert refused.status_code == 404
        assert stranger.post(f"/api/chat/messages/{message_id}/feedback", json={"helpful": False}).status_code in (404, 405)
    assert state_of(app, victim) == "bot"
    with app.app.state.sessions() as session:
        assert session.query(Feedback).count() == 0


def test_one_verdict_per_message_the_second_replaces_the_first(app: TestClient) -> None:
    cid, message = answer(app)
    first = app.post(f"/api/chat/{cid}/messages/{message}/feedback", json={"helpful": False, "reason": "thiếu"})
    again = app.post(f"/api/chat/{cid}/messages/{message}/feedback", json={"helpful": False, "reason": "sai lệ phí"})
    assert first.status_code == again.status_code == 201 and again.json()["handoff"] is False
    assert state_of(app, cid) == "bot"
    with app.app.state.sessions() as session:
        [row] = session.query(Feedback).all()
        assert (row.helpful, row.reason) == (False, "sai lệ phí")
    changed = app.post(f"/api/chat/{cid}/messages/{message}/feedback", json={"helpful": True})
    assert changed.json()["id"] == first.json()["id"]
    with app.app.state.sessions() as session:
        assert [f.helpful for f in session.query(Feedback)] == [True]

    # Two different answers found unhelpful still hand the chat to a person.
    _, second = answer(app, cid)
    assert app.post(f"/api/chat/{cid}/messages/{message}/feedback", json={"helpful": False}).json()["handoff"] is False
    assert app.post(f"/api/chat/{cid}/messages/{second}/feedback", json={"helpful": False}).json()["handoff"] is True
    assert state_of(app, cid) == "waiting"


def test_a_signed_in_citizens_conversation_needs_their_session(app: TestClient) -> None:
    sign_in(app, MAI_ANH)
    cid, message = answer(app)
    assert app.get(f"/api/chat/{cid}/messages").status_code == 200
    anonymous, bao = other(app), other(app)
    sign_in(bao, BAO)
    for stranger in (anonymous, bao):
        assert stranger.get(f"/api/chat/{cid}/messages").status_code == 404
        assert say(stranger, "cho tôi xem", cid).status_code == 404
        assert stranger.post(f"/api/chat/{cid}/messages/{message}/feedback", json={"helpful": False}).status_code == 404
        assert stranger.get(f"/api/chat/{cid}/queue").status_code == 404
        assert stranger.post(f"/api/chat/{cid}/satisfaction", json={"rating": 1}).status_code == 404
        callback = {"phone": "0900000111", "preferred_time": "sáng mai", "consent": True}
        assert stranger.post(f"/api/chat/{cid}/callback", json=callback).status_code == 404
        with pytest.raises(WebSocketDisconnect) as closed, stranger.websocket_connect(f"/api/chat/{cid}/ws"):
            pass
        assert closed.value.code == 4404
    with app.app.state.sessions() as session:
        assert session.query(Feedback).count() == 0
    with app.websocket_connect(f"/api/chat/{cid}/ws"):
        pass  # the citizen's own socket opens

    # Signed out, the same browser no longer reads it either (a shared computer).
    app.post("/api/identity/logout")
    assert app.get(f"/api/chat/{cid}/messages").status_code == 404


def test_signing_in_mid_chat_makes_the_conversation_the_citizens(app: TestClient) -> None:
    cid, _ = answer(app)
    anyone = other(app)
    assert anyone.get(f"/api/chat/{cid}/messages").status_code == 200  # anonymous: the id is the capability
    sign_in(app, MAI_ANH)
    assert say(app, "giúp tôi điền tờ khai", cid).status_code == 200
    assert anyone.get(f"/api/chat/{cid}/messages").status_code == 404
    assert app.get(f"/api/chat/{cid}/messages").status_code == 200
