"""What citizens call a procedure, and whether a mention names one.

The bot's NLU marks procedure mentions with a lookup table built from these names
(bot/lookups.py); the knowledge service uses a mention only as a hint, since a guide
published after the model was trained has no entry in that table::

    procedure_names(guide)                       # ["Đăng ký tạm trú", "khai báo tạm trú", ..., "Temporary residence registration", ...]
    names_procedure("dang ky tam tru", guide)    # True
    without_mentions("lệ phí làm tạm trú thì sao", ["làm tạm trú"])   # "lệ phí   thì sao"
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from knowledge.guides import Guide
from knowledge.normalize import name_key, nfc

# "Notice of stay (overnight guests)": nobody types the qualifier in brackets.
_QUALIFIER = re.compile(r"\s*\([^)]*\)")


def procedure_names(guide: Guide) -> list[str]:
    """The guide's titles (without a bracketed qualifier) and aliases, in every language, first spelling kept."""
    names: list[str] = []
    seen: set[str] = set()
    for content in guide.content.values():
        for name in (content.title, *content.aliases):
            name = _QUALIFIER.sub("", nfc(name)).strip()
            key = name_key(name)
            if key and key not in seen:
                seen.add(key)
                names.append(name)
    return names


def names_procedure(mention: str, guide: Guide) -> bool:
    """Whether `mention` is one of the guide's names, typed with or without diacritics, in any case."""
    key = name_key(mention)
    return bool(key) and any(name_key(name) == key for name in procedure_names(guide))


def without_mentions(text: str, mentions: Sequence[str]) -> str:
    """The text with each mention cut out: what else it says besides naming procedures."""
    for mention in mentions:
        text = text.replace(mention, " ")
    return text
