"""Procedure families: one procedure published at several levels ranks once.

The national database lists "Cấp lại thẻ căn cước" three times: done at the commune, at the
province ("(thực hiện tại cấp tỉnh)") and at the ministry ("(thực hiện tại cấp trung ương)").
To a citizen that is one procedure; ranking the three separately pushes other candidates out
of the first places and makes the verdict see a tie where there is none.

    key = family_key("Cấp lại thẻ căn cước (thực hiện tại cấp tỉnh)")   # "cap lai the can cuoc"
    level_asked("nộp ở công an xã được không")                           # "xa"
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from knowledge.normalize import fold, name_key

# Level qualifiers, on folded text. "cấp" alone also means "issue" ("cấp lại thẻ"), so a
# qualifier is only taken in brackets or at the end of the title.
_LEVEL = r"(?:xa|huyen|tinh|trung uong|bo|co so)"
_BRACKETED = re.compile(rf"\((?:[^)]*\b)?cap {_LEVEL}\b[^)]*\)")
_TRAILING = re.compile(rf"(?:\s*,?\s*(?:thuc hien )?(?:tai|o) (?:cong an |ubnd |uy ban nhan dan )?)?\bcap {_LEVEL}\b[\s\w,]*$")

# Which level a question asks for: "công an xã", "UBND phường", "Sở ...", "Bộ ...".
_ASKED = [
    ("xa", re.compile(r"\b(?:xa|phuong|thi tran|cap xa|commune|ward)\b")),
    ("tinh", re.compile(r"\b(?:cap tinh|so|tinh|thanh pho|province|provincial)\b")),
    ("bo", re.compile(r"\b(?:trung uong|cap bo|cuc|bo cong an|ministry|central)\b")),
]
_LEVEL_NAMES = {"xa": ("cap xa", "cap huyen"), "tinh": ("cap tinh",), "bo": ("cap bo", "trung uong")}


@lru_cache(maxsize=16384)  # every reload of the index groups the same 2,642 titles again
def family_key(title: str) -> str:
    """The title without its level qualifier, folded: the same key for every level of a procedure."""
    text = fold(title)
    text = _BRACKETED.sub(" ", text)
    stripped = _TRAILING.sub(" ", text)
    key = name_key(stripped)
    return key or name_key(text)


def level_asked(question: str) -> str | None:
    """'xa', 'tinh' or 'bo' when the question names the level it is done at, else None."""
    text = fold(question)
    for level, pattern in _ASKED:
        if pattern.search(text):
            return level
    return None


def serves_level(level_text: str, title: str, level: str) -> bool:
    """Whether a procedure (its `cap_thuc_hien` field and title) is done at `level`."""
    text = f"{fold(level_text)} {fold(title)}"
    return any(name in text for name in _LEVEL_NAMES[level])


def group_families(titles: Iterable[tuple[str, str]]) -> dict[str, str]:
    """code → family id (the smallest code of the family) for (code, title) pairs."""
    members: dict[str, list[str]] = defaultdict(list)
    for code, title in titles:
        members[family_key(title)].append(code)
    return {code: min(codes) for codes in members.values() for code in codes}
