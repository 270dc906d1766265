"""Request and response bodies of the public HTTP API (the chat contract)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from annotated_types import Interval
from pydantic import AfterValidator, BaseModel, Field, StringConstraints, field_validator

from api.dossiers.service import MalformedCode, normalize_code

MAX_TEXT_CHARS = 2000
# The largest value of an INTEGER column (PostgreSQL's four bytes; SQLite's eight). An id or a version
# past it names no row, and the database driver raises on it (a 500) instead of finding none: 422.
MAX_DB_INT = 2**31 - 1
RowId = Annotated[int, Interval(ge=1, le=MAX_DB_INT)]


def _dossier_code(value: str) -> str:
    try:
        return normalize_code(value)
    except MalformedCode as exc:  # FastAPI's documented 422 shape, like any other bad parameter
        raise ValueError(exc.detail) from exc


# A dossier code (mã hồ sơ), normalised as api/dossiers/service.py reads it; a malformed one is a 422.
DossierCode = Annotated[str, StringConstraints(max_length=64), AfterValidator(_dossier_code)]


class ChatMessageIn(BaseModel):
    conversation_id: str | None = Field(default=None, max_length=64)
    text: str = Field(description=f"the citizen's message, 1 to {MAX_TEXT_CHARS:,} characters")
    lang: Literal["vi", "en"] | None = Field(default=None, description="reply language; detected per message when null")

    @field_validator("text")
    @classmethod
    def _text_size(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("text is empty; write a question of 1 to 2,000 characters")
        if len(text) > MAX_TEXT_CHARS:
            raise ValueError(f"text is {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}")
        return text


class Button(BaseModel):
    title: str
    payload: str


class ProcedureRef(BaseModel):
    code: str
    title: str
    url: str


class Answer(BaseModel):
    status: Literal["answered", "clarify", "unanswerable"]
    procedures: list[ProcedureRef]
    aspect: str | None = None
    guide: dict[str, Any] | None = Field(default=None, description="the cited guide's card: sections relevant to the question")
    values: dict[str, str] = Field(
        default_factory=dict, description="clarify, asked for a fee or time: each option's value, by procedure code"
    )


class MessageOut(BaseModel):
    id: str
    sender: Literal["citizen", "bot", "agent", "system"]
    kind: str = Field(description="text | answer | buttons | handoff | notice | feedback (a verdict typed in the chat, thanked for)")
    text: str
    created_at: str
    buttons: list[Button] = []
    answer: Answer | None = None


class ChatTurnOut(BaseModel):
    conversation_id: str
    state: Literal["bot", "waiting", "agent", "closed"]
    messages: list[MessageOut]


class FeedbackIn(BaseModel):
    helpful: bool
    reason: str | None = Field(default=None, max_length=500)


class SearchResult(BaseModel):
    code: str
    title: str
    score: float
    snippet: str
    url: str


class SearchOut(BaseModel):
    status: Literal["answered", "clarify", "unanswerable"]
    lang: str
    results: list[SearchResult]
    notices: list[str] = []
