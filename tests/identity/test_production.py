"""Production mode: no demo provider, no sign-in without a configured issuer, no dev client secret."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.identity import LoginRequest
from api.settings import DEV_SECRET, Settings
from tests.conftest import TEST_EMBEDDER

REAL = {"secret_key": "s" * 40, "rasa_token": "r" * 40, "action_token": "a" * 40}


def test_a_configured_provider_needs_a_real_client_secret() -> None:
    with pytest.raises(ValueError, match="HELPDESK_OIDC_CLIENT_SECRET"):
        Settings(mode="production", oidc_issuer="https://id.example.vn", **REAL)
    assert Settings(mode="production", oidc_issuer="https://id.example.vn", oidc_client_secret="c" * 40, **REAL)


def test_production_is_the_default_and_refuses_missing_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HELPDESK_MODE", raising=False)
    with pytest.raises(ValueError, match="HELPDESK_SECRET_KEY, HELPDESK_RASA_TOKEN, HELPDESK_ACTION_TOKEN"):
        Settings(_env_file=None)
    assert Settings(_env_file=None, **REAL).mode == "production"


@pytest.mark.parametrize(
    ("name", "value"), [("secret_key", DEV_SECRET), ("rasa_token", "short"), ("action_token", DEV_SECRET), ("rasa_token", "")]
)
def test_production_names_the_weak_secret(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=f"HELPDESK_{name.upper()}") as refused:
        Settings(_env_file=None, mode="production", **{**REAL, name: value})
    assert sum(f"HELPDESK_{other.upper()}" in str(refused.value) for other in REAL) == 1


def test_development_fills_the_development_secrets() -> None:
    dev = Settings(_env_file=None, mode="development")
    assert dev.secret_key == dev.rasa_token == dev.action_token == DEV_SECRET


def test_api_pages_exist_in_development_only(settings: Settings) -> None:
    with TestClient(create_app(settings, embedder=TEST_EMBEDDER)) as client:
        assert client.get("/docs").status_code == 200
    production = Settings(**{**settings.model_dump(), "mode": "production", **REAL})
    with TestClient(create_app(production, embedder=TEST_EMBEDDER)) as client:
        assert [client.get(path).status_code for path in ("/docs", "/redoc", "/openapi.json")] == [404, 404, 404]


def test_the_demo_provider_does_not_exist_in_production(settings: Settings) -> None:
    production = Settings(**{**settings.model_dump(), "mode": "production", **REAL})
    with TestClient(create_app(production, embedder=TEST_EMBEDDER)) as client:
        assert client.get("/demo-idp/.well-known/openid-configuration").status_code == 404
        assert client.get("/api/identity/login", follow_redirects=False).status_code == 503


class RecordingProvider:
    """Stands in for the citizen's identity provider: remembers the redirect URI it was given."""

    def __init__(self) -> None:
        self.redirect_uris: list[str] = []

    async def begin_login(self, *, redirect_uri: str) -> LoginRequest:
        self.redirect_uris.append(redirect_uri)
        return LoginRequest(url="https://id.example.vn/authorize", state="s", nonce="n", code_verifier="v")


def test_production_redirect_uris_come_from_the_public_url_not_the_host_header(settings: Settings) -> None:
    production = Settings(**{**settings.model_dump(), "mode": "production", "public_url": "https://dichvucong.example.vn", **REAL})
    provider = RecordingProvider()
    with TestClient(create_app(production, embedder=TEST_EMBEDDER)) as client:
        client.app.state.identity_provider = provider
        client.get("/api/identity/login", headers={"Host": "evil.example"}, follow_redirects=False)
    assert provider.redirect_uris == ["https://dichvucong.example.vn/api/identity/callback"]


def test_a_metrics_token_in_production_is_a_real_secret() -> None:
    with pytest.raises(ValueError, match="HELPDESK_METRICS__TOKEN"):
        Settings(_env_file=None, mode="production", metrics={"token": "short"}, **REAL)
    assert Settings(_env_file=None, mode="production", metrics={"token": "m" * 40}, **REAL)
