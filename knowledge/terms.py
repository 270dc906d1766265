"""The bilingual term list (``data/terms.yaml``): English queries reach Vietnamese records."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.normalize import fold


@dataclass(frozen=True)
class TermList:
    pairs: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]

    @classmethod
    def load(cls, path: Path) -> TermList:
        if not path.exists():
            return cls(())
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        pairs = tuple((tuple(fold(e) for e in entry.get("en", [])), tuple(entry.get("vi", []))) for entry in entries)
        return cls(pairs)

    def expand(self, query: str) -> str:
        """Vietnamese equivalents of the English phrases found in `query`, longest phrases first."""
        text = " " + re.sub(r"[^\w]+", " ", fold(query)) + " "
        found: list[str] = []
        for english, vietnamese in sorted(self.pairs, key=lambda p: -max((len(e) for e in p[0]), default=0)):
            for phrase in english:
                if phrase and f" {phrase} " in text:
                    found.extend(vietnamese)
                    text = text.replace(f" {phrase} ", " ")
                    break
        return " ".join(found)
