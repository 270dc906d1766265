"""Diacritics put back on a question typed without them, for the embedding model.

Multilingual e5 reads Vietnamese by its diacritics: a question typed without them ("thu tuc dang
ky tam tru") finds next to nothing by dense search (R@5 0.06 on the team's folded train
questions). Each folded syllable pair, or else syllable, is given its most frequent accented
spelling in the procedures' titles ("dang ky" → "đăng ký", "tam tru" → "tạm trú"); words the
titles do not hold stay as typed. The restored text is only embedded: BM25 keeps reading the
folded text, where diacritics never mattered.

    restorer = Restorer.of_texts(title for title in titles)
    restorer.restore("thu tuc dang ky tam tru")   # "thủ tục đăng ký tạm trú"
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from knowledge.normalize import accented_syllables, fold, syllables


@dataclass(frozen=True)
class Restorer:
    words: Mapping[str, str]  # folded syllable -> its most frequent accented spelling
    pairs: Mapping[tuple[str, str], tuple[str, str]]  # the same for adjacent pairs, which settle most ambiguity

    @classmethod
    def of_texts(cls, texts: Iterable[str]) -> Restorer:
        words: defaultdict[str, Counter[str]] = defaultdict(Counter)
        pairs: defaultdict[tuple[str, str], Counter[tuple[str, str]]] = defaultdict(Counter)
        for text in texts:
            accented = accented_syllables(text)
            folded = [fold(s) for s in accented]
            for plain, spelled in zip(folded, accented, strict=True):
                words[plain][spelled] += 1
            for i in range(len(accented) - 1):
                pairs[(folded[i], folded[i + 1])][(accented[i], accented[i + 1])] += 1
        return cls(
            {plain: counts.most_common(1)[0][0] for plain, counts in words.items()},
            {plain: counts.most_common(1)[0][0] for plain, counts in pairs.items()},
        )

    def restore(self, text: str) -> str:
        """`text`'s syllables, lower case, with the titles' diacritics where they know the word."""
        folded = syllables(text)
        out = list(folded)
        i = 0
        while i < len(folded):
            pair = self.pairs.get((folded[i], folded[i + 1])) if i + 1 < len(folded) else None
            if pair:
                out[i], out[i + 1] = pair
                i += 2
            else:
                out[i] = self.words.get(folded[i], folded[i])
                i += 1
        return " ".join(out)
