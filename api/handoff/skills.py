"""Which queue (skill) a procedure belongs to, from the guide's domain (a Vietnamese label)."""

from __future__ import annotations

from knowledge.normalize import fold

SKILLS = ("residence", "identity", "civil_status", "general")

# Folded (no diacritics, lower case) fragments of `Guide.domain`; the first match wins.
DOMAIN_SKILLS: tuple[tuple[str, str], ...] = (
    ("cu tru", "residence"),
    ("can cuoc", "identity"),
    ("dinh danh", "identity"),
    ("xuat nhap canh", "identity"),
    ("ho tich", "civil_status"),
    ("ly lich tu phap", "civil_status"),
    ("chung thuc", "civil_status"),
)


def skill_for_domain(domain: str | None) -> str:
    """'Đăng ký, quản lý cư trú' → 'residence'; unknown or empty → 'general'."""
    folded = fold(domain or "")
    return next((skill for fragment, skill in DOMAIN_SKILLS if fragment in folded), "general")
