"""Synthetic national procedure records of realistic size, for benchmarks and end-to-end tests at full scale.

    guides = synthetic_guides(2611, seed=0)   # codes 8.000000 … 8.002610

Sizes follow the 2,611 national records imported from the public database (measured
2026-12-02): title ~80 characters (median), steps ~1,200 (median; mean 1,730, long tail),
documents ~600 (mean 1,300), conditions mostly empty with a long tail, 2–3 channels, no
summary, Vietnamese only; ~9 chunks per record. The words are the syllables of the curated
guides (`data/guides`) drawn with their own frequencies, so BM25 and the vocabulary see a
Vietnamese-like term distribution. No record says anything true, and none is a real
procedure's title.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from knowledge.guides import Channel, DocumentCase, Guide, GuideContent, LegalRef, load_guide_dir
from knowledge.normalize import accented_syllables

ROOT = Path(__file__).resolve().parents[1]
DOMAINS = ["Hộ tịch", "Đất đai", "Hải quan", "Giao thông vận tải", "Lao động", "Y tế", "Giáo dục", "Thuế", "Xây dựng", "Nông nghiệp"]
LEVELS = ["Cấp xã", "Cấp tỉnh", "Cấp bộ"]


def syllable_pool(guides_dir: Path = ROOT / "data" / "guides") -> list[str]:
    """Every syllable of the curated guides' Vietnamese text, repeats kept (drawing from it keeps their frequencies)."""
    pool: list[str] = []
    for guide in load_guide_dir(guides_dir):
        content = guide.content["vi"]
        texts: Iterable[str] = [content.title, content.summary, *content.steps, content.conditions, content.who, content.result]
        for text in texts:
            pool += accented_syllables(text)
    return pool


class _Writer:
    def __init__(self, rng: random.Random, pool: list[str]) -> None:
        self.rng, self.pool = rng, pool

    def words(self, chars: float) -> str:
        return " ".join(self.rng.choices(self.pool, k=max(2, int(chars / 5.5))))

    def sentences(self, chars: float) -> str:
        """About `chars` characters in sentences of 8–30 syllables (so long sections split at sentence ends)."""
        out, written = [], 0
        while written < chars:
            sentence = self.words(self.rng.randint(8, 30) * 5.5)
            out.append(sentence[0].upper() + sentence[1:] + ".")
            written += len(out[-1]) + 1
        return " ".join(out)

    def length(self, median: float, sigma: float, cap: float) -> float:
        return min(cap, self.rng.lognormvariate(0, sigma) * median)


def synthetic_guide(number: int, writer: _Writer) -> Guide:
    rng = writer.rng
    steps_chars = writer.length(1200, 0.85, 20000)
    n_steps = rng.randint(1, 6)
    cases = []
    for _ in range(1 + int(rng.random() < 0.3)):
        items = [writer.sentences(writer.length(80, 1.0, 4000)) for _ in range(rng.randint(1, 6))]
        cases.append(DocumentCase(case=writer.words(30) if rng.random() < 0.4 else "", items=items))
    channels = [
        Channel(kind=kind, time=f"{rng.randint(1, 30)} ngày làm việc", fee=rng.choice(["Miễn phí", f"{rng.randint(1, 50) * 10}.000 đồng"]))
        for kind in rng.sample(["online", "in_person", "post"], rng.randint(1, 3))
    ]
    content = GuideContent(
        title=f"Thủ tục mẫu {writer.words(writer.length(75, 0.5, 400))} số {number}",
        steps=[writer.sentences(steps_chars / n_steps) for _ in range(n_steps)],
        documents=cases,
        channels=channels,
        who=writer.sentences(writer.length(60, 0.5, 300)),
        where=writer.words(40) if rng.random() < 0.3 else "",
        conditions=writer.sentences(writer.length(600, 1.2, 20000)) if rng.random() < 0.3 else "",
        result=writer.sentences(writer.length(80, 0.6, 2000)),
    )
    return Guide(
        code=f"8.{number:06d}",
        content={"vi": content},
        domain=rng.choice(DOMAINS),
        level=rng.choice(LEVELS),
        agency=f"Cơ quan mẫu {writer.words(30)}",
        legal_basis=[LegalRef(number=f"{rng.randint(1, 300)}/20{rng.randint(10, 25)}/NĐ-CP") for _ in range(rng.randint(1, 5))],
        source_url=f"https://example.invalid/thu-tuc/8.{number:06d}",
        origin="tthc",
    )


def synthetic_guides(count: int, seed: int = 0, pool: list[str] | None = None) -> list[Guide]:
    writer = _Writer(random.Random(seed), pool or syllable_pool())
    return [synthetic_guide(number, writer) for number in range(count)]
