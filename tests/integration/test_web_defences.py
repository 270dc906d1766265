"""The web defences of the real app: cross-site state changes with the citizen's cookie refused
(logout, consent revocation, chat), security headers on the pages, Secure cookies behind a TLS
proxy, and the editor import capped in size and in unpacked size."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.editor.settings import EditorSettings
from api.identity.session import COOKIE
from api.settings import Settings
from api.web.settings import WebSettings
from db.identity import Consent
from db.session import session_scope
from tests.conftest import TEST_EMBEDDER
from tests.integration.editor_support import auth, editor_client, private_settings

MAI_ANH = ("001190000011", "demo-mai-anh")
MAI_ANH_SUBJECT = "demo-7f3a9c21"
OWN = "http://testserver"
EVIL = {"Origin": "https://evil.example"}
MB = 1024 * 1024


@pytest.fixture
def rasa_calls() -> list[dict[str, Any]]:
    return []


def client_for(settings: Settings, rasa_calls: list[dict[str, Any]], **kwargs: Any) -> TestClient:
    def rasa(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        rasa_calls.append(body)
        return httpx.Response(200, json=[{"recipient_id": body["sender"], "text": "ok"}])

    client = TestClient(create_app(settings, embedder=TEST_EMBEDDER, rasa_transport=httpx.MockTransport(rasa)), **kwargs)
    client.__enter__()
    return client


@pytest.fixture
def client(settings: Settings, rasa_calls: list[dict[str, Any]]) -> Iterator[TestClient]:
    client = client_for(settings, rasa_calls)
    yield client
    client.__exit__(None, None, None)


def sign_in(client: TestClient, account: tuple[str, str] = MAI_ANH) -> httpx.Response:
    """The browser's journey through the demo provider; its login form posts from its own page."""
    start = client.get("/api/identity/login", follow_redirects=False)
    query = {k: v[0] for k, v in parse_qs(urlparse(start.headers["location"]).query).items()}
    fields = {k: query[k] for k in ("client_id", "redirect_uri", "state", "nonce", "code_challenge")}
    back = client.post(
        "/demo-idp/authorize",
        data={**fields, "username": account[0], "password": account[1]},
        headers={"Origin": OWN},
        follow_redirects=False,
    )
    assert back.status_code == 303, back.text
    return client.get(back.headers["location"], follow_redirects=False)


def signed_in(client: TestClient) -> bool:
    return client.get("/api/identity/me").json()["signed_in"]


def test_logout_from_another_site_is_refused_and_from_ours_works(client: TestClient) -> None:
    sign_in(client)
    refused = client.post("/api/identity/logout", headers=EVIL)
    assert refused.status_code == 403 and "another site (Origin: https://evil.example)" in refused.json()["detail"]
    assert client.post("/api/identity/logout").status_code == 403  # a request that names no page at all
    assert signed_in(client)  # nothing changed
    assert client.post("/api/identity/logout", headers={"Referer": f"{OWN}/"}).status_code == 200
    assert not signed_in(client)


def test_consent_revocation_from_another_site_is_refused(client: TestClient) -> None:
    sign_in(client)
    with session_scope(client.app.state.sessions) as session:
        consent = Consent(subject=MAI_ANH_SUBJECT, form_code="CT01", fields=["so_dinh_danh"], granted=True)
        session.add(consent)
        session.flush()
        consent_id = consent.id
    assert client.delete(f"/api/identity/consents/{consent_id}", headers=EVIL).status_code == 403
    [listed] = client.get("/api/identity/consents").json()
    assert listed["revoked_at"] is None
    revoked = client.delete(f"/api/identity/consents/{consent_id}", headers={"Origin": OWN})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]


