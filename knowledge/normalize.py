"""Vietnamese-aware text normalisation for retrieval.

Citizens type "đăng ký thường trú", "dang ky thuong tru" or "DANG KY THUONG TRU";
all three must meet the same index terms. We index and query *folded* text (NFC,
lower case, diacritics removed, đ → d) as syllables plus syllable bigrams, since
Vietnamese words are mostly two syllables ("đăng ký", "thường trú").
"""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_VI_MARKS = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]")

# Very common syllables that carry no topic; kept out of bigrams' neighbours is not needed,
# but removing them from unigrams stops "tôi muốn hỏi" from matching everything.
STOPWORDS = frozenset(
    [
        "toi",
        "minh",
        "em",
        "anh",
        "chi",
        "ban",
        "cho",
        "xin",
        "hoi",
        "muon",
        "can",
        "phai",
        "co",
        "khong",
        "la",
        "thi",
        "va",
        "cua",
        "de",
        "duoc",
        "nhu",
        "the",
        "nao",
        "gi",
        "bao",
        "nhieu",
        "o",
        "dau",
        "ve",
        "voi",
        "nay",
        "do",
        "nhe",
        "a",
        "a",
        "a",
        "oi",
        "vay",
        "sao",
        "khi",
        "nao",
        "lam",
        "ra",
        "vao",
        "cac",
        "nhung",
        "mot",
        "hay",
        "hoac",
        "the",
        "a",
        "an",
        "and",
        "are",
        "can",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "in",
        "is",
        "it",
        "me",
        "my",
        "of",
        "on",
        "or",
        "the",
        "to",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
        "please",
        "tell",
        "about",
        "get",
        "need",
        "want",
    ]
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower case without diacritics: "Đăng ký Thường trú" → "dang ky thuong tru"."""
    decomposed = unicodedata.normalize("NFD", nfc(text).lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def syllables(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


def name_key(text: str) -> str:
    """A name compared loosely: folded syllables joined by spaces ("TP.HCM" → "tp hcm", "Hoà Bình" → "hoa binh")."""
    return " ".join(syllables(text))


def accented_syllables(text: str) -> list[str]:
    return _TOKEN.findall(nfc(text).lower())


def index_terms(text: str) -> list[str]:
    """Folded syllables (stopwords dropped) plus every adjacent syllable bigram."""
    sylls = syllables(text)
    unigrams = [s for s in sylls if s not in STOPWORDS]
    bigrams = [f"{a}_{b}" for a, b in zip(sylls, sylls[1:], strict=False)]
    return unigrams + bigrams


def has_vietnamese_marks(text: str) -> bool:
    return bool(_VI_MARKS.search(nfc(text).lower()))
