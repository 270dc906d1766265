"""knowledge.vocabulary: the stored, updatable coverage vocabulary equals the computation from the chunks."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from knowledge.chunking import Chunk, chunk_guide
from knowledge.index import IndexedGuide
from knowledge.normalize import accented_syllables, syllables
from knowledge.vocabulary import Vocabulary, chunk_terms


def reference(chunks: list[Chunk]) -> tuple[dict[str, frozenset[str]], dict[str, float]]:
    """What `Searcher` computed from the chunks on every load before the vocabulary was stored."""
    words: dict[str, set[str]] = defaultdict(set)
    for chunk in chunks:
        for sylls in (syllables(chunk.text), accented_syllables(chunk.text)):
            words[chunk.code].update(sylls)
            words[chunk.code].update(f"{a}_{b}" for a, b in zip(sylls, sylls[1:], strict=False))
    df = Counter(w for ws in words.values() for w in ws)
    return {code: frozenset(ws) for code, ws in words.items()}, {w: math.log(1 + len(words) / c) for w, c in df.items()}


@pytest.fixture(scope="module")
def chunks(curated_guides: list[IndexedGuide]) -> list[Chunk]:
    return [chunk for item in curated_guides for chunk in chunk_guide(item.guide)]


def as_plain(vocabulary: Vocabulary) -> tuple[dict[str, frozenset[str]], dict[str, float]]:
    return {code: frozenset(ts) for code, ts in vocabulary.terms_by_code().items()}, dict(vocabulary.idf())


def test_equals_the_computation_from_chunks(chunks: list[Chunk]) -> None:
    vocabulary = Vocabulary.of_chunks(chunks)
    assert as_plain(vocabulary) == reference(chunks)
    terms, idf = vocabulary.terms_by_code(), vocabulary.idf()
    code = chunks[0].code
    assert "dang_ky" in terms[code] or "đăng_ký" in terms[code] or len(terms[code]) > 0
    assert "no_such_term" not in terms[code] and 42 not in terms[code]
    assert idf.get("no_such_term", -1.0) == -1.0 and "no_such_term" not in idf


def test_an_update_equals_a_fresh_computation(chunks: list[Chunk]) -> None:
    codes = sorted({c.code for c in chunks})
    removed, replaced = codes[0], codes[1]
    new_chunk = Chunk(id="9.1:vi:0", code="9.1", lang="vi", section="title", text="Thả đèn trời dịp lễ hội")
    other = Chunk(id=f"{replaced}:vi:0", code=replaced, lang="vi", section="title", text="Tên mới hoàn toàn")
    after = [c for c in chunks if c.code not in (removed, replaced)] + [new_chunk, other]
    updated = Vocabulary.of_chunks(chunks).updated({removed, replaced}, chunk_terms([new_chunk, other]))
    assert as_plain(updated) == reference(after)


def test_saved_and_loaded(tmp_path: Path, chunks: list[Chunk]) -> None:
    vocabulary = Vocabulary.of_chunks(chunks)
    vocabulary.save(tmp_path / "a")
    loaded = Vocabulary.load(tmp_path / "a")
    assert as_plain(loaded) == as_plain(vocabulary)
    extra = Chunk(id="9.1:vi:0", code="9.1", lang="vi", section="title", text="Thả đèn trời")
    vocabulary.updated(set(), chunk_terms([extra])).save(tmp_path / "b")
    reloaded = Vocabulary.load(tmp_path / "b", previous=loaded)
    assert as_plain(reloaded) == reference([*chunks, extra])
