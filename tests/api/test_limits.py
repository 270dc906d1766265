"""Abuse limits through the real app: chat, search, feedback and sign-in answer 429 with Retry-After past
their limits, for the flooding address only; counts shared through Redis; the sign-in back-off grows."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient

import api.auth.staff
from api.app import create_app
from api.auth.staff import upsert_staff
from api.limits.config import LimitSettings
from api.limits.limiter import backoff_seconds
from api.settings import Settings
from db.session import migrate, session_scope
from tests.conftest import IN_CI, TEST_EMBEDDER

REDIS_URL = os.environ.get("HELPDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
FLOODER, NEIGHBOUR = ("203.0.113.7", 40000), ("198.51.100.2", 40000)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: the limits do not touch the database."""
    url = f"sqlite:///{tmp_path / 'test.db'}"
    migrate(url)
    return url


AppFactory = Callable[..., FastAPI]


@pytest.fixture
def make_app(settings: Settings) -> Iterator[AppFactory]:
    """Started apps with the given limits (lifespan entered; closed at the end)."""
    clients: list[TestClient] = []

    def start(**limits: object) -> FastAPI:
        app = create_app(settings.model_copy(update={"limits": LimitSettings(**limits)}), embedder=TEST_EMBEDDER)
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return app

    yield start
    for client in clients:
        client.__exit__(None, None, None)


def client_at(app: FastAPI, address: tuple[str, int] = FLOODER, **headers: str) -> TestClient:
    return TestClient(app, client=address, headers=headers)


def say(client: TestClient, text: str = "đăng ký thường trú cần giấy tờ gì", conversation_id: str | None = None, lang: str | None = None):  # type: ignore[no-untyped-def]
    return client.post("/api/chat/messages", json={"conversation_id": conversation_id, "text": text, "lang": lang})


# --- chat -------------------------------------------------------------------------------------------------


def test_messages_per_conversation(make_app: AppFactory) -> None:
    app = make_app(chat_per_conversation="3/minute", chat_per_address="100/minute")
    citizen = client_at(app)
    conversation = say(citizen).json()["conversation_id"]  # the first message has no id yet: counting starts after it
    assert [say(citizen, conversation_id=conversation).status_code for _ in range(3)] == [200, 200, 200]
    refused = say(citizen, "và lệ phí bao nhiêu?", conversation_id=conversation)
    assert refused.status_code == 429
    seconds = int(refused.headers["Retry-After"])
    assert 1 <= seconds <= 60
    assert refused.json()["detail"] == f"Bạn gửi quá nhiều tin nhắn. Vui lòng thử lại sau {seconds} giây."
    assert say(citizen).status_code == 200, "a new conversation from the same address is still served"


def test_messages_per_address_and_the_neighbour_is_served(make_app: AppFactory) -> None:
    app = make_app(chat_per_conversation="100/minute", chat_per_address="3/minute")
    flooder, neighbour = client_at(app, FLOODER), client_at(app, NEIGHBOUR)
    assert [say(flooder).status_code for _ in range(3)] == [200, 200, 200], "new conversations each time"
    refused = say(flooder, "How much does a passport cost?")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["detail"].startswith("Too many messages. Please try again in "), "the message's language, detected"
    assert say(flooder, "xin chào", lang="en").json()["detail"].startswith("Too many messages"), "or as asked"
    assert say(neighbour).status_code == 200


# --- search and feedback ------------------------------------------------------------------------------------


