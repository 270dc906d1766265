"""What the assistant says when no guide answers: so, honestly, with what is known.

    reply = unanswerable_reply(outcome, index, "vi")
    reply.text      # "Xin lỗi, tôi chưa có hướng dẫn trả lời câu hỏi này. Câu hỏi có vẻ thuộc lĩnh vực …"
    reply.buttons   # [human_button("vi")]

Known is what the nearest procedures agree on: their field (domain), and the agency when they
share it too; said only when at least two of the nearest share the field of the first. A
question about the law ("bị phạt bao nhiêu?") is told that it is not a procedure, with the
legal basis of the nearest procedure when there is one. The nearest procedures are listed as
related, never as the answer: their guides are not shown.
"""

from __future__ import annotations

from typing import Any

from knowledge.answer import Aspect, human_button
from knowledge.guides import Guide
from knowledge.index import Index
from knowledge.reply import Reply
from knowledge.search import Hit, SearchOutcome

# The first procedure must hold at least this share of the question's informative words
# (IDF-weighted coverage) for its neighbours to count: half of what the verdict asked of an
# answer before the learned verdict. Coverage alone does not tell related from unrelated
# (small talk reaches 0.37), so the neighbours must also share a field (`nearest`).
NEAR_COVERAGE = 0.2
NEAREST = 3
LEGAL_REFS = 3
_REF_TITLE = 100  # characters of a legal document's title in the text

_PHRASES = {
    "vi": {
        "sorry": "Xin lỗi, tôi chưa có hướng dẫn trả lời câu hỏi này.",
        "law": "Câu hỏi này hỏi về quy định của pháp luật, không phải về cách làm một thủ tục hành chính, nên tôi không trả lời chắc chắn được.",
        "domain": "Câu hỏi có vẻ thuộc lĩnh vực {domain}.",
        "domain_agency": "Câu hỏi có vẻ thuộc lĩnh vực {domain}, do {agency} giải quyết.",
        "legal_basis": "Thủ tục gần nhất là {title}; văn bản làm căn cứ: {refs}.",
        "related": "Thủ tục gần nhất: {titles}.",
        "offer": "Bạn có thể hỏi lại cụ thể hơn, hoặc gặp tổng đài viên.",
    },
    "en": {
        "sorry": "Sorry, I have no guide that answers this.",
        "law": "This asks about what the law says, not about how to do an administrative procedure, so I cannot answer it reliably.",
        "domain": "It seems to concern {domain}.",
        "domain_agency": "It seems to concern {domain}, handled by {agency}.",
        "legal_basis": "The nearest procedure is {title}; its legal basis: {refs}.",
        "related": "Nearest procedures: {titles}.",
        "offer": "You can ask again in more detail, or talk to a person.",
    },
}


def unanswerable_reply(
    outcome: SearchOutcome, index: Index, lang: str, *, aspect: Aspect | None = None, near_coverage: float = NEAR_COVERAGE
) -> Reply:
    """The reply to a question no guide answers: what is known, and the offer of a person."""
    p = _PHRASES["en" if lang == "en" else "vi"]
    kind = getattr(outcome, "question_kind", "procedure")  # SearchOutcome has it from the learned search on
    near = nearest(outcome, index, near_coverage=near_coverage)
    guides = [index.guides[h.code].guide for h in near]
    sentences = [p["law"] if kind == "law" else p["sorry"]]
    if kind == "law" and guides and (refs := _legal_refs(guides[0])):
        sentences.append(p["legal_basis"].format(title=_title(guides[0], lang), refs=refs))
    elif topic := _shared_topic(guides, p):
        sentences.append(topic)
    if near and not (kind == "law" and _legal_refs(guides[0])):
        sentences.append(p["related"].format(titles="; ".join(dict.fromkeys(_title(g, lang) for g in guides))))
    sentences.append(p["offer"])
    answer: dict[str, Any] = {
        "status": "unanswerable",
        "procedures": [{"code": h.code, "title": h.title, "url": h.url} for h in near],
        "aspect": aspect,
        "guide": None,
        "question_kind": kind,
    }
    return Reply(" ".join(sentences), answer, [human_button(lang)])


def nearest(outcome: SearchOutcome, index: Index, *, near_coverage: float = NEAR_COVERAGE) -> list[Hit]:
    """The nearest procedures when they point one way, else none.

    Among the first few hits (one per procedure family), those in the first hit's field, when the
    first holds enough of the question and at least one other shares its field. Hits from scattered
    fields are what any words find ("em là người thật hay robot?" meets a birth, a bond, a grant).
    """
    top: list[Hit] = []
    families: set[tuple[str, ...]] = set()
    for hit in outcome.hits:
        family = tuple(sorted(getattr(hit, "family", ()) or (hit.code,)))
        if hit.code in index.guides and family not in families:
            top.append(hit)
            families.add(family)
        if len(top) == NEAREST:
            break
    if not top or top[0].coverage < near_coverage:
        return []
    field = index.guides[top[0].code].guide.domain
    same = [h for h in top if index.guides[h.code].guide.domain == field]
    return same if field and len(same) > 1 else []


def _shared_topic(guides: list[Guide], p: dict[str, str]) -> str:
    """The field of the near procedures, with their agency when they share it; "" without them."""
    if not guides or not guides[0].domain:
        return ""
    agencies = {g.agency for g in guides}
    agency = agencies.pop() if len(agencies) == 1 else ""
    if agency:
        return p["domain_agency"].format(domain=guides[0].domain, agency=agency)
    return p["domain"].format(domain=guides[0].domain)


def _legal_refs(guide: Guide) -> str:
    """The first few legal documents, "title (number)", long titles cut."""
    refs = []
    for ref in guide.legal_basis[:LEGAL_REFS]:
        title = ref.title if len(ref.title) <= _REF_TITLE else ref.title[: _REF_TITLE - 1].rsplit(" ", 1)[0] + "…"
        refs.append(f"{title} ({ref.number})" if title and ref.number else title or ref.number)
    return "; ".join(ref for ref in refs if ref)


def _title(guide: Guide, lang: str) -> str:
    return guide.content_for(lang).title.rstrip(" .")
