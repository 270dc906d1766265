"""Compose the assistant's reply from a guide: extractive, shaped by what was asked.

Every sentence of an answer is taken from the cited guide version; the composer
only chooses which sections to show and adds fixed connective phrases.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from knowledge.guides import Guide
from knowledge.normalize import STOPWORDS, fold, syllables
from knowledge.search import SearchOutcome

Aspect = Literal["overview", "fee", "documents", "steps", "time", "where", "online", "conditions", "result"]

# Checked in order: the first aspect whose cue appears in the folded question wins.
_ASPECT_CUES: list[tuple[Aspect, str]] = [
    ("fee", r"le phi|phi|bao nhieu tien|het bao nhieu|mat bao nhieu tien|fee|fees|cost|costs|how much|price|charge"),
    ("time", r"bao lau|mat bao lau|thoi gian|thoi han|may ngay|bao nhieu ngay|how long|how many days|processing time|when will"),
    ("documents", r"giay to|ho so|can nhung gi|can gi|mang theo|documents?|papers|paperwork|what do i need|bring"),
    ("online", r"online|truc tuyen|qua mang|tren mang|vneid|dich vu cong|internet|on the web"),
    ("where", r"o dau|noi nao|co quan nao|nop o|den dau|where|which office|which agency"),
    ("conditions", r"dieu kien|duoc khong|eligib|conditions?|requirements?|who can"),
    ("steps", r"cac buoc|trinh tu|quy trinh|lam the nao|lam sao|nhu the nao|the nao|steps?|procedure|how do i|how to|how can i"),
]

CHANNEL_LABELS = {
    "vi": {"online": "Trực tuyến", "in_person": "Trực tiếp", "post": "Qua bưu chính"},
    "en": {"online": "Online", "in_person": "In person", "post": "By post"},
}

_PHRASES = {
    "vi": {
        "fee": "Lệ phí {title}",
        "time": "Thời gian giải quyết {title}",
        "documents": "Hồ sơ {title} gồm",
        "steps": "Các bước thực hiện {title}",
        "where": "Nơi thực hiện {title}",
        "online": "{title} có thể nộp theo các cách sau",
        "conditions": "Điều kiện {title}",
        "result": "Kết quả {title}",
        "overview": "{title}",
        "no_fee": "hướng dẫn không ghi lệ phí",
        "no_time": "hướng dẫn không ghi thời gian",
        "missing": "Hướng dẫn {title} chưa có thông tin này; bạn xem nguồn bên dưới hoặc hỏi tổng đài viên.",
        "clarify": "Bạn muốn hỏi về thủ tục nào?",
        "unanswerable": "Xin lỗi, tôi chưa có hướng dẫn phù hợp cho câu hỏi này. Bạn có thể hỏi lại cách khác, hoặc gặp tổng đài viên.",
        "human": "Gặp tổng đài viên",
    },
    "en": {
        "fee": "Fee for {title}",
        "time": "Processing time for {title}",
        "documents": "Documents for {title}",
        "steps": "Steps for {title}",
        "where": "Where to do {title}",
        "online": "Ways to apply for {title}",
        "conditions": "Conditions for {title}",
        "result": "Result of {title}",
        "overview": "{title}",
        "no_fee": "the guide states no fee",
        "no_time": "the guide states no time",
        "missing": "The guide for {title} does not say; see the source below or ask a person.",
        "clarify": "Which procedure do you mean?",
        "unanswerable": "Sorry, I have no guide that answers this. You can rephrase, or talk to a person.",
        "human": "Talk to a person",
    },
}


def detect_aspect(question: str) -> Aspect:
    text = f" {fold(question)} "
    for aspect, cues in _ASPECT_CUES:
        if re.search(rf"\b(?:{cues})\b", text):
            return aspect
    return "overview"


# Words that say nothing about which procedure is meant ("còn lệ phí thì sao?").
_NON_TOPIC = STOPWORDS | set(
    "con thi sao vay the ra nua nhe lam thu tuc cai nay do also about it this that too then and so take takes much many long need"
    " nop gom chuan bi thuc hien xong nhan ket qua submit apply lodge hand file done required there any we us they".split()
)


def mentions_topic(question: str) -> bool:
    """Whether the question names a procedure, or only asks about the current one."""
    text = f" {fold(question)} "
    for _, cues in _ASPECT_CUES:
        text = re.sub(rf"\b(?:{cues})\b", " ", text)
    return any(word not in _NON_TOPIC for word in syllables(text))


def phrases(lang: str) -> dict[str, str]:
    return _PHRASES["en" if lang == "en" else "vi"]


def human_button(lang: str) -> dict[str, str]:
    """The button that asks for a person (the payload the handoff rules listen for)."""
    return {"title": phrases(lang)["human"], "payload": "/request_human"}


def guide_card(guide: Guide, version: int, lang: str, aspect: Aspect) -> dict[str, Any]:
    """The structured card the chat page renders; sections not asked about are None."""
    content = guide.content_for(lang)
    labels = CHANNEL_LABELS["en" if lang == "en" else "vi"]
    show = {
        "overview": {"steps", "documents", "channels", "where"},
        "fee": {"channels"},
        "time": {"channels"},
        "documents": {"documents"},
        "steps": {"steps"},
        "where": {"where", "channels"},
        "online": {"channels"},
        "conditions": {"conditions"},
        "result": {"result"},
    }[aspect]
    return {
        "code": guide.code,
        "title": content.title,
        "summary": content.summary,
        "updated_at": guide.updated_at.isoformat() if guide.updated_at else None,
        "version": version,
        "lang": lang if lang in guide.content else "vi",
        "source_url": guide.source_url,
        "online_url": guide.online_url,
        "steps": content.steps if "steps" in show else None,
        "documents": [{"case": d.case, "items": d.items} for d in content.documents] if "documents" in show else None,
        "channels": [{"kind": c.kind, "label": labels[c.kind], "time": c.time, "fee": c.fee, "note": c.note} for c in content.channels]
        if "channels" in show
        else None,
        "where": (content.where or guide.agency) if "where" in show else None,
        "conditions": content.conditions if "conditions" in show else None,
        "result": content.result if "result" in show else None,
        "legal_basis": [{"number": r.number, "title": r.title} for r in guide.legal_basis],
    }


def answer_text(guide: Guide, lang: str, aspect: Aspect) -> str:
    """One extractive sentence or list heading for the chat bubble."""
    content = guide.content_for(lang)
    p = phrases(lang)
    labels = CHANNEL_LABELS["en" if lang == "en" else "vi"]
    head = p[aspect].format(title=content.title)
    if aspect in ("fee", "time"):
        if not content.channels:
            return p["missing"].format(title=content.title)
        field_name, empty = ("fee", p["no_fee"]) if aspect == "fee" else ("time", p["no_time"])
        rows = [f"{labels[c.kind]}: {getattr(c, field_name) or empty}" for c in content.channels]
        return f"{head}: " + "; ".join(rows) + "."
    if aspect == "where":
        return f"{head}: {content.where or guide.agency}" if (content.where or guide.agency) else p["missing"].format(title=content.title)
    if aspect in ("conditions", "result"):
        value = getattr(content, aspect)
        return f"{head}: {value}" if value else p["missing"].format(title=content.title)
    if aspect == "documents" and not content.documents or aspect == "steps" and not content.steps:
        return p["missing"].format(title=content.title)
    if aspect == "overview":
        return content.summary or content.title
    return f"{head}:"


def procedures(outcome: SearchOutcome, limit: int = 4) -> list[dict[str, str]]:
    return [{"code": h.code, "title": h.title, "url": h.url} for h in outcome.hits[:limit]]
