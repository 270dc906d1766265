"""The synonym list (``data/synonyms.yaml``): old names and abbreviations reach the official ones.

Citizens write "hộ khẩu", "CMND", "sổ đỏ"; the national records write "thường trú",
"thẻ căn cước", "giấy chứng nhận quyền sử dụng đất"::

    synonyms = SynonymList.load(Path("data/synonyms.yaml"))
    synonyms.expand("cach lam so ho khau")     # "thường trú"
    synonyms.rewrite("cach lam so ho khau")    # "cach lam thường trú"
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from knowledge.normalize import accented_syllables, name_key
from knowledge.phrases import PhraseMatcher


@dataclass(frozen=True)
class Synonym:
    canonical: str
    variants: tuple[str, ...]


class SynonymFileError(ValueError):
    """The synonym file lists a phrase twice or an entry without its canonical phrase."""


@dataclass(frozen=True)
class SynonymList:
    entries: tuple[Synonym, ...]

    @classmethod
    def load(cls, path: Path) -> SynonymList:
        """The list in `path`; an absent file is an empty list, as for the term list."""
        if not path.exists():
            return cls(())
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        entries = tuple(Synonym(str(e.get("canonical") or "").strip(), tuple(str(v) for v in e.get("variants") or ())) for e in raw)
        problems = check_entries(entries)
        if problems:
            raise SynonymFileError(f"{path}: " + "; ".join(problems))
        return cls(entries)

    @cached_property
    def _matcher(self) -> PhraseMatcher[tuple[int, bool]]:
        """Every phrase, valued (entry index, whether it is the canonical phrase).

        Canonical phrases are matched too, so that a variant inside a longer record phrase
        ("xe máy" in "xe máy chuyên dùng") is left alone.
        """
        return PhraseMatcher(
            (phrase, (i, phrase == entry.canonical))
            for i, entry in enumerate(self.entries)
            for phrase in (entry.canonical, *entry.variants)
        )

    def expand(self, query: str) -> str:
        """The canonical phrases of the variants found in `query`, longest variants first.

        An entry whose canonical phrase the query already contains adds nothing.
        """
        found = self._matcher.scan(query).values()
        already = {i for i, canonical in found if canonical}
        official = [self.entries[i].canonical for i, canonical in found if not canonical and i not in already]
        return " ".join(dict.fromkeys(official))

    def rewrite(self, query: str) -> str:
        """`query` with each variant replaced by its canonical phrase; everything else as typed."""
        scan = self._matcher.scan(query)
        return scan.replaced(lambda span: self.entries[span.value[0]].canonical if not span.value[1] else scan.text[span.start : span.end])


def check_entries(entries: tuple[Synonym, ...]) -> list[str]:
    """What is wrong with `entries`: a missing canonical phrase, a phrase listed twice, or one
    phrase in two entries (compared folded, since a citizen typing without diacritics would hit both).

    Spellings that differ only in diacritics may share an entry ("cà vẹt", "cà vét").
    """
    problems: list[str] = []
    owner: dict[str, int] = {}
    spelled: set[str] = set()
    for i, entry in enumerate(entries):
        if not name_key(entry.canonical):
            problems.append(f"an entry with variants {list(entry.variants)} has no canonical phrase")
            continue
        for phrase in (entry.canonical, *entry.variants):
            key, spelling = name_key(phrase), " ".join(accented_syllables(phrase))
            if not key:
                problems.append(f"{entry.canonical!r} lists an empty variant")
            elif spelling in spelled:
                problems.append(f"{phrase!r} is listed twice")
            elif owner.setdefault(key, i) != i:
                problems.append(f"{phrase!r} is under both {entries[owner[key]].canonical!r} and {entry.canonical!r}; keep it in one")
            spelled.add(spelling)
    return problems
