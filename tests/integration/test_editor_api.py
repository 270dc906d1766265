"""The editor API on SQLite and PostgreSQL: workflow, four-eyes, locking, validation, roles, rollback, audit."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.settings import Settings
from tests.integration.editor_support import auth, editor_client, new_guide, private_settings


@pytest.fixture
def client(settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    with editor_client(private_settings(settings, tmp_path)) as client:
        yield client


def create(client: TestClient, who: str = "editor1", guide: dict | None = None) -> dict:
    response = client.post("/api/editor/guides", json={"guide": guide or new_guide()}, headers=auth(client, who))
    assert response.status_code == 201, response.text
    return response.json()


def step(client: TestClient, code: str, action: str, who: str, lock: int, **extra: object):  # type: ignore[no-untyped-def]
    return client.post(f"/api/editor/guides/{code}/{action}", json={"lock_version": lock, **extra}, headers=auth(client, who))


def publish_new(client: TestClient) -> dict:
    detail = create(client)
    detail = step(client, "9.000001", "submit", "editor1", detail["lock_version"]).json()
    response = step(client, "9.000001", "publish", "editor2", detail["lock_version"])
    assert response.status_code == 200, response.text
    return response.json()


def searched(client: TestClient, q: str = "nuôi chim bồ câu đưa thư") -> dict:
    return client.get("/api/search", params={"q": q}).json()


def test_draft_review_publish_makes_the_guide_answerable(client: TestClient) -> None:
    assert searched(client)["status"] == "unanswerable"
    detail = create(client)
    assert detail["status"] == "draft" and detail["working_version"] == 1 and detail["published_version"] is None
    detail = step(client, "9.000001", "submit", "editor1", detail["lock_version"]).json()
    assert detail["status"] == "in_review"
    assert searched(client)["status"] == "unanswerable"  # a guide in review is not served

    own = step(client, "9.000001", "publish", "editor1", detail["lock_version"])
    assert own.status_code == 403 and "another editor" in own.json()["detail"]  # four-eyes

    published = step(client, "9.000001", "publish", "editor2", detail["lock_version"])
    assert published.status_code == 200, published.text
    body = published.json()
    assert body["status"] == "published" and body["published_version"] == 1 and body["reindexed"] == ["9.000001"]
    result = searched(client)  # served as soon as the publish returns (the delay across workers: test_editor_publishing.py)
    assert result["status"] == "answered" and result["results"][0]["code"] == "9.000001"


def test_self_publish_can_be_allowed_by_role(settings: Settings, tmp_path: Path) -> None:
    from api.editor.settings import EditorSettings

    with editor_client(private_settings(settings, tmp_path), EditorSettings(self_publish_roles=["admin"])) as client:
        detail = create(client, who="boss")
        detail = step(client, "9.000001", "submit", "boss", detail["lock_version"]).json()
        assert step(client, "9.000001", "publish", "boss", detail["lock_version"]).status_code == 200


def test_second_editor_saving_the_same_guide_gets_a_conflict(client: TestClient) -> None:
    loaded = client.get("/api/editor/guides/1.004222", headers=auth(client, "editor1")).json()
    first, second = loaded["guide"], loaded["guide"]
    first = {**first, "vi": {**first["vi"], "summary": "Bản của biên tập viên 1."}}
    second = {**second, "vi": {**second["vi"], "summary": "Bản của biên tập viên 2."}}
    ok = client.put(
        "/api/editor/guides/1.004222/draft", json={"guide": first, "lock_version": loaded["lock_version"]}, headers=auth(client, "editor1")
    )
    assert ok.status_code == 200, ok.text
    late = client.put(
        "/api/editor/guides/1.004222/draft", json={"guide": second, "lock_version": loaded["lock_version"]}, headers=auth(client, "editor2")
    )
    assert late.status_code == 409 and "editor1" in late.json()["detail"]
    now = client.get("/api/editor/guides/1.004222", headers=auth(client, "editor2")).json()
    assert now["guide"]["vi"]["summary"] == "Bản của biên tập viên 1."
    assert [v["version"] for v in now["versions"]] == [2, 1]


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        (lambda g: g.pop("code"), "code", "required"),
        (lambda g: g["vi"].update(title=""), "vi.title", "required"),
        (lambda g: g.pop("vi"), "vi.title", "required"),
        (lambda g: g["vi"]["channels"][0].update(fee="rẻ thôi"), "vi.channels.0.fee", "amount"),
        (lambda g: g["vi"]["steps"].append("<script>alert(1)</script>"), "vi.steps.2", "HTML"),
        (lambda g: g["vi"]["documents"][0]["items"].append('<img src=x onerror="x()">'), "vi.documents.0.items.2", "HTML"),
        (lambda g: g.update(source_url="javascript:alert(1)"), "source_url", "HTML"),
        (lambda g: g["vi"]["channels"][0].update(kind="fax"), "vi.channels.0.kind", "one of"),
    ],
    ids=["no-code", "no-title", "no-vi", "fee-not-amount", "script", "html", "js-url", "channel-kind"],
)
def test_invalid_guides_get_field_level_errors(client: TestClient, change, field: str, fragment: str) -> None:  # type: ignore[no-untyped-def]
    guide = new_guide()
    change(guide)
    response = client.post("/api/editor/guides", json={"guide": guide}, headers=auth(client, "editor1"))
    assert response.status_code == 422, response.text
    errors = {e["field"]: e["msg"] for e in response.json()["detail"]}
    assert field in errors and fragment in errors[field], errors


def test_duplicate_code_is_a_field_error(client: TestClient) -> None:
    response = client.post("/api/editor/guides", json={"guide": new_guide(code="1.004222")}, headers=auth(client, "editor1"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "code" and "already exists" in response.json()["detail"][0]["msg"]


def test_roles(client: TestClient) -> None:
    assert client.get("/api/editor/guides").status_code == 401
    agent = auth(client, "agent1")
    assert client.get("/api/editor/guides", headers=agent).status_code == 200  # agents may read guides
    assert client.post("/api/editor/guides", json={"guide": new_guide()}, headers=agent).status_code == 403
    detail = create(client)
    detail = step(client, "9.000001", "submit", "editor1", detail["lock_version"]).json()
    assert step(client, "9.000001", "publish", "agent1", detail["lock_version"]).status_code == 403  # agents cannot publish
    assert client.get("/api/editor/audit", headers=agent).status_code == 403
    assert client.get("/api/editor/gaps", headers=agent).status_code == 403


def test_rollback_is_a_new_version_published_through_review(client: TestClient) -> None:
    publish_new(client)
    e1, e2 = auth(client, "editor1"), auth(client, "editor2")
    detail = client.get("/api/editor/guides/9.000001", headers=e1).json()
    changed = new_guide(where="Công an cấp xã")
    changed["vi"]["channels"][0]["fee"] = "50.000 đồng"
    detail = client.put(
        "/api/editor/guides/9.000001/draft", json={"guide": changed, "lock_version": detail["lock_version"]}, headers=e1
    ).json()
    assert detail["working_version"] == 2 and detail["published_version"] == 1
    detail = step(client, "9.000001", "submit", "editor1", detail["lock_version"]).json()
    detail = step(client, "9.000001", "publish", "editor2", detail["lock_version"]).json()
    assert detail["published_version"] == 2

    diff = client.get("/api/editor/guides/9.000001/diff", params={"from": 1, "to": 2}, headers=e2).json()["changes"]
    assert {(c["field"], c["before"], c["after"]) for c in diff} == {
        ("vi.channels.0.fee", "Miễn phí", "50.000 đồng"),
        ("vi.where", "Ủy ban nhân dân cấp xã", "Công an cấp xã"),
    }

    detail = step(client, "9.000001", "rollback", "editor2", detail["lock_version"], to_version=1).json()
    assert detail["working_version"] == 3 and detail["status"] == "draft" and detail["published_version"] == 2
    assert client.get("/api/editor/guides/9.000001/diff", params={"from": 1, "to": 3}, headers=e2).json()["changes"] == []
    detail = step(client, "9.000001", "submit", "editor2", detail["lock_version"]).json()
    assert step(client, "9.000001", "publish", "editor2", detail["lock_version"]).status_code == 403  # the rollback is editor2's change
    detail = step(client, "9.000001", "publish", "editor1", detail["lock_version"]).json()
    assert detail["published_version"] == 3
    answer = client.app.state.knowledge.ask("nuôi chim bồ câu đưa thư hết bao nhiêu tiền")
    assert answer.guide_version == 3 and "Miễn phí" in answer.text


def test_archive_removes_the_guide_from_search(client: TestClient) -> None:
    detail = publish_new(client)
    assert searched(client)["status"] == "answered"
    archived = step(client, "9.000001", "archive", "editor1", detail["lock_version"])
    assert archived.status_code == 200 and archived.json()["status"] == "archived"
    assert "9.000001" not in {r["code"] for r in searched(client)["results"]}


def test_wrong_workflow_steps_are_conflicts(client: TestClient) -> None:
    detail = create(client)
    assert step(client, "9.000001", "publish", "editor2", detail["lock_version"]).status_code == 409  # not in review
    assert step(client, "9.000001", "reject", "editor2", detail["lock_version"]).status_code == 409
    assert client.get("/api/editor/guides/nope", headers=auth(client, "editor1")).status_code == 404


def test_audit_log_records_who_did_what(client: TestClient) -> None:
    publish_new(client)
    entries = client.get("/api/editor/audit", params={"code": "9.000001"}, headers=auth(client, "editor1")).json()["entries"]
    assert [(e["actor"], e["action"]) for e in entries] == [("editor2", "publish"), ("editor1", "submit"), ("editor1", "create")]
    assert all(e["at"] for e in entries)


def test_list_filters(client: TestClient) -> None:
    create(client)
    e1 = auth(client, "editor1")
    everything = client.get("/api/editor/guides", headers=e1).json()
    assert everything["total"] >= 20 and "Nông nghiệp" in everything["domains"]
    drafts = client.get("/api/editor/guides", params={"status": "draft"}, headers=e1).json()["items"]
    assert [g["code"] for g in drafts] == ["9.000001"] and drafts[0]["has_english"] is False
    english = client.get("/api/editor/guides", params={"has_english": True}, headers=e1).json()["items"]
    assert english and all(g["has_english"] for g in english)
    farm = client.get("/api/editor/guides", params={"domain": "Nông nghiệp"}, headers=e1).json()["items"]
    assert [g["code"] for g in farm] == ["9.000001"]
    today = client.get("/api/editor/guides", params={"updated_after": time.strftime("%Y-%m-%d"), "q": "chim"}, headers=e1).json()
    assert [g["code"] for g in today["items"]] == ["9.000001"]


def test_preview_answers_with_the_draft_without_publishing(client: TestClient) -> None:
    create(client)
    response = client.post(
        "/api/editor/guides/9.000001/preview", json={"questions": ["nuôi chim bồ câu đưa thư mất bao lâu"]}, headers=auth(client, "editor1")
    )
    assert response.status_code == 200, response.text
    first = response.json()["answers"][0]
    assert first["status"] == "answered" and first["cites_this_guide"] and "3 ngày làm việc" in first["text"]
    assert searched(client)["status"] == "unanswerable"  # nothing was published


def test_console_page_and_openapi(client: TestClient) -> None:
    page = client.get("/editor")
    assert page.status_code == 200 and 'data-testid="login-form"' in page.text and "/static/editor.js" in page.text
    assert client.get("/static/editor.js").status_code == 200
    assert "innerHTML" not in client.get("/static/editor.js").text  # data is only ever written as text
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/editor/guides",
        "/api/editor/guides/{code}",
        "/api/editor/guides/{code}/draft",
        "/api/editor/guides/{code}/publish",
        "/api/editor/guides/{code}/rollback",
        "/api/editor/guides/{code}/diff",
        "/api/editor/guides/{code}/preview",
        "/api/editor/audit",
        "/api/editor/gaps",
        "/api/editor/import",
        "/api/editor/export",
    } <= set(paths)


def test_knowledge_version_moves_with_each_publish(client: TestClient) -> None:
    e1 = auth(client, "editor1")
    before = client.get("/api/editor/knowledge", headers=e1).json()
    publish_new(client)
    after = client.get("/api/editor/knowledge", headers=e1).json()
    assert after["version"] == before["version"] + 1 and after["build_id"] != before["build_id"] and after["guides"] == before["guides"] + 1
