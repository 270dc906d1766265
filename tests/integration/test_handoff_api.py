"""The handoff loop through the real app and a real database (SQLite and PostgreSQL); Rasa is an httpx fake."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from api.app import create_app
from api.auth.passwords import hash_password
from api.auth.staff import upsert_staff
from api.settings import Settings
from db.base import utcnow
from db.handoff import CallbackRequest, SatisfactionRating, SocketTicket, Ticket
from db.models import Conversation
from db.session import session_scope
from db.staff import StaffUser
from tests.conftest import TEST_EMBEDDER

RESIDENCE = "1.004222"
PASSWORD = "handoff-test-pass"
BIRTH = "1.001193"


class ScriptedRasa:
    """Rasa's REST channel and tracker-events endpoint: `/request_human` hands off, "???" is unanswerable,
    anything else is answered from the residence guide (or the birth guide when it says "khai sinh")."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.events: list[tuple[str, str]] = []
        self.during_call = None  # a callable run while "Rasa" works on a message (to race the bot)
        self.down = False
        self.failing_resumes = 0  # the next resumes that fail with a 503

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused")
        body = json.loads(request.content)
        if request.url.path.endswith("/tracker/events"):
            assert request.url.params["token"]
            if body["event"] == "resume" and self.failing_resumes:
                self.failing_resumes -= 1
                return httpx.Response(503, json={"message": "busy"})
            self.events.append((request.url.path.split("/")[2], body["event"]))
            return httpx.Response(200, json={})
        self.messages.append(body["message"])
        if self.during_call:
            self.during_call(body["sender"])
        text = body["message"]
        if text == "/request_human":
            custom = {"kind": "handoff", "text": "Tôi đang chuyển bạn tới tổng đài viên.", "handoff": {"reason": "requested"}}
        elif text == "???":
            answer = {"status": "unanswerable", "procedures": [], "aspect": None, "guide": None, "offer_human": True}
            custom = {
                "kind": "answer",
                "text": "Tôi chưa tìm được hướng dẫn.",
                "answer": answer,
                "buttons": [{"title": "Gặp", "payload": "/request_human"}],
            }
        else:
            code = BIRTH if "khai sinh" in text else RESIDENCE
            answer = {
                "status": "answered",
                "procedures": [{"code": code, "title": "T", "url": "https://x"}],
                "aspect": "fee",
                "guide": None,
            }
            custom = {
                "kind": "answer",
                "text": "Lệ phí đăng ký: 20.000 đồng. Nộp tại Công an xã.",
                "answer": answer,
                "guide_code": code,
                "guide_version": 1,
            }
        return httpx.Response(200, json=[{"recipient_id": body["sender"], "custom": custom}])


@pytest.fixture
def rasa() -> ScriptedRasa:
    return ScriptedRasa()


@pytest.fixture(scope="module")
def password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once for every test account


@pytest.fixture
def client(settings: Settings, rasa: ScriptedRasa, password_hash: str) -> Iterator[TestClient]:
    app = create_app(settings, embedder=TEST_EMBEDDER, rasa_transport=httpx.MockTransport(rasa.handler))
    with TestClient(app) as client:
        app.state.handoff_config = app.state.handoff_config.model_copy(update={"always_open": True})
        with session_scope(app.state.sessions) as session:
            staff = [
                ("agent1", "Nguyễn Thị Lan", ["agent"], ["residence", "identity", "general"], ["vi", "en"]),
                ("agent2", "Trần Văn Minh", ["agent"], ["civil_status", "general"], ["vi"]),
                ("boss", "Lê Thu Hà", ["supervisor", "agent"], ["residence", "civil_status"], ["vi", "en"]),
                ("editor", "Phạm Bảo", ["editor"], [], ["vi"]),
            ]
            for username, name, roles, skills, languages in staff:
                session.add(
                    StaffUser(
                        username=username, password_hash=password_hash, display_name=name, roles=roles, skills=skills, languages=languages
                    )
                )
        yield client