def test_a_signed_in_chat_message_from_another_site_never_reaches_the_bot(client: TestClient, rasa_calls: list[dict[str, Any]]) -> None:
    sign_in(client)
    text = {"text": "giúp tôi điền tờ khai CT01", "lang": "vi"}
    assert client.post("/api/chat/messages", json=text, headers=EVIL).status_code == 403
    assert rasa_calls == []
    assert client.post("/api/chat/messages", json=text, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200
    assert "identity" in rasa_calls[-1]["metadata"]


def test_the_public_address_is_our_origin_behind_a_proxy(settings: Settings, rasa_calls: list[dict[str, Any]]) -> None:
    """The proxy forwards to 127.0.0.1:8000 (the Host the app sees); the browser names https://helpdesk…"""
    public = settings.model_copy(update={"public_url": "https://helpdesk.example.gov.vn"})
    client = client_for(public, rasa_calls)
    try:
        client.cookies.set(COOKIE, "x")
        assert client.post("/api/identity/logout", headers={"Origin": "https://helpdesk.example.gov.vn"}).status_code == 200
        assert client.post("/api/identity/logout", headers={"Origin": "https://other.example.gov.vn"}).status_code == 403
    finally:
        client.__exit__(None, None, None)


def test_anonymous_requests_carry_nothing_to_forge(client: TestClient) -> None:
    assert client.post("/api/chat/messages", json={"text": "đăng ký tạm trú", "lang": "vi"}, headers=EVIL).status_code == 200


def test_the_pages_are_served_with_the_policy(client: TestClient) -> None:
    for path in ("/", "/agent", "/editor"):
        page = client.get(path)
        assert page.status_code == 200, path
        policy = page.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
        assert page.headers["x-content-type-options"] == "nosniff" and page.headers["x-frame-options"] == "DENY"
        assert "<script>" not in page.text and " onclick=" not in page.text and " style=" not in page.text, path
    assert "content-security-policy" not in client.get("/docs").headers  # development only: Swagger UI's CDN and inline script


def set_cookies(response: httpx.Response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def test_cookies_are_secure_over_https_and_behind_a_trusted_proxy_only(settings: Settings, rasa_calls: list[dict[str, Any]]) -> None:
    https_proto = {"X-Forwarded-Proto": "https"}

    def pending_cookie(s: Settings, **kwargs: Any) -> str:
        client = client_for(s, rasa_calls, client=("127.0.0.1", 50000), **kwargs)
        try:
            return set_cookies(client.get("/api/identity/login", headers=https_proto, follow_redirects=False))["helpdesk_oidc"]
        finally:
            client.__exit__(None, None, None)

    assert "Secure" not in pending_cookie(settings)  # the header of an untrusted client is not believed
    trusting = settings.model_copy(update={"web": WebSettings(trusted_proxies=["127.0.0.1"])})
    assert "Secure" in pending_cookie(trusting)
    assert "Secure" in pending_cookie(settings, base_url="https://testserver")
    assert "Secure" in pending_cookie(settings.model_copy(update={"public_url": "https://helpdesk.example.gov.vn"}))


def test_the_session_cookie_is_secure_and_its_deletion_too_over_https(settings: Settings, rasa_calls: list[dict[str, Any]]) -> None:
    client = client_for(settings, rasa_calls, base_url="https://testserver")
    try:
        done = sign_in(client)
        assert "Secure" in set_cookies(done)[COOKIE] and "HttpOnly" in set_cookies(done)[COOKIE]
        out = client.post("/api/identity/logout", headers={"Origin": "https://testserver"})
        assert "Secure" in set_cookies(out)[COOKIE]
        assert done.headers["strict-transport-security"].startswith("max-age=")
    finally:
        client.__exit__(None, None, None)


# ---- uploads ---------------------------------------------------------------------------------


@pytest.fixture
def editors(settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    with editor_client(private_settings(settings, tmp_path), EditorSettings(reload_poll_s=0.2)) as client:
        yield client


def test_an_oversized_upload_is_refused_naming_the_limit(editors: TestClient) -> None:
    e1 = auth(editors, "editor1")
    files = [("files", ("records.zip", bytes(6 * MB), "application/zip"))]
    refused = editors.post("/api/editor/import", files=files, headers=e1)
    assert refused.status_code == 413
    assert refused.json()["detail"].startswith("the upload is 6 MB") and refused.json()["detail"].endswith("the limit is 5 MB")


def test_a_zip_bomb_is_refused_with_413(editors: TestClient) -> None:
    e1 = auth(editors, "editor1")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("bo-thu/9.100001.json", "w") as member:
        for _ in range(200):
            member.write(bytes(MB))  # 200 MB of zeros deflate to about 200 KB
    files = [("files", ("records.zip", buffer.getvalue(), "application/zip"))]
    refused = editors.post("/api/editor/import", params={"dry_run": False}, files=files, headers=e1)
    assert refused.status_code == 413
    assert refused.json()["detail"] == "records.zip unpacks to 200 MB; the limit is 50 MB of records in one import"
    assert editors.get("/api/editor/guides", params={"q": "9.100001"}, headers=e1).json()["total"] == 0