def test_a_search_flood_is_refused_for_that_address_only(make_app: AppFactory) -> None:
    app = make_app(search_per_address="5/minute")
    flooder, neighbour = client_at(app, FLOODER), client_at(app, NEIGHBOUR, **{"Accept-Language": "en-GB,en;q=0.9"})
    codes = [flooder.get("/api/search", params={"q": "hộ chiếu"}).status_code for _ in range(8)]
    assert codes == [200] * 5 + [429] * 3
    refused = flooder.get("/api/search", params={"q": "hộ chiếu"})
    assert refused.json()["detail"].startswith("Bạn gửi quá nhiều yêu cầu.") and "Retry-After" in refused.headers
    assert flooder.get("/api/search", params={"q": "passport", "lang": "en"}).json()["detail"].startswith("Too many requests.")
    assert neighbour.get("/api/search", params={"q": "hộ chiếu"}).status_code == 200
    for _ in range(4):
        neighbour.get("/api/search", params={"q": "passport"})
    assert neighbour.get("/api/search", params={"q": "passport"}).json()["detail"].startswith("Too many requests."), "Accept-Language"


def test_feedback_per_address(make_app: AppFactory) -> None:
    app = make_app(feedback_per_address="2/minute")
    flooder, neighbour = client_at(app, FLOODER), client_at(app, NEIGHBOUR)
    turn = say(flooder).json()
    url = f"/api/chat/{turn['conversation_id']}/messages/{turn['messages'][0]['id']}/feedback"
    codes = [flooder.post(url, json={"helpful": True}).status_code for _ in range(3)]
    assert codes[2] == 429 and 429 not in codes[:2]
    assert neighbour.post(url, json={"helpful": True}).status_code != 429


def test_limits_can_be_lifted(make_app: AppFactory) -> None:
    app = make_app(enabled=False, search_per_address="1/minute", chat_per_address="1/minute")
    client = client_at(app)
    assert {client.get("/api/search", params={"q": "hộ chiếu"}).status_code for _ in range(5)} == {200}
    assert {say(client).status_code for _ in range(3)} == {200}


# --- sign-in -------------------------------------------------------------------------------------------------


