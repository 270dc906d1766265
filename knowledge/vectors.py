"""Card vectors, cached by content: ``<index_dir>/.vectors/<model>/<key[:2]>/<key>.npy``, key = sha1(card text).

A card's vector depends only on its text and the model, so a re-import, a full rebuild or a
publish embeds only the cards whose text changed; every other vector is read back. A build
interrupted half-way keeps what it embedded: vectors are stored as they are computed.

    vectors = card_vectors(cards, embedder, vector_cache(index_dir), progress=True)
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from knowledge.chunking import Card
from knowledge.dense import Embedder

BATCH = 64


def vector_cache(index_dir: Path) -> Path:
    """Where card vectors are kept: a dot-directory, which build clean-up leaves alone."""
    return index_dir / ".vectors"


def card_key(card: Card) -> str:
    return hashlib.sha1(card.text.encode("utf-8")).hexdigest()


class VectorCache:
    """One model's vectors by key, one small .npy per vector (written atomically, safe across processes)."""

    def __init__(self, root: Path, model: str, dimension: int) -> None:
        self.directory = root / model.replace("/", "_")
        self.dimension = dimension

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.npy"

    def get(self, key: str) -> np.ndarray | None:
        path = self._path(key)
        try:
            vector = np.load(path, allow_pickle=False)
        except (FileNotFoundError, ValueError, EOFError):
            return None
        return vector if vector.shape == (self.dimension,) else None

    def put(self, key: str, vector: np.ndarray) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
        with tmp.open("wb") as handle:
            np.save(handle, np.asarray(vector, dtype=np.float32), allow_pickle=False)
        os.replace(tmp, path)


def card_vectors(
    cards: Sequence[Card],
    embedder: Embedder,
    cache: Path | None = None,
    known: Mapping[str, np.ndarray] | None = None,
    progress: bool = False,
) -> np.ndarray:
    """One unit vector per card, in order: from `known` (key → vector), then the cache, else embedded.

    Only the cards found nowhere are embedded, in batches, with a progress bar when `progress`.
    """
    store = VectorCache(cache, embedder.name, embedder.dimension) if cache is not None else None
    out = np.zeros((len(cards), embedder.dimension), dtype=np.float32)
    missing: list[int] = []
    for row, card in enumerate(cards):
        key = card_key(card)
        vector = known.get(key) if known is not None else None
        if vector is None and store is not None:
            vector = store.get(key)
        if vector is None:
            missing.append(row)
        else:
            out[row] = vector
    with tqdm(total=len(missing), unit="card", desc="embedding", disable=not progress or not missing) as bar:
        for start in range(0, len(missing), BATCH):
            rows = missing[start : start + BATCH]
            vectors = embedder.embed([cards[r].text for r in rows])
            for r, vector in zip(rows, vectors, strict=True):
                out[r] = vector
                if store is not None:
                    store.put(card_key(cards[r]), vector)
            bar.update(len(rows))
    return out
