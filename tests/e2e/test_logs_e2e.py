"""No token and no personal number the citizen typed ends up in a log line or a database column.

A scripted session through the real Rasa server and app (bench/product.py): chat with an ID
number, a phone and an e-mail, a search with a phone, a citizen sign-in (demo provider), a
handoff, an agent sign-in, a socket ticket and the agent's WebSocket; then every line of the
app's and Rasa's logs and every text column of every table is read.
"""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect, text
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from db.session import make_engine
from tests.e2e.conftest import Product, running_product
from tests.e2e.test_prefill_e2e import BAO, signed_in

pytestmark = pytest.mark.e2e
ID_NUMBER, PHONE, EMAIL = "001203004567", "0912 345 678", "an.nguyen@example.vn"
TYPED = [ID_NUMBER, "0012 0300 4567", PHONE, PHONE.replace(" ", ""), EMAIL]


def scripted_session(product: Product) -> dict[str, str]:
    """Everything a citizen and an agent do; returns the secrets that travelled, by name."""
    app_url, secrets = product.app_url, {}
    with httpx.Client(base_url=app_url, timeout=60) as citizen:
        turn = citizen.post(
            "/api/chat/messages",
            json={"conversation_id": None, "text": f"Tôi tên An, CCCD {ID_NUMBER}, số {PHONE}, email {EMAIL}: đăng ký thường trú cần gì?"},
            headers={"X-Request-ID": "scan-turn-1"},
        )
        assert turn.status_code == 200 and turn.headers["X-Request-ID"] == "scan-turn-1"
        cid = turn.json()["conversation_id"]
        citizen.post("/api/chat/messages", json={"conversation_id": cid, "text": "số cũ 0012 0300 4567 còn dùng được không?"})
        found = citizen.get("/api/search", params={"q": f"đăng ký tạm trú gọi {PHONE}"}, headers={"X-Request-ID": "bad id <script>"})
        assert found.status_code == 200 and found.headers["X-Request-ID"] != "bad id <script>"
        handoff = citizen.post("/api/chat/messages", json={"conversation_id": cid, "text": "/request_human"}).json()
        assert handoff["state"] == "waiting"

    with closing(signed_in(product, BAO)) as bao:
        bao.post("/api/chat/messages", json={"conversation_id": None, "text": f"email của tôi là {EMAIL}", "lang": "vi"}).raise_for_status()
        secrets |= {f"cookie {c.name}": c.value for c in bao.cookies.jar if c.value and len(c.value) >= 16}

    with httpx.Client(base_url=app_url, timeout=60) as staff:
        jwt = staff.post("/api/auth/token", data={"username": "agent1", "password": "agent1-demo"}).json()["access_token"]
        bearer = {"Authorization": f"Bearer {jwt}"}
        ticket = staff.post("/api/agent/tickets/next", headers=bearer).json()
        assert ticket["conversation_id"] == cid
        socket_ticket = staff.post(f"/api/agent/tickets/{ticket['id']}/ws-ticket", headers=bearer).json()["ticket"]
        secrets |= {"staff JWT": jwt, "socket ticket": socket_ticket}
    ws_url = app_url.replace("http://", "ws://") + f"/api/agent/tickets/{ticket['id']}/ws"
    with connect(f"{ws_url}?ticket={socket_ticket}") as socket:
        socket.send(json.dumps({"text": "Chào anh, tôi là tổng đài viên."}))
        assert json.loads(socket.recv(timeout=30))["message"]["sender"] == "agent"
    with connect(f"{ws_url}?ticket={socket_ticket}") as reused, pytest.raises(ConnectionClosed) as closed:
        reused.recv(timeout=30)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
    return secrets


def every_text_value(database_url: str) -> list[tuple[str, str, str]]:
    """(table, column, value) for every non-null value of every table, JSON columns as JSON text."""
    engine = make_engine(database_url)
    values: list[tuple[str, str, str]] = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            columns = [c["name"] for c in inspect(engine).get_columns(table)]
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608 - names from the schema
                for column, value in zip(columns, row, strict=True):
                    if value is not None:
                        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
                        values.append((table, column, shown))
    engine.dispose()
    return values


def test_no_token_or_typed_personal_number_in_logs_or_database(tmp_path: Path) -> None:
    env = {"HELPDESK_HANDOFF__ALWAYS_OPEN": "true"}
    with running_product(tmp_path, env=env, seed_demo=True) as product:
        secrets = scripted_session(product)
        secrets |= {"Rasa token": product.rasa_token, "action token": "e2e-action-token"}
    # The processes have stopped: their logs are complete.
    app_lines = (tmp_path / "app.log").read_text().splitlines()
    rasa_lines = (tmp_path / "rasa.log").read_text().splitlines()
    needles = {**{f"typed {t!r}": t for t in TYPED}, **secrets}

    leaks = [(f"{log}:{n}", name) for log, lines in (("app.log", app_lines), ("rasa.log", rasa_lines))
             for n, line in enumerate(lines, 1) for name, needle in needles.items() if needle in line]  # fmt: skip
    assert leaks == [], leaks
    leaks = [(table, column, name) for table, column, value in every_text_value(f"sqlite:///{tmp_path / 'app.db'}")
             for name, needle in needles.items() if needle in value]  # fmt: skip
    assert leaks == [], leaks  # no exclusion needed: the demo citizens' consented profiles hold other numbers

    records = [json.loads(line) for line in app_lines if line.startswith("{")]
    assert len(records) > 20 and {"time", "level", "logger", "message", "request_id", "conversation_id"} <= set(records[-1])
    access = [r for r in records if r["logger"] == "helpdesk.access"]
    first_turn = [r for r in access if r["request_id"] == "scan-turn-1"]
    # one id for the citizen's request and the action calls Rasa made for it, with the conversation
    assert {r["path"] for r in first_turn} == {"/api/chat/messages", "/webhooks/actions"}, first_turn
    assert all(r["conversation_id"] for r in first_turn)
    assert any(r["path"].endswith("/ws") and r["status"] == 4401 for r in access)
    assert not any("?" in r["path"] for r in access)
