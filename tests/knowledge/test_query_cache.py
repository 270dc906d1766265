"""The question-embedding cache returns the model's own vector, once computed, for the same normalised text."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.dense import HashEmbedder
from knowledge.query_cache import CachedQueryEmbedder, query_key


class Counting(HashEmbedder):
    """HashEmbedder that counts the questions it really embeds."""

    def __init__(self) -> None:
        super().__init__(64)
        self.queries: list[str] = []

    def embed_query(self, text: str) -> np.ndarray:
        self.queries.append(text)
        return super().embed_query(text)


def test_a_repeated_question_is_embedded_once_and_gets_the_same_vector() -> None:
    inner = Counting()
    cache = CachedQueryEmbedder(inner, size=8)
    first = cache.embed_query("làm hộ chiếu cần giấy tờ gì")
    again = cache.embed_query("  làm hộ chiếu\tcần  giấy tờ gì ")  # whitespace differs only
    assert inner.queries == ["làm hộ chiếu cần giấy tờ gì"]
    np.testing.assert_array_equal(again, first)
    np.testing.assert_array_equal(first, HashEmbedder(64).embed_query("làm hộ chiếu cần giấy tờ gì"))
    assert (cache.info().hits, cache.info().misses, cache.info().currsize) == (1, 1, 1)


def test_the_key_is_exact_text_after_nfc_not_a_folded_form() -> None:
    assert query_key("ho\u0302̣ chiếu") == query_key("hộ chiếu")  # decomposed and composed "ộ" are one letter
    inner = Counting()
    cache = CachedQueryEmbedder(inner, size=8)
    for text in ("hộ chiếu", "ho chieu", "Hộ chiếu"):  # diacritics and case change what e5 reads
        cache.embed_query(text)
    assert inner.queries == ["hộ chiếu", "ho chieu", "Hộ chiếu"]


def test_the_cache_is_bounded_and_drops_the_least_recently_used() -> None:
    inner = Counting()
    cache = CachedQueryEmbedder(inner, size=2)
    for text in ("a", "b", "a", "c", "b"):  # "c" evicts "b" (a was used more recently); "b" is embedded again
        cache.embed_query(text)
    assert inner.queries == ["a", "b", "c", "b"]
    assert cache.info().currsize == 2


def test_cached_vectors_cannot_be_changed_by_a_caller() -> None:
    cache = CachedQueryEmbedder(Counting(), size=2)
    vector = cache.embed_query("tạm trú")
    with pytest.raises(ValueError, match="read-only"):
        vector[0] = 1.0


def test_documents_pass_through_and_the_model_is_the_same() -> None:
    inner = Counting()
    cache = CachedQueryEmbedder(inner, size=2)
    assert (cache.name, cache.dimension) == (inner.name, inner.dimension)  # an index built by the model serves it
    np.testing.assert_array_equal(cache.embed(["a b", "c"]), inner.embed(["a b", "c"]))
    assert inner.queries == []
    with pytest.raises(ValueError, match="size is 0"):
        CachedQueryEmbedder(inner, size=0)
