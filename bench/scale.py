"""Search latency and memory at synthetic scale: 100k and 1M chunks.

    python -m bench.scale [--sizes 100000 1000000] [--queries 200]

Dense: 384-dimensional unit vectors (the MiniLM dimension), exact inner-product search
(faiss `IndexFlatIP`, the baseline) side by side with IVF-Flat (what
`knowledge.dense.DenseIndex` switches to above 200k vectors), with its recall@10 against
the exact answer. Vectors are clustered like real chunk embeddings (chunks of one
procedure lie close together: n/12 centres, spread 0.5); queries are stored vectors
plus noise of norm 0.3. Lexical: BM25 (bm25s) over synthetic chunks
whose words are drawn from the real guides' vocabulary with its Zipf-like frequencies.
Query embedding is not included here (it does not depend on corpus size; see
`bench.retrieval`).
"""

from __future__ import annotations

import argparse
import resource
import time

import faiss
import numpy as np

from knowledge.dense import make_ivf
from knowledge.lexical import LexicalIndex

DIM = 384


def percentiles(ms: list[float]) -> tuple[float, float]:
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def timed(fn, queries) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for q in queries:
        started = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - started) * 1000)
    return out


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dense_rows(n: int, n_queries: int, rng: np.random.Generator) -> list[str]:
    # Chunks of one procedure lie close together: vectors around n/12 random "procedure" centres.
    centres = rng.standard_normal((max(1, n // 12), DIM), dtype=np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    spread = rng.standard_normal((n, DIM), dtype=np.float32)
    spread *= 0.5 / np.linalg.norm(spread, axis=1, keepdims=True)
    vectors = centres[rng.integers(0, len(centres), n)] + spread
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    # queries near stored vectors, as real questions are near their answers
    noise = rng.standard_normal((n_queries, DIM), dtype=np.float32)
    noise *= 0.3 / np.linalg.norm(noise, axis=1, keepdims=True)
    queries = vectors[rng.integers(0, n, n_queries)] + noise
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    rows = []
    flat = faiss.IndexFlatIP(DIM)
    flat.add(vectors)
    t0 = time.perf_counter()
    ivf = make_ivf(vectors)
    ivf_build = time.perf_counter() - t0
    exact = [set(flat.search(q.reshape(1, -1), 10)[1][0]) for q in queries]
    approx = [set(ivf.search(q.reshape(1, -1), 10)[1][0]) for q in queries]
    recall = np.mean([len(a & e) / 10 for a, e in zip(approx, exact, strict=True)])
    flat_ms = timed(lambda q: flat.search(q.reshape(1, -1), 50), queries)
    ivf_ms = timed(lambda q: ivf.search(q.reshape(1, -1), 50), queries)
    mem = n * DIM * 4 / 2**20  # IVF-Flat stores the same floats plus one id per vector
    rows.append(
        f"| dense flat (baseline) | {n:,} | {percentiles(flat_ms)[0]:.1f} | {percentiles(flat_ms)[1]:.1f} | 1.000 | {mem:,.0f} | - |"
    )
    rows.append(
        f"| dense IVF-Flat nlist={ivf.nlist} nprobe={ivf.nprobe} | {n:,} | {percentiles(ivf_ms)[0]:.2f} | {percentiles(ivf_ms)[1]:.2f} | "
        f"{recall:.3f} | {mem + n * 8 / 2**20:,.0f} | {ivf_build:,.0f} s |"
    )
    return rows


def lexical_row(n: int, n_queries: int, rng: np.random.Generator, vocabulary: list[str]) -> str:
    ranks = np.arange(1, len(vocabulary) + 1)
    p = 1 / ranks
    p /= p.sum()
    words = np.array(vocabulary)
    texts = [" ".join(words[rng.choice(len(words), size=40, p=p)]) for _ in range(n)]
    t0 = time.perf_counter()
    index = LexicalIndex.build(texts)
    build = time.perf_counter() - t0
    queries = [" ".join(words[rng.choice(len(words), size=8, p=p)]) for _ in range(n_queries)]
    ms = timed(lambda q: index.search(q, 50), queries)
    return f"| BM25 (bm25s) | {n:,} | {percentiles(ms)[0]:.1f} | {percentiles(ms)[1]:.1f} | - | - | {build:,.0f} s |"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--skip-lexical", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    vocabulary = [f"w{i}" for i in range(30_000)]
    print("| index | chunks | p50 ms | p95 ms | recall@10 vs exact | vectors MB | build |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        for row in dense_rows(n, args.queries, rng):
            print(row, flush=True)
        if not args.skip_lexical:
            print(lexical_row(n, args.queries, rng, vocabulary), flush=True)
    print(f"\npeak RSS {rss_mb():,.0f} MB, faiss threads {faiss.omp_get_max_threads()}")


if __name__ == "__main__":
    main()
