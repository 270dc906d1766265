"""The analytics API on the seeded week (tests/analytics/seeded.py): roles, small cells, bad ranges, CSV, SVG."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.app import create_app
from api.auth.staff import upsert_staff
from api.auth.tokens import STAFF_AUDIENCE, issue_token
from api.settings import Settings
from db.models import GuideRow
from db.session import session_scope
from tests.analytics.seeded import G1, seed
from tests.conftest import TEST_EMBEDDER

WEEK = {"start": "2025-03-03", "end": "2025-03-09"}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    settings.retention.scheduled = False
    with TestClient(create_app(settings, embedder=TEST_EMBEDDER)) as client:
        with session_scope(client.app.state.sessions) as session:  # type: ignore[attr-defined]
            seed(session)
        yield client


def as_role(client: TestClient, settings: Settings, *roles: str) -> dict[str, str]:
    with session_scope(client.app.state.sessions) as session:  # type: ignore[attr-defined]
        user = upsert_staff(session=session, username="-".join(roles), password="pw-analytics", display_name="X", roles=list(roles))
        subject = str(user.id)
    token = issue_token(subject=subject, secret=settings.secret_key, audience=STAFF_AUDIENCE, ttl=dt.timedelta(minutes=5), claims={})
    return {"Authorization": f"Bearer {token}"}


def table(board: dict, key: str) -> dict:  # type: ignore[type-arg]
    return next(t for s in board["sections"] for t in s["tables"] if t["key"] == key)


def test_supervisor_sees_every_section_with_small_cells_hidden(client: TestClient, settings: Settings) -> None:
    headers = as_role(client, settings, "supervisor")
    service = client.get("/api/analytics/service", params=WEEK, headers=headers)
    knowledge = client.get("/api/analytics/knowledge", params=WEEK, headers=headers)
    assert service.status_code == knowledge.status_code == 200, service.text
    board = service.json()
    assert [s["key"] for s in board["sections"]] == ["containment", "satisfaction", "queue", "forms"]
    assert [s["key"] for s in knowledge.json()["sections"]] == ["answers", "demand"]
    outcome = {r["outcome"]: r for r in table(board, "containment")["rows"]}
    assert outcome["without_person"] == {"outcome": "without_person", "conversations": 8, "share": pytest.approx(8 / 12)}
    assert outcome["with_person"] == {"outcome": "with_person", "conversations": "< 5", "share": "< 5"}  # 4 conversations
    waits = {r["queue"]: r for r in table(board, "waits")["rows"]}
    assert waits["all"]["tickets"] == "< 5" and waits["all"]["wait_p50"] == "< 5"
    procedures = {r["procedure"]: r for r in table(knowledge.json(), "procedures")["rows"]}
    assert procedures[G1]["answers"] == 8 and procedures[G1]["versions"] == "3, 4"
    assert procedures[G1]["helpful_rate"] == pytest.approx(5 / 6)
    body = str(board) + knowledge.text
    assert "Đăng ký thường trú cần giấy tờ gì" not in body and "s1" not in str(table(board, "forms"))  # no text, no subject


def test_editors_see_the_knowledge_part_only_and_agents_nothing(client: TestClient, settings: Settings) -> None:
    editor, agent = as_role(client, settings, "editor"), as_role(client, settings, "agent")
    assert client.get("/api/analytics/knowledge", params=WEEK, headers=editor).status_code == 200
    assert client.get("/api/analytics/tables/procedures.csv", params=WEEK, headers=editor).status_code == 200
    for url in ("/api/analytics/service", "/api/analytics/tables/waits.csv", "/api/analytics/charts/ratings.svg"):
        assert client.get(url, params=WEEK, headers=editor).status_code == 403, url
    for url in ("/api/analytics/service", "/api/analytics/knowledge", "/api/analytics/tables/hours.csv"):
        assert client.get(url, params=WEEK, headers=agent).status_code == 403, url
        assert client.get(url, params=WEEK).status_code == 401, url


def test_a_range_over_a_year_is_refused_and_an_empty_one_is_empty(client: TestClient, settings: Settings) -> None:
    headers = as_role(client, settings, "admin")
    long = client.get("/api/analytics/service", params={"start": "2024-01-01", "end": "2025-03-01"}, headers=headers)
    assert long.status_code == 422
    assert long.json()["detail"][0]["msg"] == "the range is 426 days; the longest is 366 (a year): choose a shorter range"
    empty = client.get("/api/analytics/knowledge", params={"start": "2021-01-01", "end": "2021-01-31"}, headers=headers)
    assert empty.status_code == 200 and empty.json()["empty"] is True
    assert table(empty.json(), "procedures")["rows"] == []
    svg = client.get("/api/analytics/charts/answer_status.svg", params={"start": "2021-01-01", "end": "2021-01-31"}, headers=headers)
    assert svg.status_code == 200 and "Không có dữ liệu" in svg.text


def test_csv_escapes_formula_cells(client: TestClient, settings: Settings) -> None:
    headers = as_role(client, settings, "supervisor")
    with session_scope(client.app.state.sessions) as session:  # type: ignore[attr-defined]
        session.execute(update(GuideRow).where(GuideRow.code == G1).values(title='=HYPERLINK("http://evil.example","x")'))
    response = client.get("/api/analytics/tables/procedures.csv", params={**WEEK, "lang": "en"}, headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert 'filename="procedures_2025-03-03_2025-03-09.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    first = next(r for r in rows if r["Procedure"] == G1)
    assert first["Title"] == '\'=HYPERLINK("http://evil.example","x")' and first["Answers"] == "8"


def test_charts_are_svg_without_script(client: TestClient, settings: Settings) -> None:
    headers = as_role(client, settings, "supervisor")
    response = client.get("/api/analytics/charts/hours.svg", params=WEEK, headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.startswith("<svg") and "<script" not in response.text and "20:00" in response.text
    assert client.get("/api/analytics/charts/occupancy.svg", params=WEEK, headers=headers).status_code == 422  # no chart for it


def test_the_api_is_in_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/analytics/service",
        "/api/analytics/knowledge",
        "/api/analytics/tables/{table}.csv",
        "/api/analytics/charts/{table}.svg",
    } <= set(paths)
