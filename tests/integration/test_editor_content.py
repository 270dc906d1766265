"""Knowledge gaps, bulk import with a dry run, export, staleness: through the editor API on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from api.settings import Settings
from db.editorial import GuideEditorial
from db.models import Conversation, Feedback, Message
from db.session import session_scope
from tests.integration.editor_support import auth, editor_client, private_settings


@pytest.fixture
def client(settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    with editor_client(private_settings(settings, tmp_path)) as client:
        yield client


def converse(client: TestClient, question: str, status: str, helpful: bool | None = None) -> None:
    with session_scope(client.app.state.sessions) as session:
        conversation = Conversation()
        session.add(conversation)
        session.flush()
        session.add(Message(conversation_id=conversation.id, sender="citizen", text=question))
        answer = Message(conversation_id=conversation.id, sender="bot", kind="answer", text="…", payload={"answer": {"status": status}})
        session.add(answer)
        session.flush()
        if helpful is not None:
            session.add(Feedback(message_id=answer.id, helpful=helpful))


def test_gaps_are_clustered_ranked_redacted_and_close_once_answered(client: TestClient) -> None:
    for question in [
        "xin phép bắn pháo hoa đám cưới",
        "bắn pháo hoa có cần xin phép không",
        "thủ tục xin phép bắn pháo hoa, sđt tôi 0912345678",
        "bắn pháo hoa dịp tết cần giấy tờ gì",
    ]:
        converse(client, question, "unanswerable")
    converse(client, "giá vàng hôm nay", "unanswerable")
    converse(client, "đăng ký thường trú cho con", "answered", helpful=False)
    converse(client, "đăng ký tạm trú", "answered", helpful=True)
    e1 = auth(client, "editor1")

    gaps = client.get("/api/editor/gaps", headers=e1).json()["gaps"]
    top = gaps[0]
    assert top["count"] == 4 and top["unanswered"] == 4 and top["status"] == "open"
    assert all("pháo hoa" in q for q in top["examples"])
    everything = json.dumps(gaps, ensure_ascii=False)
    assert "0912345678" not in everything and "[số điện thoại]" in everything
    assert "đăng ký tạm trú" not in everything  # a helpful answer is no gap
    assert any(g["disliked"] == 1 for g in gaps)
    assert "conversation" not in everything  # editors never see who asked

    created = client.post(f"/api/editor/gaps/{top['key']}/draft", json={"code": "9.000077", "title": "Xin phép bắn pháo hoa"}, headers=e1)
    assert created.status_code == 201, created.text
    draft = created.json()
    assert draft["status"] == "draft" and draft["guide"]["vi"]["questions"] == top["examples"]

    guide = draft["guide"]
    guide["vi"]["steps"] = ["Nộp đơn xin phép bắn pháo hoa tại Ủy ban nhân dân cấp xã, kèm giấy tờ về dịp tết hoặc đám cưới."]
    draft = client.put("/api/editor/guides/9.000077/draft", json={"guide": guide, "lock_version": draft["lock_version"]}, headers=e1).json()
    draft = client.post("/api/editor/guides/9.000077/submit", json={"lock_version": draft["lock_version"]}, headers=e1).json()
    published = client.post(
        "/api/editor/guides/9.000077/publish", json={"lock_version": draft["lock_version"]}, headers=auth(client, "editor2")
    )
    assert published.status_code == 200, published.text

    after = {g["key"]: g for g in client.get("/api/editor/gaps", headers=e1).json()["gaps"]}
    assert after[top["key"]]["status"] == "closed" and after[top["key"]]["answered_by"] == ["9.000077"]
    assert after[top["key"]]["draft"] == "9.000077"


def record(code: str, title: str, fee: str = "Miễn phí") -> bytes:
    return json.dumps(
        {
            "ma_thu_tuc": code,
            "ten_thu_tuc": title,
            "linh_vuc": "Thử nghiệm",
            "trinh_tu_thuc_hien": "Bước 1: Nộp hồ sơ. Bước 2: Nhận kết quả.",
            "le_phi": fee,
        },
        ensure_ascii=False,
    ).encode()


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_import_dry_run_reports_without_writing_then_imports(client: TestClient) -> None:
    e1 = auth(client, "editor1")
    archive = zipped(
        {
            "bo-thu/9.100001.json": record("9.100001", "Cấp phép thả diều sáo"),
            "bo-thu/9.100002.json": record("9.100002", "Đăng ký giải đua thuyền rồng"),
            "bo-thu/bad.json": b"{not json",
        }
    )
    files = [
        ("files", ("records.zip", archive, "application/zip")),
        ("files", ("1.004222.json", record("1.004222", "Đăng ký thường trú"), "application/json")),
    ]
    dry = client.post("/api/editor/import", params={"dry_run": True}, files=files, headers=e1)
    assert dry.status_code == 200, dry.text
    assert dry.json()["counts"] == {"new": 2, "changed": 0, "unchanged": 0, "kept-curated": 1, "invalid": 1}
    assert client.get("/api/editor/guides", params={"q": "diều sáo"}, headers=e1).json()["total"] == 0

    real = client.post("/api/editor/import", params={"dry_run": False}, files=files, headers=e1).json()
    assert real["counts"]["new"] == 2 and real["knowledge_version"] >= 1
    assert client.get("/api/search", params={"q": "thả diều sáo"}).json()["results"][0]["code"] == "9.100001"
    again = client.post("/api/editor/import", params={"dry_run": True}, files=files, headers=e1).json()
    assert again["counts"]["unchanged"] == 2
    assert client.post("/api/editor/import", files=[("files", ("notes.txt", b"hi", "text/plain"))], headers=e1).status_code == 422
    assert client.post("/api/editor/import", files=files, headers=auth(client, "agent1")).status_code == 403


def test_export_published_guides(client: TestClient) -> None:
    e1 = auth(client, "editor1")
    as_json = client.get("/api/editor/export", headers=e1)
    assert as_json.status_code == 200 and "attachment" in as_json.headers["content-disposition"]
    codes = {g["code"] for g in as_json.json()["guides"]}
    assert "1.004222" in codes
    as_yaml = yaml.safe_load(client.get("/api/editor/export", params={"format": "yaml"}, headers=e1).text)
    assert {g["code"] for g in as_yaml} == codes


def test_stale_guides_are_flagged(client: TestClient) -> None:
    e1 = auth(client, "editor1")
    detail = client.get("/api/editor/guides/1.004222", headers=e1).json()
    with session_scope(client.app.state.sessions) as session:
        state = session.get(GuideEditorial, session.execute(GuideEditorial.__table__.select()).first().guide_id)  # type: ignore[union-attr]
        assert state is not None
        state.reviewed_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    stale = client.get("/api/editor/guides", params={"stale": True}, headers=e1).json()["items"]
    assert [g["code"] for g in stale] == ["1.004222"] and stale[0]["stale_reasons"] == ["not_reviewed"]
    assert detail["stale"] is False

    # the national record of a reviewed guide changes: flagged until someone reviews it again
    with session_scope(client.app.state.sessions) as session:
        state = session.get(GuideEditorial, session.execute(GuideEditorial.__table__.select()).first().guide_id)  # type: ignore[union-attr]
        state.reviewed_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)  # type: ignore[union-attr]
    client.post(
        "/api/editor/import",
        params={"dry_run": False},
        files=[("files", ("r.json", record("1.004222", "Đăng ký thường trú"), "application/json"))],
        headers=e1,
    )
    flagged = {g["code"]: g for g in client.get("/api/editor/guides", params={"stale": True}, headers=e1).json()["items"]}
    assert flagged["1.004222"]["stale_reasons"] == ["source_changed"]
