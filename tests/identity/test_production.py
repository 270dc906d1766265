"""Production mode: no demo provider, no sign-in without a configured issuer, no dev client secret."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.conftest import TEST_EMBEDDER

REAL = {"secret_key": "s" * 40, "rasa_token": "r" * 40, "action_token": "a" * 40}


def test_a_configured_provider_needs_a_real_client_secret() -> None:
    with pytest.raises(ValueError, match="HELPDESK_OIDC_CLIENT_SECRET"):
        Settings(mode="production", oidc_issuer="https://id.example.vn", **REAL)
    assert Settings(mode="production", oidc_issuer="https://id.example.vn", oidc_client_secret="c" * 40, **REAL)


def test_the_demo_provider_does_not_exist_in_production(settings: Settings) -> None:
    production = Settings(**{**settings.model_dump(), "mode": "production", **REAL})
    with TestClient(create_app(production, embedder=TEST_EMBEDDER)) as client:
        assert client.get("/demo-idp/.well-known/openid-configuration").status_code == 404
        assert client.get("/api/identity/login", follow_redirects=False).status_code == 503
