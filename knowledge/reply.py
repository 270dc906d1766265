"""One assistant message, as the knowledge service composes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reply:
    """One assistant message: text for the bubble, `answer` for the card, optional buttons."""

    text: str
    answer: dict[str, Any]
    buttons: list[dict[str, str]] = field(default_factory=list)
    guide_code: str | None = None
    guide_version: int | None = None