def auth(client: TestClient, username: str) -> dict[str, str]:
    token = client.post("/api/auth/token", data={"username": username, "password": PASSWORD}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def say(client: TestClient, text: str, cid: str | None = None) -> dict:
    response = client.post("/api/chat/messages", json={"conversation_id": cid, "text": text, "lang": "vi"})
    assert response.status_code == 200, response.text
    return response.json()


def history(client: TestClient, cid: str) -> list[dict]:
    return client.get(f"/api/chat/{cid}/messages").json()["messages"]


def handed_off(client: TestClient, question: str = "lệ phí đăng ký thường trú") -> str:
    cid = say(client, question)["conversation_id"]
    turn = say(client, "/request_human", cid)
    assert turn["state"] == "waiting" and turn["messages"][0]["kind"] == "handoff"
    return cid


def test_the_whole_loop(client: TestClient, rasa: ScriptedRasa) -> None:
    cid = handed_off(client)
    assert (cid, "pause") in rasa.events

    # while waiting, the citizen's messages are kept and nobody (no bot) answers
    sent = len(rasa.messages)
    waiting = say(client, "tôi cần gấp, số điện thoại 0912345678", cid)
    assert waiting["state"] == "waiting" and waiting["messages"] == [] and len(rasa.messages) == sent

    view = client.get(f"/api/chat/{cid}/queue").json()
    assert view["position"] == 1 and view["queue_size"] == 1 and view["state"] == "waiting"

    lan = auth(client, "agent1")
    client.put("/api/agent/status", json={"status": "online"}, headers=lan)
    queued = client.get("/api/agent/tickets", headers=lan).json()
    assert [t["conversation_id"] for t in queued] == [cid] and queued[0]["skill"] == "residence"
    assert queued[0]["guide_code"] == RESIDENCE and "lệ phí đăng ký thường trú" in queued[0]["summary"]

    ticket = client.post("/api/agent/tickets/next", headers=lan).json()
    assert ticket["state"] == "assigned" and ticket["agent"] == "agent1"
    texts = [m["text"] for m in ticket["messages"]]
    assert any(t.startswith("tôi cần gấp") for t in texts) and not any("0912345678" in t for t in texts)
    assert client.get(f"/api/chat/{cid}/queue").json()["position"] == 0

    reply = client.post(f"/api/agent/tickets/{ticket['id']}/messages", json={"text": "Chào bạn, tôi là Lan."}, headers=lan)
    assert reply.status_code == 201
    citizen_sees = history(client, cid)
    assert citizen_sees[-1]["sender"] == "agent" and citizen_sees[-1]["text"] == "Chào bạn, tôi là Lan."
    assert client.get(f"/api/chat/{cid}/messages").json()["state"] == "agent"

    during = say(client, "cảm ơn, tôi cần hỏi thêm", cid)
    assert during["messages"] == [] and len(rasa.messages) == sent
    detail = client.get(f"/api/agent/tickets/{ticket['id']}", headers=lan).json()
    assert detail["messages"][-1]["sender"] == "citizen" and detail["messages"][-1]["text"] == "cảm ơn, tôi cần hỏi thêm"

    resolved = client.post(f"/api/agent/tickets/{ticket['id']}/resolve", json={"disposition": "answered"}, headers=lan)
    assert resolved.status_code == 200 and resolved.json()["state"] == "resolved"
    assert (cid, "resume") in rasa.events
    assert history(client, cid)[-1]["kind"] == "satisfaction"

    again = say(client, "còn lệ phí thì sao", cid)
    assert again["state"] == "bot" and again["messages"][0]["sender"] == "bot" and len(rasa.messages) == sent + 1

    rated = client.post(f"/api/chat/{cid}/satisfaction", json={"rating": 5, "comment": "nhanh, gọi 0912345678"})
    assert rated.status_code == 201
    assert client.post(f"/api/chat/{cid}/satisfaction", json={"rating": 4}).status_code == 409
    with client.app.state.sessions() as session:
        row = session.scalars(select(SatisfactionRating)).one()
        assert row.rating == 5 and "0912345678" not in (row.comment or "")


def test_conflicts_and_forbidden(client: TestClient) -> None:
    cid = handed_off(client)
    lan, minh, boss = auth(client, "agent1"), auth(client, "agent2"), auth(client, "boss")
    ticket_id = client.get("/api/agent/tickets", headers=lan).json()[0]["id"]

    no_skill = client.post(f"/api/agent/tickets/{ticket_id}/claim", headers=minh)
    assert no_skill.status_code == 403 and "residence" in no_skill.json()["detail"]
    assert client.post("/api/agent/tickets/next", headers=minh).status_code == 204  # nothing in civil_status

    assert client.post(f"/api/agent/tickets/{ticket_id}/claim", headers=lan).status_code == 200
    assert client.post(f"/api/agent/tickets/{ticket_id}/claim", headers=lan).status_code == 200  # idempotent
    taken = client.post(f"/api/agent/tickets/{ticket_id}/claim", headers=boss)
    assert taken.status_code == 409 and "Nguyễn Thị Lan (agent1)" in taken.json()["detail"]
    not_mine = client.post(f"/api/agent/tickets/{ticket_id}/messages", json={"text": "hi"}, headers=boss)
    assert not_mine.status_code == 409 and "agent1" in not_mine.json()["detail"]

    client.post(f"/api/agent/tickets/{ticket_id}/resolve", json={"disposition": "answered"}, headers=lan)
    closed = client.post(f"/api/agent/tickets/{ticket_id}/messages", json={"text": "còn đó không?"}, headers=lan)
    assert closed.status_code == 409 and "resolved" in closed.json()["detail"]
    assert client.post(f"/api/agent/tickets/{ticket_id}/claim", headers=boss).status_code == 409
    assert client.get(f"/api/chat/{cid}/messages").json()["state"] == "bot"


def test_staff_only(client: TestClient) -> None:
    assert client.get("/api/agent/tickets").status_code == 401
    assert client.get("/api/agent/tickets", headers=auth(client, "editor")).status_code == 403
    assert client.get("/api/agent/supervisor/overview", headers=auth(client, "agent1")).status_code == 403
    assert client.post("/api/agent/tickets/999/claim", headers=auth(client, "agent1")).status_code == 404


def test_two_unhelpful_answers_hand_off(client: TestClient, rasa: ScriptedRasa) -> None:
    first = say(client, "đăng ký khai sinh cho con")
    cid = first["conversation_id"]
    second = say(client, "lệ phí khai sinh", cid)
    one = client.post(f"/api/chat/{cid}/messages/{first['messages'][0]['id']}/feedback", json={"helpful": False})
    assert one.json()["handoff"] is False
    two = client.post(f"/api/chat/{cid}/messages/{second['messages'][0]['id']}/feedback", json={"helpful": False, "reason": "sai"})
    assert two.status_code == 201 and two.json()["handoff"] is True
    assert (cid, "pause") in rasa.events
    assert history(client, cid)[-1]["kind"] == "handoff"
    [ticket] = client.get("/api/agent/tickets", headers=auth(client, "agent2")).json()
    assert ticket["reason"] == "negative_feedback" and ticket["skill"] == "civil_status" and ticket["priority"] >= 4


def test_an_offer_is_not_a_handoff_until_accepted(client: TestClient) -> None:
    cid = say(client, "???")["conversation_id"]
    offer = say(client, "???", cid)
    assert offer["state"] == "bot" and offer["messages"][0]["buttons"][0]["payload"] == "/request_human"
    assert say(client, "/request_human", cid)["state"] == "waiting"
    [ticket] = client.get("/api/agent/tickets", headers=auth(client, "agent1")).json()
    assert ticket["reason"] == "repeated_failure" and ticket["skill"] == "general"


def test_asking_for_a_person_works_while_rasa_is_down(client: TestClient, rasa: ScriptedRasa) -> None:
    cid = say(client, "lệ phí thường trú")["conversation_id"]
    rasa.down = True
    turn = say(client, "/request_human", cid)
    assert turn["state"] == "waiting" and turn["messages"][0]["kind"] == "handoff"
    assert len(client.get("/api/agent/tickets", headers=auth(client, "agent1")).json()) == 1


def test_the_bot_stays_silent_when_a_person_takes_over_mid_turn(client: TestClient, rasa: ScriptedRasa) -> None:
    cid = say(client, "xin chào")["conversation_id"]

    def take_over(sender: str) -> None:
        with session_scope(client.app.state.sessions) as session:
            session.get(Conversation, sender).state = "waiting"

    rasa.during_call = take_over
    turn = say(client, "lệ phí thường trú", cid)
    assert turn["messages"] == [] and turn["state"] == "waiting"
    assert [m["sender"] for m in history(client, cid)][-2:] == ["bot", "citizen"]


def test_transfer_and_release(client: TestClient) -> None:
    handed_off(client)
    lan, minh = auth(client, "agent1"), auth(client, "agent2")
    ticket = client.post("/api/agent/tickets/next", headers=lan).json()
    moved = client.post(f"/api/agent/tickets/{ticket['id']}/transfer", json={"skill": "civil_status"}, headers=lan)
    assert moved.status_code == 200 and moved.json()["state"] == "queued" and moved.json()["transfers"] == 1
    mine = client.post("/api/agent/tickets/next", headers=minh).json()
    assert mine["id"] == ticket["id"] and mine["agent"] == "agent2"
    released = client.post(f"/api/agent/tickets/{ticket['id']}/release", headers=minh).json()
    assert released["state"] == "queued" and released["agent"] is None
    assert client.post(f"/api/agent/tickets/{ticket['id']}/transfer", json={"skill": "tax"}, headers=minh).status_code == 422


def test_capacity_is_respected(client: TestClient) -> None:
    with session_scope(client.app.state.sessions) as session:
        upsert_staff(
            session=session, username="solo", password=PASSWORD, display_name="Solo", roles=["agent"], skills=["residence"], capacity=1
        )
    handed_off(client)
    handed_off(client)
    solo = auth(client, "solo")
    assert client.post("/api/agent/tickets/next", headers=solo).status_code == 200
    full = client.post("/api/agent/tickets/next", headers=solo)
    assert full.status_code == 409 and "capacity 1" in full.json()["detail"]


def test_queue_positions_and_wait_estimate(client: TestClient) -> None:
    first, second = handed_off(client), handed_off(client)
    nobody = client.get(f"/api/chat/{second}/queue").json()
    assert nobody["position"] == 2 and nobody["estimated_wait_s"] is None and nobody["offer_callback"] is True
    client.put("/api/agent/status", json={"status": "online"}, headers=auth(client, "agent1"))
    view = client.get(f"/api/chat/{second}/queue").json()
    assert view["agents_online"] == 1 and view["estimated_wait_s"] > 0
    client.post("/api/agent/tickets/next", headers=auth(client, "agent1"))
    moved = client.get(f"/api/chat/{second}/queue").json()
    assert moved["position"] == 1 and moved["estimated_wait_s"] < view["estimated_wait_s"]
    assert client.get(f"/api/chat/{first}/queue").json()["position"] == 0


def test_callback_request(client: TestClient, rasa: ScriptedRasa) -> None:
    cid = handed_off(client)
    refused = client.post(f"/api/chat/{cid}/callback", json={"phone": "0912345678", "preferred_time": "sáng mai", "consent": False})
    assert refused.status_code == 422 and "consent" in refused.json()["detail"]
    bad = client.post(f"/api/chat/{cid}/callback", json={"phone": "12345678901", "consent": True})
    assert bad.status_code == 422
    made = client.post(f"/api/chat/{cid}/callback", json={"phone": "091 234 5678", "preferred_time": "sáng mai", "consent": True})
    assert made.status_code == 201
    assert client.get(f"/api/chat/{cid}/messages").json()["state"] == "bot" and (cid, "resume") in rasa.events
    lan = auth(client, "agent1")
    [callback] = client.get("/api/agent/callbacks", headers=lan).json()
    assert callback["phone"] == "0912345678" and callback["skill"] == "residence"
    done = client.post(f"/api/agent/callbacks/{callback['id']}/complete", json={"outcome": "reached"}, headers=lan)
    assert done.status_code == 200 and client.get("/api/agent/callbacks", headers=lan).json() == []
    with client.app.state.sessions() as session:
        assert session.scalars(select(Ticket)).one().disposition == "callback"
        assert session.scalars(select(CallbackRequest)).one().state == "reached"


def test_supervisor_overview(client: TestClient) -> None:
    handed_off(client)
    boss = auth(client, "boss")
    client.put("/api/agent/status", json={"status": "online"}, headers=boss)
    body = client.get("/api/agent/supervisor/overview", headers=boss).json()
    [q] = body["queues"]
    assert q["skill"] == "residence" and q["waiting"] == 1 and q["agents_online"] == 1
    assert {a["username"] for a in body["agents"]} == {"agent1", "agent2", "boss"}
    assert body["sla"]["answer_within_s"] == 60


def test_assist_and_canned(client: TestClient) -> None:
    handed_off(client, "đăng ký thường trú cần giấy tờ gì")
    lan = auth(client, "agent1")
    ticket = client.post("/api/agent/tickets/next", headers=lan).json()
    assist = client.get(f"/api/agent/tickets/{ticket['id']}/assist", headers=lan).json()
    assert assist["question"] == "đăng ký thường trú cần giấy tờ gì" and assist["suggestions"][0]["code"] == RESIDENCE
    assert len(client.get("/api/agent/canned", params={"lang": "en"}, headers=lan).json()) >= 3


def test_agent_messages_are_pushed_to_the_citizen_socket(client: TestClient) -> None:
    cid = handed_off(client)
    lan = auth(client, "agent1")
    ticket = client.post("/api/agent/tickets/next", headers=lan).json()
    socket_ticket = client.post(f"/api/agent/tickets/{ticket['id']}/ws-ticket", headers=lan).json()
    assert socket_ticket["expires_in"] == 30
    with (
        client.websocket_connect(f"/api/chat/{cid}/ws") as citizen,
        client.websocket_connect(f"/api/agent/tickets/{ticket['id']}/ws?ticket={socket_ticket['ticket']}") as agent,
    ):
        agent.send_json({"text": "Xin chào từ tổng đài"})
        event = citizen.receive_json()
        assert event["type"] == "message" and event["message"]["sender"] == "agent" and event["message"]["text"] == "Xin chào từ tổng đài"
        assert agent.receive_json()["message"]["text"] == "Xin chào từ tổng đài"
        say(client, "tôi nghe đây", cid)
        pushed = agent.receive_json()
        assert pushed["message"]["sender"] == "citizen" and pushed["message"]["text"] == "tôi nghe đây"


def refused(client: TestClient, url: str) -> int:
    """The close code of a socket the server closes right after the handshake."""
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(url) as socket:
        socket.receive_json()
    return closed.value.code


def test_agent_socket_tickets_are_single_use_short_lived_and_for_the_holder(client: TestClient) -> None:
    handed_off(client)
    handed_off(client, "đăng ký tạm trú")
    lan, minh = auth(client, "agent1"), auth(client, "agent2")
    first = client.post("/api/agent/tickets/next", headers=lan).json()["id"]
    second = client.post("/api/agent/tickets/next", headers=lan).json()["id"]
    issue = lambda ticket_id, headers=lan: client.post(f"/api/agent/tickets/{ticket_id}/ws-ticket", headers=headers)  # noqa: E731

    assert client.post(f"/api/agent/tickets/{first}/ws-ticket").status_code == 401  # no bearer token
    assert issue(first, minh).status_code == 409  # another agent holds it
    assert refused(client, f"/api/agent/tickets/{first}/ws") == 4401  # no ticket
    assert refused(client, f"/api/agent/tickets/{first}/ws?ticket=forged-ticket") == 4401
    bearer = lan["Authorization"].split()[1]
    assert refused(client, f"/api/agent/tickets/{first}/ws?token={bearer}") == 4401  # the staff token opens nothing

    secret = issue(first).json()["ticket"]
    with client.websocket_connect(f"/api/agent/tickets/{first}/ws?ticket={secret}"):
        pass
    assert refused(client, f"/api/agent/tickets/{first}/ws?ticket={secret}") == 4401  # reused

    other = issue(first).json()["ticket"]
    assert refused(client, f"/api/agent/tickets/{second}/ws?ticket={other}") == 4401  # issued for another ticket

    expired = issue(first).json()["ticket"]
    with session_scope(client.app.state.sessions) as session:
        rows = list(session.scalars(select(SocketTicket)))
        assert all(secret not in (row.digest, str(row.id)) for row in rows)  # only digests are stored
        for row in rows:
            row.expires_at = utcnow() - dt.timedelta(seconds=1)
    assert refused(client, f"/api/agent/tickets/{first}/ws?ticket={expired}") == 4401

    released = issue(first).json()["ticket"]
    assert client.post(f"/api/agent/tickets/{first}/release", headers=lan).status_code == 200
    assert refused(client, f"/api/agent/tickets/{first}/ws?ticket={released}") == 4403  # no longer the holder
    assert issue(first).status_code == 403  # queued: claim it first


def test_agent_console_pages(client: TestClient) -> None:
    assert 'data-testid="agent-login"' in client.get("/agent").text
    assert client.get("/agent/supervisor").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/agent/tickets",
        "/api/agent/tickets/next",
        "/api/agent/tickets/{ticket_id}/claim",
        "/api/chat/{conversation_id}/queue",
    } <= set(paths)


