"""What the assistant says when no guide answers: so, honestly, with what is known.

    reply = unanswerable_reply(outcome, index, "vi")
    reply.text      # "Tôi chưa có hướng dẫn trả lời câu hỏi này. Câu hỏi có vẻ thuộc lĩnh vực …"
    reply.buttons   # [human_button("vi")]

Known is what the nearest procedures agree on: their field (domain) and the agency that
handles them, said only when every near one has the same. A question about the law ("bị
phạt bao nhiêu?") is told that it is not a procedure, with the legal basis of the nearest
procedure when there is one. The nearest procedures are listed as related, never as the
answer: their guides are not shown.
"""

from __future__ import annotations

from typing import Any

from knowledge.answer import Aspect, human_button
from knowledge.guides import Guide
from knowledge.index import Index
from knowledge.reply import Reply
from knowledge.search import Hit, SearchOutcome

# A procedure is "near" when it holds at least this share of the question's informative words
# (IDF-weighted coverage): half of what the verdict asked of an answer before the learned
# verdict, so that a question about gold prices has no near procedure and says nothing more.
NEAR_COVERAGE = 0.2
NEAREST = 3
LEGAL_REFS = 3

_PHRASES = {
    "vi": {
        "sorry": "Xin lỗi, tôi chưa có hướng dẫn trả lời câu hỏi này.",
        "law": "Câu hỏi này hỏi về quy định của pháp luật, không phải về cách làm một thủ tục hành chính, nên tôi không trả lời chắc chắn được.",
        "domain": "Câu hỏi có vẻ thuộc lĩnh vực {domain}.",
        "domain_agency": "Câu hỏi có vẻ thuộc lĩnh vực {domain}, do {agency} giải quyết.",
        "agency": "Việc này thường do {agency} giải quyết.",
        "legal_basis": "Thủ tục gần nhất là {title}; văn bản làm căn cứ: {refs}.",
        "related": "Thủ tục gần nhất: {titles}.",
        "offer": "Bạn có thể hỏi lại cụ thể hơn, hoặc gặp tổng đài viên.",
    },
    "en": {
        "sorry": "Sorry, I have no guide that answers this.",
        "law": "This asks about what the law says, not about how to do an administrative procedure, so I cannot answer it reliably.",
        "domain": "It seems to concern {domain}.",
        "domain_agency": "It seems to concern {domain}, handled by {agency}.",
        "agency": "This is usually handled by {agency}.",
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
    """The first few hits that hold enough of the question to be related, one per procedure family."""
    near: list[Hit] = []
    families: set[tuple[str, ...]] = set()
    for hit in outcome.hits[:NEAREST]:
        family = tuple(sorted(getattr(hit, "family", ()) or (hit.code,)))
        if hit.coverage >= near_coverage and hit.code in index.guides and family not in families:
            near.append(hit)
            families.add(family)
    return near


def _shared_topic(guides: list[Guide], p: dict[str, str]) -> str:
    """The field and agency every near procedure shares, as a sentence; "" when they differ."""
    if not guides:
        return ""
    domains = {g.domain for g in guides}
    agencies = {g.agency for g in guides}
    domain = domains.pop() if len(domains) == 1 else ""
    agency = agencies.pop() if len(agencies) == 1 else ""
    if domain and agency:
        return p["domain_agency"].format(domain=domain, agency=agency)
    if domain:
        return p["domain"].format(domain=domain)
    return p["agency"].format(agency=agency) if agency else ""


def _legal_refs(guide: Guide) -> str:
    refs = [f"{r.title} ({r.number})" if r.title and r.number else r.title or r.number for r in guide.legal_basis[:LEGAL_REFS]]
    return "; ".join(ref for ref in refs if ref)


def _title(guide: Guide, lang: str) -> str:
    return guide.content_for(lang).title
