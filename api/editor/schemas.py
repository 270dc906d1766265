"""Request bodies of the editor API (responses are the service functions' dicts)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from api.schemas import MAX_DB_INT

MAX_LOCK_VERSION = MAX_DB_INT - 1  # a write stores lock_version + 1


class GuideIn(BaseModel):
    guide: dict[str, Any] = Field(description="the guide in its stored shape: code, domain, agency, legal_basis, …, vi {…}, en {…}")


class DraftIn(GuideIn):
    lock_version: int = Field(ge=0, le=MAX_LOCK_VERSION, description="the lock_version you loaded; a stale one is a 409 conflict")


class StepIn(BaseModel):
    lock_version: int = Field(ge=0, le=MAX_LOCK_VERSION)


class RejectIn(StepIn):
    comment: str = Field(default="", max_length=1000)


class RollbackIn(StepIn):
    to_version: int = Field(ge=1, le=MAX_DB_INT)


class PreviewIn(BaseModel):
    guide: dict[str, Any] | None = Field(default=None, description="unsaved form content; the saved draft when absent")
    questions: list[str] = Field(default_factory=list, max_length=10)


class GapDraftIn(BaseModel):
    code: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=300)
