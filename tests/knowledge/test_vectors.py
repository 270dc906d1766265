"""knowledge.vectors: a card is embedded once per text and model; known and cached vectors are reused."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from knowledge.chunking import Card
from knowledge.vectors import VectorCache, card_key, card_vectors, vector_cache
from tests.conftest import TEST_EMBEDDER, CountingEmbedder

CARDS = [Card("1", "vi", "Đăng ký thường trú"), Card("2", "vi", "Cấp hộ chiếu"), Card("2", "en", "Passport")]


def test_only_unseen_texts_are_embedded(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    first = card_vectors(CARDS, embedder, vector_cache(tmp_path), progress=True)
    np.testing.assert_allclose(first, TEST_EMBEDDER.embed([c.text for c in CARDS]), atol=1e-6)
    again = card_vectors([*CARDS, Card("3", "vi", "Cấp hộ chiếu")], embedder, vector_cache(tmp_path))  # same text, other code
    assert embedder.texts == [c.text for c in CARDS]
    np.testing.assert_array_equal(again[:3], first)
    np.testing.assert_array_equal(again[3], first[1])


def test_known_vectors_come_first_and_no_cache_is_fine(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    known = {card_key(CARDS[0]): np.full(TEST_EMBEDDER.dimension, 0.5, dtype=np.float32)}
    out = card_vectors(CARDS, embedder, None, known=known)
    assert embedder.texts == [CARDS[1].text, CARDS[2].text]
    assert float(out[0][0]) == 0.5


def test_an_unreadable_or_mis_shaped_cached_vector_is_embedded_again(tmp_path: Path) -> None:
    cache = VectorCache(vector_cache(tmp_path), TEST_EMBEDDER.name, TEST_EMBEDDER.dimension)
    cache.put(card_key(CARDS[0]), np.zeros(3, dtype=np.float32))
    path = cache.directory / card_key(CARDS[1])[:2] / f"{card_key(CARDS[1])}.npy"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a numpy file")
    embedder = CountingEmbedder()
    card_vectors(CARDS[:2], embedder, vector_cache(tmp_path))
    assert embedder.texts == [CARDS[0].text, CARDS[1].text]
    assert cache.get(card_key(CARDS[1])) is not None
