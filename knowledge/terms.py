"""The bilingual term list (``data/terms.yaml``): English queries reach Vietnamese records."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from knowledge.normalize import fold


@dataclass(frozen=True)
class TermList:
    pairs: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]

    @cached_property
    def _longest_first(self) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        return sorted(self.pairs, key=lambda p: -max((len(e) for e in p[0]), default=0))

    @classmethod
    def load(cls, path: Path) -> TermList:
        if not path.exists():
            return cls(())
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        pairs = tuple((tuple(fold(e) for e in entry.get("en", [])), tuple(entry.get("vi", []))) for entry in entries)
        return cls(pairs)

    def expand(self, query: str) -> str:
        """Vietnamese equivalents of the English phrases found in `query`, longest phrases first."""
        return " ".join(self._translate(query)[0])

    def translate(self, query: str) -> str:
        """`query` with each known English phrase replaced by its Vietnamese equivalents.

        Words the list does not know stay, so "museum tickets online" keeps "museum tickets"
        and is not mistaken for a question about online procedures.
        """
        found, rest = self._translate(query)
        return " ".join([*found, rest.strip()]).strip()

    def _translate(self, query: str) -> tuple[list[str], str]:
        text = " " + re.sub(r"[^\w]+", " ", fold(query)) + " "
        found: list[str] = []
        for english, vietnamese in self._longest_first:
            for phrase in english:
                if phrase and f" {phrase} " in text:
                    found.extend(vietnamese)
                    text = text.replace(f" {phrase} ", " ")
                    break
        return found, text
