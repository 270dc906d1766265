"""Which language a citizen wrote in: Vietnamese (with or without diacritics) or English."""

from __future__ import annotations

from knowledge.normalize import has_vietnamese_marks, syllables

# Frequent words; folded Vietnamese syllables rarely collide with these English ones (so no "me", "be", "ok").
_VI_WORDS = frozenset(
    (
        "toi minh la co khong gi nao the lam thu tuc dang ky can bao nhieu o dau cho xin hoi muon duoc va cua nhu ho khau cuoc "
        "giay to le phi lau nhe a oi vay sao roi chua nguoi viec chao cam on vang gap nhan vien tong dai"
    ).split()
)
_EN_WORDS = frozenset(
    (
        "i you my the a an is are do does how what where when which who can need to for of in on with and please get want "
        "register registration apply card fee documents long online hello hi hey thanks thank bye goodbye yes no human person "
        "agent talk speak that this it was not helped help helpful useful wrong answer good great much many cost take days "
        "time there have has should will would could if passport licence license driving birth marriage residence permanent "
        "temporary certificate identity id submit office form fill tax insurance land"
    ).split()
)


def detect_language(text: str, default: str = "vi") -> str:
    """'vi' or 'en'. Diacritics decide at once; otherwise the side with more known words wins."""
    if has_vietnamese_marks(text):
        return "vi"
    words = syllables(text)
    vi = sum(w in _VI_WORDS for w in words)
    en = sum(w in _EN_WORDS for w in words)
    if vi == en:
        return default
    return "vi" if vi > en else "en"
