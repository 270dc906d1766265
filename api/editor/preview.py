"""Preview: how the assistant would answer sample questions if the draft were published.

The draft replaces the guide's chunks in an in-memory copy of the served index (nothing
is written, nothing else is re-embedded), and the real answer path (`KnowledgeService.ask`)
runs over that copy: same retrieval, same verdicts, same composer.
"""

from __future__ import annotations

from typing import Any

from knowledge.guides import Guide
from knowledge.incremental import Changes, in_memory_index
from knowledge.index import IndexedGuide
from knowledge.service import KnowledgeService

MAX_QUESTIONS = 10


def sample_questions(guide: Guide, extra: list[str]) -> list[str]:
    """The editor's questions first, then the guide's own (both languages), without repeats."""
    asked = [q.strip() for q in extra if q.strip()]
    for lang in guide.languages:
        content = guide.content[lang]
        asked += content.questions[:3] or [content.title]
    return list(dict.fromkeys(asked))[:MAX_QUESTIONS]


def preview(*, knowledge: KnowledgeService, guide: Guide, version: int, questions: list[str]) -> list[dict[str, Any]]:
    index = in_memory_index(knowledge.index, Changes([IndexedGuide(guide, version)], set()), knowledge.embedder)
    draft_service = knowledge.with_index(index)
    answers = []
    for question in sample_questions(guide, questions):
        reply = draft_service.ask(question)
        cited = [p["code"] for p in reply.answer.get("procedures", [])]
        answers.append(
            {
                "question": question,
                "status": reply.answer["status"],
                "text": reply.text,
                "cites_this_guide": reply.guide_code == guide.code,
                "procedures": reply.answer.get("procedures", []),
                "guide": reply.answer.get("guide"),
                "buttons": [b["title"] for b in reply.buttons],
                "cited_codes": cited,
            }
        )
    return answers
