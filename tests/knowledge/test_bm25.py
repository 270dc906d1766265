"""knowledge.bm25 against bm25s (the reference): same scores, and an updated index equals a rebuilt one."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from knowledge.bm25 import BM25Index, index_terms_of
from knowledge.chunking import chunk_guide
from knowledge.index import IndexedGuide
from knowledge.lexical import LexicalIndex
from knowledge.normalize import index_terms, syllables


@pytest.fixture(scope="module")
def texts(curated_guides: list[IndexedGuide]) -> list[str]:
    return [chunk.text for item in curated_guides for chunk in chunk_guide(item.guide)]


def questions(texts: list[str], n: int = 60) -> list[str]:
    rng = random.Random(7)
    sampled = [" ".join(rng.sample(words, min(6, len(words)))) for words in (rng.choice(texts).split() for _ in range(n))]
    return ["đăng ký thường trú", "dang ky thuong tru", "cấp hộ chiếu phổ thông", "lệ phí", "weather today", *sampled]


def test_scores_equal_bm25s(texts: list[str]) -> None:
    reference, ours = LexicalIndex.build(texts), BM25Index.of_texts(texts)
    for question in questions(texts):
        assert ours.search(question, 20) == reference.search(question, 20), question


def test_an_updated_index_equals_a_rebuilt_one(texts: list[str]) -> None:
    rng = random.Random(3)
    tokens = [index_terms(t) for t in texts]
    dropped = set(rng.sample(range(len(texts)), 25))
    kept = [i for i in range(len(texts)) if i not in dropped]
    new = [index_terms("Thủ tục thả đèn trời dịp lễ hội"), index_terms("đăng ký thường trú cho chim bồ câu")]
    # the new documents go to random places among the kept ones
    layout: list[int | str] = list(kept)
    for j in range(len(new)):
        layout.insert(rng.randrange(len(layout) + 1), f"new{j}")
    moved = np.full(len(texts), -1)
    added = []
    for position, item in enumerate(layout):
        if isinstance(item, str):
            added.append((position, new[int(item[3:])]))
        else:
            moved[item] = position
    updated = BM25Index.build(tokens).updated(moved, added, len(layout))
    rebuilt = BM25Index.build([new[int(i[3:])] if isinstance(i, str) else tokens[i] for i in layout])
    for question in [*questions(texts), "thả đèn trời", "chim bồ câu"]:
        assert updated.search(question, 20) == rebuilt.search(question, 20), question


def test_an_update_must_fill_every_position(texts: list[str]) -> None:
    index = BM25Index.of_texts(texts[:5])
    with pytest.raises(ValueError, match="neither kept nor added"):
        index.updated(np.array([0, 1, 2, -1, -1]), [], 4)


def test_saved_and_loaded(tmp_path: Path, texts: list[str]) -> None:
    index = BM25Index.of_texts(texts)
    index.save(tmp_path / "a")
    loaded = BM25Index.load(tmp_path / "a")
    index.updated(np.arange(len(texts)), [(len(texts), ["zzqx"])], len(texts) + 1).save(tmp_path / "b")
    extended = BM25Index.load(tmp_path / "b", previous=loaded)
    for question in questions(texts, 10):
        assert loaded.search(question, 10) == index.search(question, 10)
    assert [position for position, _ in extended.search("zzqx", 5)] == [len(texts)]


def test_no_match_and_empty_index() -> None:
    assert BM25Index.of_texts(["cấp hộ chiếu"]).search("thời tiết", 5) == []
    assert BM25Index.of_texts([]).search("cấp hộ chiếu", 5) == []


def test_terms_from_folded_syllables_equal_index_terms(texts: list[str]) -> None:
    assert all(index_terms_of(syllables(t)) == index_terms(t) for t in texts)
