"""The bilingual term list (``data/terms.yaml``): English queries reach Vietnamese records."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from knowledge.normalize import fold, syllables
from knowledge.phrases import PhraseMatcher, Scan


@dataclass(frozen=True)
class TermList:
    pairs: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]

    @cached_property
    def _matcher(self) -> PhraseMatcher[tuple[str, ...]]:
        # Entries with the longest English phrase come first, so that of two entries listing
        # the same phrase the one with the longer phrases gets it.
        ordered = sorted(self.pairs, key=lambda p: -max((len(e) for e in p[0]), default=0))
        return PhraseMatcher((english, vietnamese) for phrases, vietnamese in ordered for english in phrases)

    @classmethod
    def load(cls, path: Path) -> TermList:
        if not path.exists():
            return cls(())
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        pairs = tuple((tuple(fold(e) for e in entry.get("en", [])), tuple(entry.get("vi", []))) for entry in entries)
        return cls(pairs)

    def expand(self, query: str) -> str:
        """Vietnamese equivalents of the English phrases found in `query`, longest phrases first."""
        return " ".join(self._found(self._matcher.scan(query)))

    def translate(self, query: str) -> str:
        """`query` with each known English phrase replaced by its Vietnamese equivalents.

        Words the list does not know stay, so "museum tickets online" keeps "museum tickets"
        and is not mistaken for a question about online procedures.
        """
        scan = self._matcher.scan(query)
        rest = " ".join(syllables(scan.replaced(lambda _: " ")))
        return " ".join([*self._found(scan), rest]).strip()

    @staticmethod
    def _found(scan: Scan[tuple[str, ...]]) -> list[str]:
        return [word for vietnamese in scan.values() for word in vietnamese]