class Clock:
    """Seconds that tests move forward instead of waiting."""

    def __init__(self) -> None:
        import time

        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password checked with argon2 during the test."""
    calls: list[str] = []
    real = api.auth.staff.verify_password

    def counting(password: str, password_hash: str) -> bool:
        calls.append(password)
        return real(password, password_hash)

    monkeypatch.setattr(api.auth.staff, "verify_password", counting)
    return calls


def staff_app(make_app: AppFactory, **limits: object) -> tuple[FastAPI, Clock]:
    app = make_app(**limits)
    with session_scope(app.state.sessions) as session:
        upsert_staff(session=session, username="lan", password="s3cret-pass", display_name="Lan", roles=["agent"])
    clock = Clock()
    app.state.limiter.clock = clock
    return app, clock


def sign_in(client: TestClient, username: str = "lan", password: str = "wrong"):  # type: ignore[no-untyped-def]
    return client.post("/api/auth/token", data={"username": username, "password": password})


def test_an_unknown_user_costs_a_password_check_like_a_known_one(make_app: AppFactory, verifications: list[str]) -> None:
    app, _clock = staff_app(make_app)
    client = client_at(app)
    assert sign_in(client, "lan", "wrong-1").status_code == 401
    assert sign_in(client, "nobody-here", "wrong-2").status_code == 401
    assert verifications == ["wrong-1", "wrong-2"], "the unknown user's password went through argon2 too"


def test_failures_per_user_refuse_without_checking_the_password(make_app: AppFactory, verifications: list[str]) -> None:
    app, clock = staff_app(make_app, login_free_failures_per_user=3)
    client = client_at(app)
    assert [sign_in(client).status_code for _ in range(3)] == [401, 401, 401]
    checked = len(verifications)
    refused = sign_in(client, password="s3cret-pass")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"
    assert refused.json()["detail"] == "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 2 giây."
    assert len(verifications) == checked, "a refused attempt runs no argon2"
    assert sign_in(client_at(app, NEIGHBOUR), password="s3cret-pass").status_code == 429, "the username is held, wherever from"
    assert sign_in(client, "minh", "whatever").status_code == 401, "other usernames from this address are still checked"
    clock.now += 2
    assert sign_in(client, password="s3cret-pass").status_code == 200, "served once the refusal is over"


def test_a_success_resets_the_users_failures(make_app: AppFactory) -> None:
    app, _clock = staff_app(make_app, login_free_failures_per_user=3)
    client = client_at(app)
    assert [sign_in(client).status_code for _ in range(2)] + [sign_in(client, password="s3cret-pass").status_code] == [401, 401, 200]
    assert [sign_in(client).status_code for _ in range(2)] == [401, 401], "counting starts again"
    assert sign_in(client, password="s3cret-pass").status_code == 200


def test_failures_per_address_back_off_longer_each_time(make_app: AppFactory, verifications: list[str]) -> None:
    app, clock = staff_app(make_app, login_free_failures_per_address=3, login_free_failures_per_user=100, login_backoff_max_s=6)
    flooder, neighbour = client_at(app, FLOODER, **{"Accept-Language": "en"}), client_at(app, NEIGHBOUR)
    assert [sign_in(flooder, f"guess-{i}").status_code for i in range(3)] == [401, 401, 401]
    waits = []
    for i in range(3):
        refused = sign_in(flooder, f"next-{i}")
        assert refused.status_code == 429, f"refusal {i}"
        waits.append(int(refused.headers["Retry-After"]))
        clock.now += waits[-1]
        assert sign_in(flooder, f"after-{i}").status_code == 401, "one more guess once the refusal is over"
    assert waits == [2, 4, 6], "2, 4, then the cap"
    assert refused.json()["detail"] == "Too many failed sign-ins. Please try again in 6 seconds."
    assert all(not password.startswith("next-") for password in verifications)
    assert sign_in(neighbour, password="s3cret-pass").status_code == 200, "another address is served"


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff_seconds(n, free=3, cap=60) for n in range(1, 10)] == [0, 0, 2, 4, 8, 16, 32, 60, 60]
    assert backoff_seconds(10_000, free=1, cap=900) == 900


def test_a_rate_that_does_not_parse_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="is not a rate"):
        LimitSettings(chat_per_address="lots")


# --- shared counts ----------------------------------------------------------------------------------------------


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"Redis is required with CI=true and is not reachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis not reachable: {exc}")
    return REDIS_URL


def test_two_workers_share_the_counts_through_redis(make_app: AppFactory, redis_url: str) -> None:
    shared = {"storage_url": redis_url, "key_prefix": f"test-{uuid.uuid4().hex}", "search_per_address": "4/minute"}
    first, second = client_at(make_app(**shared)), client_at(make_app(**shared))
    alone = client_at(make_app(search_per_address="4/minute"))  # counts in its own memory
    codes = [client.get("/api/search", params={"q": "hộ chiếu"}).status_code for client in (first, second, first, second, first, second)]
    assert codes == [200, 200, 200, 200, 429, 429]
    assert alone.get("/api/search", params={"q": "hộ chiếu"}).status_code == 200


def test_sign_in_failures_are_shared_through_redis(make_app: AppFactory, redis_url: str) -> None:
    shared = {"storage_url": redis_url, "key_prefix": f"test-{uuid.uuid4().hex}", "login_free_failures_per_user": 2}
    first, _ = staff_app(make_app, **shared)
    second, _ = staff_app(make_app, **shared)
    assert [sign_in(client_at(app)).status_code for app in (first, second, first)] == [401, 401, 429]


def test_a_failed_storage_lets_requests_through_and_says_so(make_app: AppFactory, caplog: pytest.LogCaptureFixture) -> None:
    app = make_app(storage_url="redis://127.0.0.1:9/0", search_per_address="1/minute")  # nothing listens on port 9
    client = client_at(app)
    assert [client.get("/api/search", params={"q": "hộ chiếu"}).status_code for _ in range(3)] == [200, 200, 200]
    assert sign_in(client, "lan", "wrong").status_code == 401
    assert any("rate limit search_per_address not checked" in r.getMessage() for r in caplog.records)
