"""What a question asks, read from its shape: the sentence that asks, and whether it asks about the law.

    focus("Chào anh chị. Em ở trọ ... (1,800 more characters) ... Cho em hỏi làm tạm trú ở đâu ạ?")
    # "Cho em hỏi làm tạm trú ở đâu ạ?"
    law_cues("Không đăng ký tạm trú bị phạt bao nhiêu?")   # 1

A question about the law ("who must", "what is the penalty", "what is the rate") shares words
with the procedure guides but is not answered by a procedure: the learned verdict takes the
number of such cues as one of its features, and the refusal says "this is a question about the
law" when it is the reason.
"""

from __future__ import annotations

import re

from knowledge.normalize import STOPWORDS, fold, syllables

FOCUS_ABOVE = 400  # characters; shorter questions are used whole
SAYS_WHAT = 4  # informative syllables an asking sentence needs to stand alone

_SENTENCE = re.compile(r"[^.?!\n]+[.?!]*")
_ASKS = re.compile(
    r"\?|\b(?:cho (?:em|toi|minh|chau) hoi|xin hoi|lam the nao|nhu the nao|bao nhieu|o dau|bao lau|co duoc|can gi|"
    r"how|what|where|when|which|can i|do i)\b"
)

# Folded cues of questions about the law rather than about doing a procedure.
_LAW_CUES = [
    r"bi phat|xu phat|muc phat|phat bao nhieu|phat tien|bi xu ly|xu ly (?:the nao|ra sao|nhu the nao)|vi pham|trai phep",
    r"co bat buoc|bat buoc phai|co phai (?:di |lam )?(?:dang ky|khai bao) khong|co can thiet",
    r"muc dong|ty le|phan tram|\d+ ?%|muc huong|duoc huong bao nhieu|muc luong|muc tro cap|lai suat|thue suat",
    r"ai phai|ai duoc|doi tuong nao|truong hop nao phai|nhung ai",
    r"luat (?:quy dinh|noi)|theo luat|quy dinh (?:cua )?phap luat|co hop phap|co vi pham|co bi sao khong",
    r"penalt|fined?\b|punish|mandatory|compulsory|required by law|is it legal|illegal|contribution rate|tax rate|who must|who has to",
]
_LAW = [re.compile(rf"\b(?:{cue})") for cue in _LAW_CUES]


def focus(question: str, limit: int = FOCUS_ABOVE) -> str:
    """The part of a long question that asks: its first asking sentence (with the one before it when
    the asking one names too little); the first `limit` characters when no sentence asks."""
    if len(question) <= limit:
        return question
    sentences = [s.strip() for s in _SENTENCE.findall(question) if s.strip()]
    for i, sentence in enumerate(sentences):
        if _ASKS.search(fold(sentence)):
            if len(sentence) > limit:
                return sentence[:limit]
            before = sentences[i - 1] if i else ""
            # "Thủ tục thế nào?" names nothing: the sentence before it says what it is about.
            if before and len(_words(sentence)) < SAYS_WHAT and len(before) + len(sentence) < limit:
                return f"{before} {sentence}"
            return sentence
    return question[:limit]


def _words(text: str) -> list[str]:
    return [w for w in syllables(text) if w not in STOPWORDS]


def law_cues(question: str) -> int:
    """How many kinds of law-question cue the question shows (0 for a plain procedure question)."""
    text = fold(question)
    return sum(1 for pattern in _LAW if pattern.search(text))
