"""Cut guides into retrievable chunks, one section at a time.

Each chunk keeps the procedure title in front of its text, so a passage about fees
still says which procedure it belongs to. Long sections are split at sentence
boundaries (spaCy's rule-based sentencizer; no model download) into windows of
about `max_chars`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from knowledge.guides import Guide, GuideContent


@dataclass(frozen=True)
class Chunk:
    id: str
    code: str
    lang: str
    section: str
    text: str


@lru_cache(maxsize=1)
def _sentencizer():  # type: ignore[no-untyped-def]
    import spacy

    nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp


def split_sentences(text: str) -> list[str]:
    return [s.text.strip() for s in _sentencizer()(text).sents if s.text.strip()]


def _windows(text: str, max_chars: int) -> Iterator[str]:
    if len(text) <= max_chars:
        yield text
        return
    window = ""
    for sentence in split_sentences(text):
        if window and len(window) + len(sentence) > max_chars:
            yield window
            window = ""
        window = f"{window} {sentence}".strip()
    if window:
        yield window


def _sections(content: GuideContent) -> Iterator[tuple[str, str]]:
    yield "title", " . ".join([content.title, *content.aliases, content.summary])
    if content.questions:
        yield "questions", " . ".join(content.questions)
    if content.steps:
        yield "steps", " ".join(content.steps)
    for case in content.documents:
        yield "documents", " ".join([case.case, *case.items])
    if content.channels:
        yield "channels", " ".join(f"{c.kind} {c.time} {c.fee} {c.note}" for c in content.channels)
    for name in ("who", "where", "conditions", "result"):
        value = getattr(content, name)
        if value:
            yield name, value


def chunk_guide(guide: Guide, max_chars: int = 600) -> list[Chunk]:
    chunks: list[Chunk] = []
    for lang in guide.languages:
        content = guide.content[lang]
        for section, text in _sections(content):
            for window in _windows(text, max_chars):
                body = window if section == "title" else f"{content.title}: {window}"
                chunks.append(Chunk(id=f"{guide.code}:{lang}:{len(chunks)}", code=guide.code, lang=lang, section=section, text=body))
    return chunks
