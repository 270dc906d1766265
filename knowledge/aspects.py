"""What a question asks about a procedure (its aspect: fee, time, documents, ...) and which words name the procedure.

detect_aspect("làm hộ chiếu mất bao lâu?")    # "time"
topic_words("lệ phí hộ chiếu là bao nhiêu")   # ["ho", "chieu"]
"""

from __future__ import annotations

import re
from typing import Literal

from knowledge.normalize import STOPWORDS, fold, syllables

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


def topic_words(question: str) -> list[str]:
    """The folded words that name what the question is about: not its aspect ("lệ phí", "bao lâu"), not filler."""
    text = f" {fold(question)} "
    for _, cues in _ASPECT_CUES:
        text = re.sub(rf"\b(?:{cues})\b", " ", text)
    return [word for word in syllables(text) if word not in _NON_TOPIC]


def mentions_topic(question: str) -> bool:
    """Whether the question names a procedure, or only asks about the current one."""
    return bool(topic_words(question))
