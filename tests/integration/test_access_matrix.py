"""Every endpoint, every role: the status each one gets (issue 12, access control).

One app and one setup (SQLite): citizen A's conversation handed to agent1 (ticket T1), more tickets for
the endpoints that change a ticket, a callback, A's consent, form in progress and draft. Rows run in
table order and roles in `ROLES` order, so a row that changes something says what the later roles
find (T2 is claimed by the holder before the supervisor tries). Rate limits are off: they are not
access control (tests/api/test_limits.py). A new endpoint fails `test_every_endpoint_is_in_the_table`
until it has a row here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from api.app import create_app
from api.auth.passwords import hash_password
from api.settings import Settings
from db.dossiers import Dossier
from db.handoff import CallbackRequest, Ticket
from db.identity import ApplicationDraft, CitizenSession, Consent, FormProgress
from db.session import migrate, session_scope
from db.staff import StaffUser
from knowledge.guides import load_guide_dir
from knowledge.repository import upsert_guide
from tests.conftest import ROOT, TEST_EMBEDDER
from tests.integration.test_handoff_api import ScriptedRasa
from tests.integration.test_prefill_api import BAO, MAI_ANH, sign_in

ROLES = ("anonymous", "citizen_a", "citizen_b", "agent_noskill", "agent_holder", "supervisor", "editor", "admin")
SAME_SITE = {"Origin": "http://testserver"}  # what the app's own pages send (api/web/origin.py)
PASSWORD = "matrix-test-pass"
STAFF = {  # username: roles, skills, languages
    "agent_noskill": (["agent"], ["civil_status"], ["vi"]),
    "agent_holder": (["agent"], ["residence", "general"], ["vi", "en"]),
    "supervisor": (["supervisor", "agent"], ["residence", "civil_status", "general"], ["vi", "en"]),
    "editor": (["editor"], [], ["vi"]),
    "admin": (["admin"], [], ["vi"]),
}
GUIDE = "1.004222"  # a curated residence guide: its handoffs queue for `residence`
WS_OPEN = 101  # a socket that opened; refused ones give their close code

STAFF_ONLY = (401, 401, 401, 200, 200, 200, 200, 200)
AGENTS = (401, 401, 401, 200, 200, 200, 403, 200)
EDITORS_422 = (401, 401, 401, 403, 403, 403, 422, 422)  # editor role passes; the empty body is then refused, nothing changes
EDITORS = (401, 401, 401, 403, 403, 403, 200, 200)
CITIZEN_A_ONLY = (404, 200, 404, 404, 404, 404, 404, 404)  # A's conversation: 404 without A's session
OWN_A = (401, 200, 404, 401, 401, 401, 401, 401)  # A's data behind the citizen session: B gets 404 like a missing id
SIGNED_IN = (401, 200, 200, 401, 401, 401, 401, 401)
EVERYONE = (200,) * 8
OFFICERS = (401, 401, 401, 403, 403, 403, 403, 200)  # processing_officer (issue 16); of these roles only admin has it

# (method, path) → (url, request keywords, expected status per role in ROLES order). `{name}` in the
# url is an object made in setup.
TABLE: dict[tuple[str, str], tuple[str, dict[str, Any], tuple[int, ...]]] = {
    # ---- the citizen's chat
    ("POST", "/api/chat/messages"): ("/api/chat/messages", {"json": {"conversation_id": "{cid_a}", "text": "còn gì nữa?"}}, CITIZEN_A_ONLY),
    ("GET", "/api/chat/{conversation_id}/messages"): ("/api/chat/{cid_a}/messages", {}, CITIZEN_A_ONLY),
    ("POST", "/api/chat/{conversation_id}/messages/{message_id}/feedback"): (
        "/api/chat/{cid_a}/messages/{answer_a}/feedback",
        {"json": {"helpful": True}},
        (404, 201, 404, 404, 404, 404, 404, 404),
    ),
    ("GET", "/api/chat/{conversation_id}/queue"): ("/api/chat/{cid_a}/queue", {}, CITIZEN_A_ONLY),
    # A passes the owner check; an agent already chats with A, so no callback (409) and nothing to rate yet (409).
    ("POST", "/api/chat/{conversation_id}/callback"): (
        "/api/chat/{cid_a}/callback",
        {"json": {"phone": "0900000111", "consent": True}},
        (404, 409, 404, 404, 404, 404, 404, 404),
    ),
    ("POST", "/api/chat/{conversation_id}/satisfaction"): (
        "/api/chat/{cid_a}/satisfaction",
        {"json": {"rating": 5}},
        (404, 409, 404, 404, 404, 404, 404, 404),
    ),
    ("WS", "/api/chat/{conversation_id}/ws"): ("/api/chat/{cid_a}/ws", {}, (4404, WS_OPEN, 4404, 4404, 4404, 4404, 4404, 4404)),
    ("GET", "/api/search"): ("/api/search", {"params": {"q": "lệ phí đăng ký thường trú"}}, EVERYONE),
    ("GET", "/"): ("/", {}, EVERYONE),
    # ---- operations
    ("GET", "/api/health/live"): ("/api/health/live", {}, EVERYONE),
    ("GET", "/api/health/ready"): ("/api/health/ready", {}, EVERYONE),
    ("GET", "/metrics"): (
        "/metrics",
        {},
        EVERYONE,
    ),  # development serves it; production hides it (tests/integration/test_operations_api.py)
    ("POST", "/webhooks/actions"): ("/webhooks/actions", {"json": {}}, (401,) * 8),  # only Rasa holds the action token
    # ---- staff sign-in
    ("POST", "/api/auth/token"): ("/api/auth/token", {"data": {"username": "editor", "password": PASSWORD}}, EVERYONE),
    ("GET", "/api/auth/me"): ("/api/auth/me", {}, STAFF_ONLY),
    # ---- agents: T1 is A's ticket held by agent_holder (residence/vi)
    ("GET", "/api/agent/me"): ("/api/agent/me", {}, AGENTS),
    ("PUT", "/api/agent/status"): ("/api/agent/status", {"json": {"status": "online"}}, AGENTS),
    ("GET", "/api/agent/queues"): ("/api/agent/queues", {}, AGENTS),
    ("GET", "/api/agent/tickets"): ("/api/agent/tickets", {"params": {"state": "assigned"}}, AGENTS),
    ("GET", "/api/agent/tickets/{ticket_id}"): ("/api/agent/tickets/{t1}", {}, (401, 401, 401, 403, 200, 200, 403, 200)),
    ("GET", "/api/agent/tickets/{ticket_id}/assist"): ("/api/agent/tickets/{t1}/assist", {}, (401, 401, 401, 403, 200, 200, 403, 200)),
    # A's dossiers: only T1's holder and supervisors (agent_noskill is refused like any other agent)
    ("GET", "/api/agent/tickets/{ticket_id}/dossiers"): ("/api/agent/tickets/{t1}/dossiers", {}, (401, 401, 401, 403, 200, 200, 403, 200)),
    # only the holder writes to the citizen; the others are told who holds it (409)
    ("POST", "/api/agent/tickets/{ticket_id}/messages"): (
        "/api/agent/tickets/{t1}/messages",
        {"json": {"text": "Chào chị"}},
        (401, 401, 401, 409, 201, 409, 403, 409),
    ),
    ("POST", "/api/agent/tickets/{ticket_id}/ws-ticket"): (
        "/api/agent/tickets/{t1}/ws-ticket",
        {},
        (401, 401, 401, 409, 201, 201, 403, 201),
    ),
    # each staff role asks for its own ws-ticket first (api/handoff/sockets.py); without one the socket closes 4401
    ("WS", "/api/agent/tickets/{ticket_id}/ws"): (
        "/api/agent/tickets/{t1}/ws",
        {},
        (4401, 4401, 4401, 4401, WS_OPEN, WS_OPEN, 4401, WS_OPEN),
    ),
    # T2 waits in the residence queue: no skill → 403; the holder claims it, so the supervisor and admin find it taken
    ("POST", "/api/agent/tickets/{ticket_id}/claim"): ("/api/agent/tickets/{t2}/claim", {}, (401, 401, 401, 403, 200, 409, 403, 409)),
    ("POST", "/api/agent/tickets/next"): ("/api/agent/tickets/next", {}, (401, 401, 401, 204, 204, 204, 403, 204)),  # nothing waits now
    # T3, T4, T5 are held by the holder; a supervisor may release or transfer any ticket
    ("POST", "/api/agent/tickets/{ticket_id}/release"): (
        "/api/agent/tickets/{t3}/release",
        {},
        (401, 401, 401, 409, 200, 200, 403, 200),
    ),
    ("POST", "/api/agent/tickets/{ticket_id}/transfer"): (
        "/api/agent/tickets/{t4}/transfer",
        {"json": {"skill": "civil_status"}},
        (401, 401, 401, 409, 200, 200, 403, 200),
    ),
    ("POST", "/api/agent/tickets/{ticket_id}/resolve"): (  # resolved by the holder: then closed for everyone
        "/api/agent/tickets/{t5}/resolve",
        {"json": {"disposition": "answered"}},
        (401, 401, 401, 409, 200, 409, 403, 409),
    ),
    ("GET", "/api/agent/canned"): ("/api/agent/canned", {}, AGENTS),
    ("GET", "/api/agent/callbacks"): ("/api/agent/callbacks", {}, AGENTS),
    # a residence callback: not for the civil_status agent; done by the holder, then done for everyone
    ("POST", "/api/agent/callbacks/{callback_id}/complete"): (
        "/api/agent/callbacks/{callback}/complete",
        {"json": {"outcome": "reached"}},
        (401, 401, 401, 403, 200, 409, 403, 409),
    ),
    ("GET", "/api/agent/supervisor/overview"): ("/api/agent/supervisor/overview", {}, (401, 401, 401, 403, 403, 200, 403, 200)),
    ("GET", "/agent"): ("/agent", {}, EVERYONE),  # the pages are static shells; their data needs the API's roles
    ("GET", "/agent/supervisor"): ("/agent/supervisor", {}, EVERYONE),
    ("GET", "/agent/dashboard"): ("/agent/dashboard", {}, EVERYONE),
    # ---- analytics (issue 15): supervisors and admins all of it, editors the knowledge part, agents 403
    ("GET", "/api/analytics/service"): ("/api/analytics/service", {}, (401, 401, 401, 403, 403, 200, 403, 200)),
    ("GET", "/api/analytics/knowledge"): ("/api/analytics/knowledge", {}, (401, 401, 401, 403, 403, 200, 200, 200)),
    ("GET", "/api/analytics/tables/{table}.csv"): ("/api/analytics/tables/waits.csv", {}, (401, 401, 401, 403, 403, 200, 403, 200)),
    ("GET", "/api/analytics/charts/{table}.svg"): ("/api/analytics/charts/hours.svg", {}, (401, 401, 401, 403, 403, 200, 200, 200)),
    # ---- editors: reading needs a staff role, writing the editor role
    ("GET", "/editor"): ("/editor", {}, EVERYONE),
    ("GET", "/api/editor/guides"): ("/api/editor/guides", {}, STAFF_ONLY),
    ("POST", "/api/editor/guides"): ("/api/editor/guides", {"json": {}}, EDITORS_422),
    ("GET", "/api/editor/guides/{code}"): (f"/api/editor/guides/{GUIDE}", {}, STAFF_ONLY),
    ("PUT", "/api/editor/guides/{code}/draft"): (f"/api/editor/guides/{GUIDE}/draft", {"json": {}}, EDITORS_422),
    ("POST", "/api/editor/guides/{code}/submit"): (f"/api/editor/guides/{GUIDE}/submit", {"json": {}}, EDITORS_422),
    ("POST", "/api/editor/guides/{code}/reject"): (f"/api/editor/guides/{GUIDE}/reject", {"json": {}}, EDITORS_422),
    ("POST", "/api/editor/guides/{code}/rollback"): (f"/api/editor/guides/{GUIDE}/rollback", {"json": {}}, EDITORS_422),
    ("POST", "/api/editor/guides/{code}/publish"): (f"/api/editor/guides/{GUIDE}/publish", {"json": {}}, EDITORS_422),
    ("POST", "/api/editor/guides/{code}/archive"): (f"/api/editor/guides/{GUIDE}/archive", {"json": {}}, EDITORS_422),
    ("GET", "/api/editor/guides/{code}/versions/{version}"): (f"/api/editor/guides/{GUIDE}/versions/1", {}, STAFF_ONLY),
    ("GET", "/api/editor/guides/{code}/diff"): (f"/api/editor/guides/{GUIDE}/diff", {"params": {"from": 1, "to": 1}}, STAFF_ONLY),
    ("POST", "/api/editor/guides/{code}/preview"): (
        f"/api/editor/guides/{GUIDE}/preview",
        {"json": {"questions": ["lệ phí?"]}},
        EDITORS,
    ),
    ("GET", "/api/editor/audit"): ("/api/editor/audit", {}, EDITORS),
    ("GET", "/api/editor/knowledge"): ("/api/editor/knowledge", {}, STAFF_ONLY),
    ("GET", "/api/editor/gaps"): ("/api/editor/gaps", {}, EDITORS),
    ("POST", "/api/editor/gaps/{key}/draft"): ("/api/editor/gaps/some-gap/draft", {"json": {}}, EDITORS_422),
    ("POST", "/api/editor/import"): ("/api/editor/import", {}, EDITORS_422),
    ("GET", "/api/editor/export"): ("/api/editor/export", {}, EDITORS),
    # ---- citizen identity, forms, drafts
    ("GET", "/api/identity/login"): ("/api/identity/login", {}, (303,) * 8),
    ("GET", "/api/identity/callback"): ("/api/identity/callback", {}, (401,) * 8),  # no sign-in was started in this browser
    ("GET", "/api/identity/me"): ("/api/identity/me", {}, EVERYONE),
    ("GET", "/api/identity/consents"): ("/api/identity/consents", {}, SIGNED_IN),
    ("DELETE", "/api/identity/consents/{consent_id}"): ("/api/identity/consents/{consent_a}", {}, OWN_A),
    ("GET", "/demo-idp/.well-known/openid-configuration"): ("/demo-idp/.well-known/openid-configuration", {}, EVERYONE),
    ("GET", "/demo-idp/jwks.json"): ("/demo-idp/jwks.json", {}, EVERYONE),
    ("GET", "/demo-idp/authorize"): ("/demo-idp/authorize", {}, (422,) * 8),
    ("POST", "/demo-idp/authorize"): ("/demo-idp/authorize", {"data": {}}, (422,) * 8),
    ("POST", "/demo-idp/token"): ("/demo-idp/token", {"data": {}}, (422,) * 8),
    ("GET", "/api/forms"): ("/api/forms", {}, EVERYONE),
    ("GET", "/api/forms/active"): ("/api/forms/active", {}, OWN_A),
    ("GET", "/api/forms/{form_code}"): ("/api/forms/CT01", {}, EVERYONE),
    ("GET", "/api/forms/{form_code}/progress"): ("/api/forms/CT01/progress", {}, OWN_A),
    ("GET", "/api/applications"): ("/api/applications", {}, SIGNED_IN),
    ("GET", "/api/applications/{application_id}.pdf"): ("/api/applications/{draft_a}.pdf", {}, OWN_A),
    ("GET", "/api/applications/{application_id}"): ("/api/applications/{draft_a}", {}, OWN_A),
    # ---- dossiers (docs/dossiers.md): A's draft is empty, so A's submit is refused naming what is missing (422)
    ("POST", "/api/applications/{application_id}/submit"): (
        "/api/applications/{draft_a}/submit",
        {},
        (401, 422, 404, 401, 401, 401, 401, 401),
    ),
    ("GET", "/api/dossiers"): ("/api/dossiers", {}, SIGNED_IN),
    ("POST", "/api/dossiers/lookup"): ("/api/dossiers/lookup", {"json": {"code": "{dossier_a}", "phone": "0900000111"}}, EVERYONE),
    ("GET", "/api/dossiers/{code}"): ("/api/dossiers/{dossier_a}", {}, OWN_A),
    # nothing was asked of A's received dossier yet: 409 for A, 404 for B
    ("POST", "/api/dossiers/{code}/supplement"): (
        "/api/dossiers/{dossier_a}/supplement",
        {"json": {"note": "đã bổ sung"}},
        (401, 409, 404, 401, 401, 401, 401, 401),
    ),
    ("GET", "/api/backoffice/dossiers"): ("/api/backoffice/dossiers", {}, OFFICERS),
    ("GET", "/api/backoffice/dossiers/{code}"): ("/api/backoffice/dossiers/{dossier_a}", {}, OFFICERS),
    ("POST", "/api/backoffice/dossiers/{code}/advance"): (
        "/api/backoffice/dossiers/{dossier_a}/advance",
        {"json": {"to": "processing"}},
        OFFICERS,
    ),
    ("POST", "/api/backoffice/dossiers/{code}/supplement"): (
        "/api/backoffice/dossiers/{dossier_a}/supplement",
        {"json": {"reason_vi": "Thiếu giấy tờ", "documents": ["proof_of_residence"]}},
        OFFICERS,
    ),
    ("GET", "/agent/dossiers"): ("/agent/dossiers", {}, EVERYONE),
    # each citizen answers, reads and revokes only their own consent to reminders (the session names whose)
    ("POST", "/api/reminders/consent"): ("/api/reminders/consent", {"json": {"granted": True}}, SIGNED_IN),
    ("GET", "/api/reminders"): ("/api/reminders", {}, SIGNED_IN),
    ("DELETE", "/api/reminders/consent"): ("/api/reminders/consent", {}, SIGNED_IN),
    ("POST", "/api/identity/logout"): ("/api/identity/logout", {}, EVERYONE),  # last: it ends the citizens' sessions
}


def operations(app: Any) -> set[tuple[str, str]]:
    """Every operation of the OpenAPI schema, the WebSocket routes and the routes kept out of the schema."""
    found = {(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIWebSocketRoute):
            found.add(("WS", context.path))
        elif isinstance(route, APIRoute):
            found |= {(method, context.path) for method in context.methods if method != "HEAD"}
    return found


@dataclass
class World:
    clients: dict[str, TestClient]
    ids: dict[str, str]


def _settings(tmp_path_factory: pytest.TempPathFactory, index_dir: Any) -> Settings:
    url = f"sqlite:///{tmp_path_factory.mktemp('matrix') / 'test.db'}"
    migrate(url)
    return Settings(
        mode="development",
        database_url=url,
        index_dir=index_dir,
        embedding_model=TEST_EMBEDDER.name,
        rasa_url="http://127.0.0.1:9",
        terms_file=ROOT / "data" / "terms.yaml",
        limits={"enabled": False},
    )


def _handed_off(client: TestClient, text: str = "lệ phí đăng ký thường trú", cid: str | None = None) -> tuple[str, str, int]:
    """A conversation answered once (its answer's id) and then handed to a person (its ticket's id)."""
    turn = client.post("/api/chat/messages", json={"conversation_id": cid, "text": text, "lang": "vi"}).json()
    cid, answer = turn["conversation_id"], turn["messages"][0]["id"]
    assert client.post("/api/chat/messages", json={"conversation_id": cid, "text": "/request_human"}).json()["state"] == "waiting"
    with client.app.state.sessions() as session:
        ticket = session.scalar(select(Ticket.id).where(Ticket.conversation_id == cid))
    assert ticket is not None
    return cid, answer, ticket


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, index_dir: Any) -> Iterator[World]:
    settings = _settings(tmp_path_factory, index_dir)
    app = create_app(settings, embedder=TEST_EMBEDDER, rasa_transport=httpx.MockTransport(_rasa_with_status()))
    with TestClient(app, headers=SAME_SITE) as anonymous:
        app.state.handoff_config = app.state.handoff_config.model_copy(update={"always_open": True})
        password_hash = hash_password(PASSWORD)
        with session_scope(app.state.sessions) as session:
            for username, (roles, skills, languages) in STAFF.items():
                session.add(
                    StaffUser(
                        username=username,
                        password_hash=password_hash,
                        display_name=username,
                        roles=roles,
                        skills=skills,
                        languages=languages,
                        capacity=10,
                    )
                )
            for guide in load_guide_dir(ROOT / "data" / "guides"):
                upsert_guide(session=session, guide=guide, source="test")
        clients = {"anonymous": anonymous, **{role: TestClient(app, headers=SAME_SITE) for role in ROLES[1:]}}
        sign_in(clients["citizen_a"], MAI_ANH)
        sign_in(clients["citizen_b"], BAO)
        for username in STAFF:
            token = clients[username].post("/api/auth/token", data={"username": username, "password": PASSWORD}).json()["access_token"]
            clients[username].headers["Authorization"] = f"Bearer {token}"

        holder = clients["agent_holder"]
        cid_a, answer_a, t1 = _handed_off(clients["citizen_a"])
        t2 = _handed_off(anonymous)[2]
        t3, t4, t5 = (_handed_off(anonymous)[2] for _ in range(3))
        for ticket in (t1, t3, t4, t5):
            assert holder.post(f"/api/agent/tickets/{ticket}/claim").status_code == 200
        waiting = _handed_off(anonymous)[0]
        callback = {"phone": "0900000222", "preferred_time": "sáng mai", "consent": True}
        assert anonymous.post(f"/api/chat/{waiting}/callback", json=callback).status_code == 201
        with session_scope(app.state.sessions) as session:
            subject_a = session.scalar(select(CitizenSession.subject).order_by(CitizenSession.created_at).limit(1))  # A signed in first
            consent = Consent(subject=subject_a, form_code="CT01", fields=["full_name"], granted=True)
            draft = ApplicationDraft(subject=subject_a, form_code="CT01", values=[])
            dossier = Dossier(  # A's submitted dossier (issue 16)
                code="HS-261203-MATRIX",
                subject=subject_a,
                phone="0900000111",
                form_code="CT01",
                procedure=GUIDE,
                expected_on=dt.date(2026, 12, 14),
            )
            session.add_all([consent, draft, dossier, FormProgress(subject=subject_a, form_code="CT01", stage="filling", values={})])
            session.flush()
            ids = {
                "cid_a": cid_a,
                "answer_a": answer_a,
                "t1": str(t1),
                "t2": str(t2),
                "t3": str(t3),
                "t4": str(t4),
                "t5": str(t5),
                "callback": str(session.scalar(select(CallbackRequest.id))),
                "consent_a": str(consent.id),
                "draft_a": draft.id,
                "dossier_a": dossier.code,
            }
        yield World(clients, ids)


def _rasa_with_status():  # type: ignore[no-untyped-def]
    scripted = ScriptedRasa()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_file": "test.tar.gz"})
        return scripted.handler(request)

    return handler


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids) if "{" in value else value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _call(world: World, role: str, method: str, url: str, kwargs: dict[str, Any]) -> int:
    client = world.clients[role]
    if method != "WS":
        return client.request(method, url, follow_redirects=False, **kwargs).status_code
    if "/api/agent/" in url:  # the agent socket opens with a single-use ticket asked for with the bearer token
        issued = client.post(url.removesuffix("/ws") + "/ws-ticket")
        url += f"?ticket={issued.json()['ticket']}" if issued.status_code == 201 else ""
    try:
        with client.websocket_connect(url) as socket:
            if "/api/agent/" in url:  # accepted, then closed when refused: a frame tells them apart
                socket.send_json({"text": "Chị chờ chút nhé"})
                socket.receive_json()  # the message pushed back, or an error frame for a supervisor who does not hold it
            return WS_OPEN
    except WebSocketDisconnect as closed:
        return closed.code


def test_every_endpoint_is_in_the_table(world: World) -> None:
    found = operations(world.clients["anonymous"].app)
    assert not found - set(TABLE), f"endpoints without a row in TABLE (add the status each role must get): {sorted(found - set(TABLE))}"
    assert not set(TABLE) - found, f"rows of TABLE for endpoints that no longer exist: {sorted(set(TABLE) - found)}"


def test_every_role_gets_the_expected_status(world: World) -> None:
    wrong = []
    for (method, _path), (url, kwargs, expected) in TABLE.items():
        assert len(expected) == len(ROLES)
        for role, status in zip(ROLES, expected, strict=True):
            got = _call(world, role, method, _fill(url, world.ids), _fill(kwargs, world.ids))
            if got != status:
                wrong.append(f"{method} {url} as {role}: {got}, expected {status}")
    assert not wrong, "\n".join(wrong)


def test_agents_list_only_the_tickets_they_may_read(world: World) -> None:
    """The list shows what GET /api/agent/tickets/{id} would show: a civil_status agent sees none of the residence tickets."""
    listed = {
        role: {
            t["id"]
            for state in ("queued", "assigned")
            for t in world.clients[role].get("/api/agent/tickets", params={"state": state}).json()
        }
        for role in ("agent_noskill", "agent_holder", "supervisor")
    }
    t1 = int(world.ids["t1"])
    assert t1 not in listed["agent_noskill"] and t1 in listed["agent_holder"] and t1 in listed["supervisor"]
    assert listed["agent_noskill"] <= listed["supervisor"]


def test_the_holder_sees_the_citizens_dossiers_without_values(world: World) -> None:
    """T1 is signed-in A's ticket: its holder sees A's dossier (code, procedure, state) but not the phone on it;
    an anonymous chat's ticket (T3, which a supervisor may read) has none."""
    holder = world.clients["agent_holder"]
    dossiers = holder.get(f"/api/agent/tickets/{world.ids['t1']}/dossiers")
    assert dossiers.status_code == 200
    assert [d["code"] for d in dossiers.json()] == [world.ids["dossier_a"]]
    assert dossiers.json()[0]["procedure"] == GUIDE and dossiers.json()[0]["state_label"]
    assert "0900000111" not in dossiers.text and "phone" not in dossiers.json()[0]
    assert world.clients["supervisor"].get(f"/api/agent/tickets/{world.ids['t3']}/dossiers").json() == []
