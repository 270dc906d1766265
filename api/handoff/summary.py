"""An extractive summary of a conversation for the agent who picks it up.

Only sentences that were said are used (the citizen's questions, the start of the bot's
answers with the guide they cited) plus fixed labels; nothing is generated.

    summarize([Line("citizen", "lệ phí thường trú?"), Line("bot", "Lệ phí ...", "answered", "1.004222")], "requested")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

REASONS = {
    "requested": {"vi": "Công dân yêu cầu gặp tổng đài viên", "en": "The citizen asked for a person"},
    "repeated_failure": {"vi": "Trợ lý nhiều lần không trả lời được", "en": "The assistant failed to answer several times"},
    "negative_feedback": {"vi": "Công dân đánh giá hai câu trả lời là chưa hữu ích", "en": "The citizen marked two answers as not helpful"},
}
MAX_QUESTIONS = 3
MAX_ANSWER_CHARS = 240


@dataclass(frozen=True)
class Line:
    """One stored message, reduced to what a summary needs (texts are already redacted)."""

    sender: str
    text: str
    status: str | None = None  # answer status for bot answers
    guide_code: str | None = None


def first_sentence(text: str, limit: int = MAX_ANSWER_CHARS) -> str:
    """The text up to its first sentence end, cut at `limit` characters."""
    text = " ".join(text.split())
    cuts = [cut for cut in (text.find(end) for end in (". ", "? ", "! ")) if 0 < cut < limit]
    if cuts:
        return text[: min(cuts) + 1]
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summarize(lines: list[Line], reason: str, lang: str = "vi") -> dict[str, Any]:
    """{asked, answers, guide_code, reason, text}: the last questions, the bot's answers, why it was handed off."""
    questions = [ln.text for ln in lines if ln.sender == "citizen" and ln.text and not ln.text.startswith("/")]
    answers = [
        {"text": first_sentence(ln.text), "status": ln.status, "guide_code": ln.guide_code}
        for ln in lines
        if ln.sender == "bot" and ln.status is not None
    ]
    guide_code = next((a["guide_code"] for a in reversed(answers) if a["guide_code"]), None)
    why = REASONS.get(reason, {"vi": reason, "en": reason})[lang if lang in ("vi", "en") else "vi"]
    asked = questions[-MAX_QUESTIONS:]
    labels = {"vi": ("Hỏi", "Trợ lý trả lời", "Lý do chuyển"), "en": ("Asked", "Assistant answered", "Handed off because")}[
        lang if lang in ("vi", "en") else "vi"
    ]
    parts = []
    if asked:
        parts.append(f"{labels[0]}: " + " | ".join(f"“{q}”" for q in asked))
    if answers:
        last = answers[-1]
        cited = f" [{last['guide_code']}]" if last["guide_code"] else ""
        parts.append(f"{labels[1]} ({last['status']}){cited}: {last['text']}")
    parts.append(f"{labels[2]}: {why}")
    return {"asked": asked, "answers": answers[-MAX_QUESTIONS:], "guide_code": guide_code, "reason": reason, "text": "\n".join(parts)}
