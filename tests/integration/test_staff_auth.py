"""Staff sign-in: hashed passwords, bearer tokens, refusals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth.staff import upsert_staff
from api.auth.tokens import STAFF_AUDIENCE, issue_token
from api.settings import Settings
from db.session import session_scope
from db.staff import StaffUser
from tests.conftest import TEST_EMBEDDER


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, embedder=TEST_EMBEDDER)
    with TestClient(app) as client:
        with session_scope(app.state.sessions) as session:
            upsert_staff(session=session, username="lan", password="s3cret-pass", display_name="Lan", roles=["agent"], skills=["residence"])
        yield client


def sign_in(client: TestClient, username: str = "lan", password: str = "s3cret-pass"):  # type: ignore[no-untyped-def]
    return client.post("/api/auth/token", data={"username": username, "password": password})


def test_sign_in_and_who_am_i(client: TestClient) -> None:
    response = sign_in(client)
    assert response.status_code == 200 and response.json()["token_type"] == "bearer"
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"})
    assert me.json()["username"] == "lan" and me.json()["roles"] == ["agent"]


def test_passwords_are_hashed(client: TestClient) -> None:
    with client.app.state.sessions() as session:
        user = session.query(StaffUser).filter_by(username="lan").one()
    assert "s3cret-pass" not in user.password_hash and user.password_hash.startswith("$argon2")


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        issue_token(subject="1", secret="someone-elses-secret-of-32-bytes-or-more", audience=STAFF_AUDIENCE, ttl=dt.timedelta(hours=1)),
        issue_token(subject="1", secret="dev-only-secret-change-me-in-production", audience="citizen", ttl=dt.timedelta(hours=1)),
        issue_token(subject="1", secret="dev-only-secret-change-me-in-production", audience=STAFF_AUDIENCE, ttl=dt.timedelta(seconds=-5)),
    ],
    ids=["garbage", "forged", "wrong-audience", "expired"],
)
def test_bad_tokens_are_refused(client: TestClient, token: str) -> None:
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_wrong_password_and_no_token(client: TestClient) -> None:
    assert sign_in(client, password="nope").status_code == 401
    assert client.get("/api/auth/me").status_code == 401
