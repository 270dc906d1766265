"""Cut guides into retrievable chunks (for BM25) and one card per procedure and language (for dense retrieval).

Each chunk keeps the procedure title in front of its text, so a passage about fees
still says which procedure it belongs to. Long sections are split at sentence
boundaries (spaCy's rule-based sentencizer; no model download) into windows of
about `max_chars`.

A card is what the embedding model sees of a procedure: its names, its field and the start of
its summary. One vector per card instead of one per chunk is ~11× fewer vectors at full scale
(2,673 cards against 30,450 chunks), and a dense hit names the procedure directly.
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


@dataclass(frozen=True)
class Card:
    """One procedure in one language, as the embedding model reads it."""

    code: str
    lang: str
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


def procedure_cards(guide: Guide, summary_chars: int = 400) -> list[Card]:
    """One card per language: title, aliases, field and the summary cut to about `summary_chars`.

    Passage models read a few hundred tokens at most; the summary's start says what the
    procedure is, its later sentences mostly detail cases that BM25 over the chunks finds anyway.
    """
    cards = []
    for lang in guide.languages:
        content = guide.content[lang]
        parts = [content.title, *content.aliases, guide.domain, _cut(content.summary, summary_chars)]
        cards.append(Card(code=guide.code, lang=lang, text=" . ".join(p.strip() for p in parts if p and p.strip())))
    return cards


def _cut(text: str, limit: int) -> str:
    """`text` up to `limit` characters, ending at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[:limit]
    return head.rsplit(" ", 1)[0] if " " in head else head
