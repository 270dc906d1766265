"""Sign-in with the demo provider, the identity token in the chat metadata, the form actions, drafts and refusals.

The app is real (real DB: SQLite and PostgreSQL); Rasa is an httpx transport that records what
it is sent. The form actions run here as rasa-sdk would run them, with trackers carrying the
metadata the app sent. tests/e2e/test_prefill_e2e.py does the same through the real Rasa server.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pypdf
import pytest
from fastapi.testclient import TestClient
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import ActionAskFormAnswer, ActionStartForm, ValidateApplicationForm
from actions.services import Services
from api.app import create_app
from api.auth.tokens import issue_token
from api.errors import Unauthorized
from api.identity.demo_provider import load_demo_citizens
from api.identity.session import ACTIONS_AUDIENCE, COOKIE, session_from_actions_token
from api.settings import DEV_SECRET, Settings
from db.models import Message
from db.session import session_scope
from tests.conftest import ROOT, TEST_EMBEDDER

MAI_ANH = ("001190000011", "demo-mai-anh")
BAO = ("079085000021", "demo-quoc-bao")


class RecordingRasa:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.received.append(body)
        return httpx.Response(200, json=[{"recipient_id": body["sender"], "text": "ok"}])


@pytest.fixture
def rasa() -> RecordingRasa:
    return RecordingRasa()


@pytest.fixture
def app_client(settings: Settings, rasa: RecordingRasa) -> Iterator[TestClient]:
    app = create_app(settings, embedder=TEST_EMBEDDER, rasa_transport=httpx.MockTransport(rasa.handler))
    with TestClient(app, headers={"Origin": "http://testserver"}) as client:  # as a browser does on a POST (api/web/origin.py)
        with session_scope(app.state.sessions) as session:
            load_demo_citizens(session=session, path=ROOT / "data" / "demo" / "citizens.yaml")
        yield client


def sign_in(client: TestClient, account: tuple[str, str]) -> httpx.Response:
    """The browser's journey: our login → the provider's page → its redirect → our callback."""
    start = client.get("/api/identity/login", follow_redirects=False)
    assert start.status_code == 303
    authorize = urlparse(start.headers["location"])
    assert authorize.path == "/demo-idp/authorize"
    query = {k: v[0] for k, v in parse_qs(authorize.query).items()}
    page = client.get("/demo-idp/authorize", params=query)
    assert page.status_code == 200 and 'data-testid="login-form"' in page.text
    fields = {k: query[k] for k in ("client_id", "redirect_uri", "state", "nonce", "code_challenge")}
    back = client.post("/demo-idp/authorize", data={**fields, "username": account[0], "password": account[1]}, follow_redirects=False)
    if back.status_code != 303:
        return back
    return client.get(back.headers["location"], follow_redirects=False)


def say(client: TestClient, text: str, conversation_id: str | None = None) -> dict[str, Any]:
    response = client.post("/api/chat/messages", json={"conversation_id": conversation_id, "text": text, "lang": "vi"})
    assert response.status_code == 200, response.text
    return response.json()


def tracker(metadata: dict[str, Any], text: str, intent: str = "start_form", **slots: Any) -> Tracker:
    return Tracker(
        "conv-1",
        {"form_code": None, "procedure_code": None, "requested_slot": "form_answer", **slots},
        {"text": text, "intent": {"name": intent}, "entities": [], "metadata": metadata},
        [],
        False,
        None,
        {},
        "action_listen",
    )


async def act(action: Any, track: Tracker) -> tuple[list[dict[str, Any]], Any]:
    """Run an action (or the form's validation of the latest text) as the executor would; (messages, events or slots)."""
    dispatcher = CollectingDispatcher()
    if isinstance(action, ValidateApplicationForm):
        result = await action.validate_form_answer(track.latest_message["text"], dispatcher, track, {})
    else:
        result = await action.run(dispatcher, track, {})
    return [m["custom"] for m in dispatcher.messages], result


def test_sign_in_sets_an_httponly_cookie_and_me_says_only_the_name(app_client: TestClient) -> None:
    assert app_client.get("/api/identity/me").json() == {"signed_in": False}
    done = sign_in(app_client, MAI_ANH)
    assert done.status_code == 303 and done.headers["location"] == "/"
    cookie = next(h for h in done.headers.get_list("set-cookie") if h.startswith(COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert app_client.get("/api/identity/me").json() == {"signed_in": True, "name": "Nguyễn Thị Mai Anh"}
    app_client.post("/api/identity/logout")
    assert app_client.get("/api/identity/me").json() == {"signed_in": False}


def test_wrong_password_and_a_tampered_state_are_refused(app_client: TestClient) -> None:
    assert sign_in(app_client, (MAI_ANH[0], "nope")).status_code == 401
    start = app_client.get("/api/identity/login", follow_redirects=False)
    assert start.status_code == 303
    assert app_client.get("/api/identity/callback", params={"code": "x", "state": "forged"}).status_code == 401


def test_the_chat_sends_an_identity_token_only_for_a_verified_session(app_client: TestClient, rasa: RecordingRasa) -> None:
    say(app_client, "tôi là Nguyễn Thị Mai Anh, số định danh 001190000011")
    assert set(rasa.received[-1]["metadata"]) == {"lang", "request_id"}  # typed text never signs anyone in
    sign_in(app_client, MAI_ANH)
    say(app_client, "giúp tôi điền tờ khai CT01")
    token = rasa.received[-1]["metadata"]["identity"]
    with app_client.app.state.sessions() as session:
        row = session_from_actions_token(session=session, token=token, secret=DEV_SECRET)
        assert row.profile["full_name"] == "Nguyễn Thị Mai Anh"
        assert "001190000011" not in token  # the token names a session, it carries no personal data
        stored = session.query(Message).filter_by(sender="citizen").all()
    assert "001190000011" not in stored[0].text


@pytest.mark.parametrize(
    "token",
    [
        issue_token(
            subject="demo-7f3a9c21",
            secret="someone-elses-secret-of-32-bytes-or-more",
            audience=ACTIONS_AUDIENCE,
            ttl=dt.timedelta(minutes=1),
        ),
        issue_token(subject="demo-7f3a9c21", secret=DEV_SECRET, audience="helpdesk-staff", ttl=dt.timedelta(minutes=1)),
        issue_token(subject="demo-7f3a9c21", secret=DEV_SECRET, audience=ACTIONS_AUDIENCE, ttl=dt.timedelta(seconds=-5)),
        "not-a-token",
    ],
    ids=["forged", "wrong-audience", "expired", "garbage"],
)
async def test_actions_refuse_bad_identity_tokens(app_client: TestClient, token: str) -> None:
    runtime = app_client.app.state.forms
    with runtime.sessions() as session, pytest.raises(Unauthorized):
        session_from_actions_token(session=session, token=token, secret=runtime.secret)
    messages, events = await act(
        ActionStartForm(Services.of(forms=runtime)), tracker({"lang": "vi", "identity": token}, "điền tờ khai CT01")
    )
    assert messages[0]["kind"] == "login_required"
    assert {"event": "slot", "name": "form_ready", "value": False, "timestamp": None} in events


async def test_whole_flow_draft_json_pdf_and_another_citizens_404(app_client: TestClient, rasa: RecordingRasa) -> None:
    runtime = app_client.app.state.forms
    sign_in(app_client, BAO)
    turn = say(app_client, "điền tờ khai CT01")
    metadata = rasa.received[-1]["metadata"]

    messages, events = await act(ActionStartForm(Services.of(forms=runtime)), tracker(metadata, "điền tờ khai CT01"))
    assert {"event": "slot", "name": "form_ready", "value": True, "timestamp": None} in events
    ask = ActionAskFormAnswer(Services.of(forms=runtime))
    validate = ValidateApplicationForm(Services.of(forms=runtime))

    async def answer(text: str, intent: str = "inform") -> list[dict[str, Any]]:
        replies, result = await act(validate, tracker(metadata, text, intent, form_code="CT01"))
        if result == {"form_answer": None}:
            replies += (await act(ask, tracker(metadata, text, intent, form_code="CT01")))[0]
        return replies

    [consent] = (await act(ask, tracker(metadata, "", form_code="CT01")))[0]
    assert consent["kind"] == "consent" and [b["payload"] for b in consent["buttons"]] == ["/affirm", "/deny"]
    assert (await answer("/affirm", "affirm"))[-1]["form"]["field"] == "co_quan_tiep_nhan"

    progress = app_client.get("/api/forms/CT01/progress").json()
    prefilled = {f["field"]: f for f in progress["fields"]}
    assert prefilled["ho_ten"]["value"] == "Lê Quốc Bảo" and prefilled["ho_ten"]["source"] == "identity"
    assert "dien_thoai" not in prefilled  # not on record: it will be asked

    assert (await answer("Công an phường Thảo Điền"))[-1]["form"]["field"] == "dien_thoai"
    refused = await answer("09abc12345")
    assert refused[0]["kind"] == "form_error" and "không có chữ cái" in refused[0]["text"]
    await answer("0900000222")
    await answer("Đăng ký tạm trú")
    await answer("không")
    assert (await answer("sửa số điện thoại"))[-1]["form"]["field"] == "dien_thoai"
    summary = await answer("0900000223")
    assert summary[-1]["kind"] == "form_summary"
    done, result = await act(validate, tracker(metadata, "/affirm", "affirm", form_code="CT01"))
    assert result == {"form_answer": "finished"} and done[0]["kind"] == "form_done"
    draft_id = done[0]["form"]["application_id"]

    body = app_client.get(f"/api/applications/{draft_id}").json()
    fields = {f["field"]: f for f in body["fields"]}
    assert fields["dien_thoai"] == {"field": "dien_thoai", "label": "Số điện thoại liên hệ", "value": "0900000223", "source": "citizen"}
    assert fields["so_dinh_danh"]["source"] == "identity"
    pdf = app_client.get(f"/api/applications/{draft_id}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Lê Quốc Bảo" in text and "Đăng ký tạm trú" in text
    assert [a["id"] for a in app_client.get("/api/applications").json()] == [draft_id]

    # another citizen sees nothing of it; nobody signed in is refused
    app_client.post("/api/identity/logout")
    assert app_client.get(f"/api/applications/{draft_id}").status_code == 401
    sign_in(app_client, MAI_ANH)
    assert app_client.get(f"/api/applications/{draft_id}").status_code == 404
    assert app_client.get(f"/api/applications/{draft_id}.pdf").status_code == 404
    assert turn["conversation_id"]


async def test_consent_refused_then_listed_and_revocable(app_client: TestClient, rasa: RecordingRasa) -> None:
    runtime = app_client.app.state.forms
    sign_in(app_client, MAI_ANH)
    say(app_client, "điền tờ khai hộ chiếu")
    metadata = rasa.received[-1]["metadata"]
    await act(ActionStartForm(Services.of(forms=runtime)), tracker(metadata, "điền tờ khai hộ chiếu"))
    replies, _ = await act(ValidateApplicationForm(Services.of(forms=runtime)), tracker(metadata, "/deny", "deny", form_code="TK01-HC"))
    assert "không dùng dữ liệu định danh" in replies[0]["text"]
    assert app_client.get("/api/forms/TK01-HC/progress").json()["fields"] == []
    [consent] = app_client.get("/api/identity/consents").json()
    assert consent["granted"] is False and consent["form_code"] == "TK01-HC" and "so_dinh_danh" in consent["fields"]
    assert app_client.delete(f"/api/identity/consents/{consent['id']}").json()["revoked_at"]


def test_not_signed_in_is_refused(app_client: TestClient) -> None:
    for url in (
        "/api/applications",
        "/api/applications/abc",
        "/api/applications/abc.pdf",
        "/api/forms/CT01/progress",
        "/api/identity/consents",
    ):
        assert app_client.get(url).status_code == 401, url
    assert app_client.get("/api/forms").status_code == 200
