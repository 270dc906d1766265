"""Whole-word phrase matching on folded text, longest phrase first.

Shared by the bilingual term list (``knowledge/terms.py``) and the synonym list
(``knowledge/synonyms.py``)::

    matcher = PhraseMatcher((("hộ khẩu", "thường trú"), ("sổ hộ khẩu", "thường trú")))
    scan = matcher.scan("Làm lại sổ hộ khẩu")
    scan.values()                               # ["thường trú"]
    scan.replaced(lambda span: span.value)      # "Làm lại thường trú"

Phrases match on folded syllables, so "so ho khau" finds "sổ hộ khẩu". A syllable typed
*with* marks must carry the phrase's marks, though: folding makes "vật" equal to "VAT"
and "sơ đồ" equal to "sổ đỏ", and a citizen who typed the marks told us which word
they meant. Where the tone sits ("uỷ"/"ủy", "hoà"/"hòa") does not count, and neither
does a bare "đ" typed without the other marks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Generic, TypeVar

from knowledge.normalize import fold, nfc

T = TypeVar("T")

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
# Combining tone marks (huyền, sắc, ngã, hỏi, nặng); the other marks shape the vowel.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


@dataclass(frozen=True)
class Span(Generic[T]):
    """One phrase found: its value and its character offsets in `Scan.text`."""

    value: T
    start: int
    end: int


@dataclass(frozen=True)
class Scan(Generic[T]):
    """The phrases found in `text` (NFC), longest phrase first, then left to right."""

    text: str
    spans: tuple[Span[T], ...]

    def values(self) -> list[T]:
        """Each value found, once, in the order of `spans`."""
        seen: list[T] = []
        for span in self.spans:
            if span.value not in seen:
                seen.append(span.value)
        return seen

    def replaced(self, replacement: Callable[[Span[T]], str]) -> str:
        """`text` with every span replaced by `replacement(span)`, runs of spaces squeezed."""
        pieces, cursor = [], 0
        for span in sorted(self.spans, key=lambda s: s.start):
            pieces += [self.text[cursor : span.start], " ", replacement(span), " "]
            cursor = span.end
        pieces.append(self.text[cursor:])
        return " ".join("".join(pieces).split())


@dataclass(frozen=True)
class _Phrase(Generic[T]):
    syllables: tuple[str, ...]  # lower case NFC, as written
    value: T


class PhraseMatcher(Generic[T]):
    """Finds `(phrase, value)` phrases in text; among equally long phrases, the earlier one wins."""

    def __init__(self, phrases: Iterable[tuple[str, T]]) -> None:
        self._phrases = tuple(_Phrase(tuple(_TOKEN.findall(nfc(p).lower())), v) for p, v in phrases)

    @cached_property
    def _by_length(self) -> list[tuple[int, dict[tuple[str, ...], list[_Phrase[T]]]]]:
        """Phrases keyed by their folded syllables, grouped by syllable count, longest group first."""
        groups: dict[int, dict[tuple[str, ...], list[_Phrase[T]]]] = {}
        for phrase in self._phrases:
            if phrase.syllables:
                key = tuple(fold(s) for s in phrase.syllables)
                groups.setdefault(len(key), {}).setdefault(key, []).append(phrase)
        return sorted(groups.items(), reverse=True)

    def scan(self, text: str) -> Scan[T]:
        text = nfc(text)
        tokens = list(_TOKEN.finditer(text))
        typed = [t.group().lower() for t in tokens]
        folded = fold(" ".join(typed)).split(" ")  # one call: folding token by token is half the time
        claimed = [False] * len(tokens)
        spans: list[Span[T]] = []
        for length, phrases in self._by_length:
            for start in range(len(tokens) - length + 1):
                end = start + length
                if any(claimed[start:end]):
                    continue
                for phrase in phrases.get(tuple(folded[start:end]), ()):
                    if all(_same_word(t, p) for t, p in zip(typed[start:end], phrase.syllables, strict=True)):
                        spans.append(Span(phrase.value, tokens[start].start(), tokens[end - 1].end()))
                        claimed[start:end] = [True] * length
                        break
        return Scan(text, tuple(spans))


def _same_word(typed: str, written: str) -> bool:
    """Whether a typed syllable can be the written one, given their folded forms agree."""
    return typed.replace("đ", "d") == fold(typed) or _marks(typed) == _marks(written)


def _marks(syllable: str) -> tuple[str, frozenset[str]]:
    """The syllable's letters with their vowel marks, and its tone wherever it sits ("uỷ" = "ủy")."""
    decomposed = unicodedata.normalize("NFD", syllable)
    shape = "".join(ch for ch in decomposed if ch not in _TONES)
    return unicodedata.normalize("NFC", shape), frozenset(ch for ch in decomposed if ch in _TONES)
