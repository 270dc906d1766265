"""api/logs.py: the JSON lines, their redaction, the request id and the access line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import logs
from api.app import create_app
from api.logs import LogSettings, RequestLogMiddleware, make_handler, scrub
from api.rasa_client import RasaClient
from api.settings import Settings
from tests.conftest import TEST_EMBEDDER

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI3In0.c2lnbmF0dXJlLXBhcnQ"
ID_NUMBER, PHONE, EMAIL = "001203004567", "0912 345 678", "an.nguyen@example.vn"
log = logging.getLogger("helpdesk.test")


@pytest.fixture
def lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    buffer = io.StringIO()
    handler = make_handler(LogSettings(), stream=buffer)
    handler.set_name("test")  # the app factory replaces only its own handler
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.parametrize(
    ("raw", "secret"),
    [
        (f"Authorization: Bearer {JWT}", JWT),
        (f"token {JWT} in text", JWT),
        ("GET /status?token=e2e-rasa-token&x=1", "e2e-rasa-token"),
        ('"WebSocket /api/agent/tickets/3/ws?ticket=Zx9_aQ-1" [accepted]', "Zx9_aQ-1"),
        ("bearer opaque-action-token", "opaque-action-token"),
        ("GET /api/search?q=s%E1%BB%91+0912+345+678", "345"),
        (f"CCCD {ID_NUMBER}", ID_NUMBER),
        (f"gọi {PHONE}", PHONE),
        (f"mail {EMAIL}", EMAIL),
    ],
)
def test_scrub_removes_tokens_and_personal_numbers(raw: str, secret: str) -> None:
    assert secret not in scrub(raw)


def test_a_line_is_json_with_context_and_redacted(lines: Callable[[], list[dict[str, Any]]]) -> None:
    with logs.request_context("turn-42") as context:
        logs.bind(conversation_id="c0ffee")
        log.warning("citizen %s wrote %s with %s", EMAIL, PHONE, f"Bearer {JWT}")
        try:
            raise ValueError(f"bad number {ID_NUMBER}")
        except ValueError:
            log.exception("failed")
    assert context.request_id == "turn-42"
    first, second = lines()
    assert first["level"] == "WARNING" and first["logger"] == "helpdesk.test"
    assert first["request_id"] == "turn-42" and first["conversation_id"] == "c0ffee"
    assert first["message"] == "citizen [email] wrote [số điện thoại] with Bearer [token]"
    assert first["time"].endswith("+00:00")
    assert "ValueError: bad number [số định danh]" in second["exc"] and ID_NUMBER not in json.dumps(second)


def test_a_record_whose_arguments_do_not_fit_is_still_written_redacted(lines: Callable[[], list[dict[str, Any]]]) -> None:
    log.info(f"phone {PHONE} %s %s", "only one")
    [line] = lines()
    assert line["message"] == "phone [số điện thoại] %s %s"


def test_outside_a_request_the_ids_are_null(lines: Callable[[], list[dict[str, Any]]]) -> None:
    log.info("startup")
    [line] = lines()
    assert line["request_id"] is None and line["conversation_id"] is None


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("abc-123_x.Y", True), ("a" * 64, True), ("a" * 65, False), ("bad id", False), ("x\r\nSet-Cookie: s=1", False), ("", False)],
)
def test_a_client_request_id_is_kept_only_in_a_safe_format(sent: str, kept: bool) -> None:
    chosen = logs.safe_request_id(sent)
    assert (chosen == sent) is kept
    assert logs.SAFE_REQUEST_ID.fullmatch(chosen)


def small_app() -> FastAPI:
    app = FastAPI()

    @app.get("/api/search")
    def search(q: str) -> dict[str, str]:
        logs.bind(conversation_id="conv-1")
        log.info("searched")
        return {"request_id": logs.request_id() or ""}

    app.add_middleware(RequestLogMiddleware)
    return app


def test_middleware_sets_returns_and_logs_one_request_id(lines: Callable[[], list[dict[str, Any]]]) -> None:
    with TestClient(small_app()) as client:
        kept = client.get("/api/search", params={"q": f"số {PHONE}", "token": "t0ps3cret"}, headers={"X-Request-ID": "from-client.1"})
        replaced = client.get("/api/search", params={"q": "x"}, headers={"X-Request-ID": "no good!"})
    assert kept.headers["X-Request-ID"] == "from-client.1" == kept.json()["request_id"]
    assert replaced.headers["X-Request-ID"] != "no good!" and len(replaced.headers["X-Request-ID"]) == 32
    ours = [line for line in lines() if line["logger"].startswith("helpdesk")]
    searched, access = ours[0], ours[1]
    assert searched["message"] == "searched" and searched["request_id"] == "from-client.1"
    assert access["logger"] == "helpdesk.access" and access["request_id"] == "from-client.1" and access["conversation_id"] == "conv-1"
    assert (access["method"], access["path"], access["status"]) == ("GET", "/api/search", 200)
    assert isinstance(access["duration_ms"], float)
    assert ours[3]["request_id"] == replaced.headers["X-Request-ID"]
    assert "q=" not in json.dumps(ours)
    everything = json.dumps(lines(), ensure_ascii=False)  # the test client's own log of its URLs too
    assert "t0ps3cret" not in everything and "345" not in everything


async def test_the_request_id_goes_to_rasa_in_a_header_and_the_metadata() -> None:
    seen: list[httpx.Request] = []

    def rasa(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    client = RasaClient("http://rasa", "t", 5.0, transport=httpx.MockTransport(rasa))
    with logs.request_context("turn-7"):
        await client.send("conv", "xin chào", {"lang": "vi"})
    await client.aclose()
    assert seen[0].headers["X-Request-ID"] == "turn-7"
    assert json.loads(seen[0].content)["metadata"] == {"lang": "vi", "request_id": "turn-7"}


def test_action_webhook_takes_its_token_in_a_header_and_the_turns_request_id(
    settings: Settings, lines: Callable[[], list[dict[str, Any]]]
) -> None:
    call = {
        "next_action": "action_that_does_not_exist",
        "sender_id": "conv-9",
        "tracker": {"sender_id": "conv-9", "latest_message": {"metadata": {"request_id": "turn-9"}}},
        "domain": {},
    }
    with TestClient(create_app(settings, embedder=TEST_EMBEDDER)) as client:
        assert client.post("/webhooks/actions", params={"token": settings.action_token}, json=call).status_code == 401
        assert client.post("/webhooks/actions", headers={"Authorization": "Bearer wrong"}, json=call).status_code == 401
        found = client.post("/webhooks/actions", headers={"Authorization": f"Bearer {settings.action_token}"}, json=call)
    assert found.status_code == 404 and found.json()["action_name"] == "action_that_does_not_exist"
    access = [line for line in lines() if line["logger"] == "helpdesk.access"][-1]
    assert (access["status"], access["request_id"], access["conversation_id"]) == (404, "turn-9", "conv-9")