def resolved_with_rasa_failing(client: TestClient, rasa: ScriptedRasa, failures: int) -> str:
    cid = handed_off(client)
    lan = auth(client, "agent1")
    client.put("/api/agent/status", json={"status": "online"}, headers=lan)
    ticket = client.post("/api/agent/tickets/next", headers=lan).json()
    rasa.failing_resumes = failures
    assert client.post(f"/api/agent/tickets/{ticket['id']}/resolve", json={"disposition": "answered"}, headers=lan).status_code == 200
    return cid


def bot_paused(client: TestClient, cid: str) -> bool:
    with session_scope(client.app.state.sessions) as session:
        return session.get(Conversation, cid).bot_paused


def test_a_failed_resume_is_retried(client: TestClient, rasa: ScriptedRasa) -> None:
    cid = resolved_with_rasa_failing(client, rasa, failures=1)
    assert rasa.events.count((cid, "resume")) == 1 and rasa.failing_resumes == 0  # the second attempt went through
    assert not bot_paused(client, cid)


def test_a_resume_lost_at_resolve_is_made_by_the_next_turn(client: TestClient, rasa: ScriptedRasa) -> None:
    cid = resolved_with_rasa_failing(client, rasa, failures=10)  # every attempt at resolve fails
    assert (cid, "resume") not in rasa.events and bot_paused(client, cid)
    rasa.failing_resumes = 1  # still down at the citizen's next message: told so, and nothing is lost
    sent = len(rasa.messages)
    down = say(client, "còn lệ phí thì sao", cid)
    assert down["messages"][0]["kind"] == "notice" and len(rasa.messages) == sent
    assert history(client, cid)[-2]["text"] == "còn lệ phí thì sao"
    again = say(client, "còn lệ phí thì sao", cid)  # Rasa is back: resumed first, then asked
    assert rasa.events[-1] == (cid, "resume") and rasa.messages[-1] == "còn lệ phí thì sao"
    assert again["messages"][0]["kind"] == "answer" and not bot_paused(client, cid)


def test_personal_numbers_an_agent_types_are_redacted(client: TestClient) -> None:
    cid = handed_off(client)
    lan = auth(client, "agent1")
    client.put("/api/agent/status", json={"status": "online"}, headers=lan)
    ticket = client.post("/api/agent/tickets/next", headers=lan).json()
    sent = client.post(f"/api/agent/tickets/{ticket['id']}/messages", json={"text": "Số của bạn là 0912 345 678 phải không?"}, headers=lan)
    assert sent.status_code == 201
    assert history(client, cid)[-1]["text"] == "Số của bạn là [số điện thoại] phải không?"
