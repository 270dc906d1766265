"""U+0000 is refused with 400 before any route runs (PostgreSQL stores none: it was a 500)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI, Form, Request
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from api.app import create_app
from api.settings import Settings
from api.web.nul import REFUSAL, RefuseNul
from tests.conftest import TEST_EMBEDDER


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    app.add_middleware(RefuseNul)

    @app.post("/json")
    async def echo(body: dict[str, Any]) -> dict[str, Any]:
        return body

    @app.post("/form")
    async def form(username: str = Form()) -> dict[str, str]:
        return {"username": username}

    @app.post("/raw")
    async def raw(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    @app.get("/items/{item}")
    async def item(item: str, q: str = "") -> dict[str, str]:
        return {"item": item, "q": q}

    return TestClient(app)


@pytest.mark.parametrize(
    ("method", "url", "kwargs"),
    [
        ("GET", "/items/a%00b", {}),
        ("GET", "/items/a?q=x%00", {}),
        ("GET", "/items/a", {"params": {"q": "x\x00"}}),
        ("POST", "/json", {"json": {"text": "xin chào\x00"}}),
        ("POST", "/json", {"json": {"deep": [{"key\x00": 1}]}}),
        ("POST", "/json", {"content": b'{"text": "a\\u0000"}'}),  # no content type: FastAPI reads JSON
        ("POST", "/form", {"data": {"username": "admin\x00"}}),
    ],
)
def test_a_nul_anywhere_is_a_400(client: TestClient, method: str, url: str, kwargs: dict[str, Any]) -> None:
    response = client.request(method, url, **kwargs)
    assert (response.status_code, response.json()) == (400, {"detail": REFUSAL})


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "expected"),
    [
        ("GET", "/items/a?q=%2500", {}, {"item": "a", "q": "%00"}),  # a percent sign and two zeros
        ("POST", "/json", {"json": {"text": "a\\u0000"}}, {"text": "a\\u0000"}),  # a backslash, then "u0000"
        ("POST", "/form", {"data": {"username": "admin"}}, {"username": "admin"}),
        ("POST", "/raw", {"files": {"f": ("a.zip", b"PK\x00\x00" * 100)}}, None),  # uploads are binary
    ],
)
def test_text_without_nul_passes_unchanged(client: TestClient, method: str, url: str, kwargs: dict[str, Any], expected: Any) -> None:
    response = client.request(method, url, **kwargs)
    assert response.status_code == 200, response.text
    if expected is not None:
        assert response.json() == expected


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=5), st.text(max_size=20) | st.integers(), max_size=4))
def test_json_passes_exactly_when_it_holds_no_nul(body: dict[str, Any]) -> None:
    app = FastAPI()
    app.add_middleware(RefuseNul)

    @app.post("/json")
    async def echo(request: Request) -> Any:
        return await request.json()

    response = TestClient(app).post("/json", json=body)
    nul = any("\x00" in k or (isinstance(v, str) and "\x00" in v) for k, v in body.items())
    assert response.status_code == (400 if nul else 200)
    if not nul:
        assert response.json() == body


def test_the_app_refuses_a_nul_chat_message_on_either_database(settings: Settings) -> None:
    """On PostgreSQL these were 500s (psycopg refuses to send U+0000); now the same 400 on both."""
    with TestClient(create_app(settings, embedder=TEST_EMBEDDER)) as app:
        assert app.post("/api/chat/messages", json={"text": "xin chào\x00"}).status_code == 400
        assert app.post("/api/chat/messages", json={"text": "ok", "conversation_id": "a\x00b"}).status_code == 400
        assert app.get("/api/chat/a%00b/messages").status_code == 400
        assert app.post("/api/auth/token", data={"username": "admin\x00", "password": "x"}).status_code == 400
        assert app.post("/api/chat/messages", json={"text": "xin chào"}).status_code == 200
