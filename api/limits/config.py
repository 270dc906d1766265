"""Settings of the abuse limits (variables ``HELPDESK_LIMITS__<NAME>``): the `limits` section of
`api.settings.Settings`, listed in docs/security.md."""

from __future__ import annotations

from limits import parse
from pydantic import BaseModel, Field, field_validator

RATE_FIELDS = ("chat_per_conversation", "chat_per_address", "search_per_address", "feedback_per_address", "dossier_lookup_per_address")


class LimitSettings(BaseModel):
    enabled: bool = Field(default=True, description="false lifts every limit (benchmarks that send hundreds of messages)")
    storage_url: str = Field(
        default="", description="empty: counts in this process's memory; redis://host:6379/0 shares them between workers"
    )
    key_prefix: str = Field(default="helpdesk", description="prefix of the counters' keys in the shared storage")
    chat_per_conversation: str = "20/minute"
    chat_per_address: str = "60/minute"
    search_per_address: str = "60/minute"
    feedback_per_address: str = "30/minute"
    dossier_lookup_per_address: str = Field(default="10/minute", description="dossier lookups by code and phone (guessing is slow)")
    login_free_failures_per_user: int = Field(default=5, ge=1, description="wrong passwords for one username before the back-off starts")
    login_free_failures_per_address: int = Field(
        default=20, ge=1, description="failed sign-ins from one address before its back-off starts"
    )
    login_backoff_max_s: int = Field(
        default=900, ge=1, description="longest refusal after repeated failures (2, 4, 8 … seconds up to this)"
    )
    login_failure_memory_s: int = Field(default=3600, ge=1, description="failures are forgotten this long after the first one")

    @field_validator(*RATE_FIELDS)
    @classmethod
    def _rate(cls, value: str) -> str:
        try:
            parse(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a rate; write it as '20/minute', '60 per hour' or '5/second'") from exc
        return value
