"""Request and response bodies of the agent API and the citizen's handoff endpoints."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from api.schemas import MAX_TEXT_CHARS, MessageOut

Skill = Literal["residence", "identity", "civil_status", "general"]
Disposition = Literal["answered", "referred", "callback", "no_response", "duplicate", "other"]


class TicketOut(BaseModel):
    id: int
    conversation_id: str
    state: Literal["queued", "assigned", "resolved"]
    skill: str
    lang: str
    priority: int = Field(description="rules at handoff plus time waited (docs/handoff.md)")
    reason: str
    agent: str | None = Field(description="username of the agent holding or who resolved it")
    created_at: str
    claimed_at: str | None
    resolved_at: str | None
    waited_s: int = Field(description="seconds from handoff to claim (or until now while queued)")
    disposition: str | None
    guide_code: str | None
    transfers: int
    summary: str


class TicketDetailOut(TicketOut):
    summary_parts: dict[str, Any]
    messages: list[MessageOut] = Field(description="the whole conversation, personal numbers redacted")
    citizen: dict[str, Any] | None = Field(default=None, description="the citizen's consented profile, when signed in")


class AgentMessageIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)


class TransferIn(BaseModel):
    skill: Skill
    lang: Literal["vi", "en"] | None = None
    note: str | None = Field(default=None, max_length=500)


class ResolveIn(BaseModel):
    disposition: Disposition
    note: str | None = Field(default=None, max_length=1000)


class StatusIn(BaseModel):
    status: Literal["online", "away", "offline"]


class QueueOut(BaseModel):
    skill: str
    lang: str
    waiting: int
    assigned: int
    oldest_wait_s: int
    agents_online: int
    mine: bool = Field(default=False, description="whether the signed-in agent serves this queue")


class AssistOut(BaseModel):
    question: str | None
    suggestions: list[dict[str, Any]]


class SocketTicketOut(BaseModel):
    ticket: str = Field(description="opens /api/agent/tickets/{id}/ws?ticket=… once")
    expires_in: int = Field(description="seconds")


class CallbackOut(BaseModel):
    id: int
    conversation_id: str
    phone: str
    preferred_time: str
    lang: str
    skill: str
    state: str
    created_at: str


class CallbackDoneIn(BaseModel):
    outcome: Literal["reached", "no_answer"]
    note: str | None = Field(default=None, max_length=1000)


class QueueViewOut(BaseModel):
    """The citizen's place in the queue."""

    state: Literal["bot", "waiting", "agent", "closed"]
    ticket_id: int | None
    open: bool = Field(description="within working hours (and not a public holiday)")
    position: int | None = Field(description="1 = next; 0 once an agent has the conversation")
    queue_size: int
    agents_online: int
    estimated_wait_s: int | None = Field(description="Erlang C estimate; null when no agent is online")
    offer_callback: bool


class CallbackIn(BaseModel):
    phone: str = Field(min_length=9, max_length=20)
    preferred_time: str = Field(default="", max_length=100)
    consent: bool = Field(description="the citizen agrees that the number is stored and used for this callback")


class SatisfactionIn(BaseModel):
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=1000)
