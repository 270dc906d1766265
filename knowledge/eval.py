"""Retrieval evaluation: Recall@k, MRR and verdict shares for hybrid, BM25-only and dense-only search.

    python -m knowledge.eval ../shared/data/eval/dev_questions.jsonl data/eval/en_questions_group1.jsonl \
        [--database-url URL] [--index-dir DIR] [--model NAME]

Question files are JSON lines with ``question``, ``relevant`` (codes, any of which
counts as a hit), ``primary`` and ``in_kb``. A file whose name contains ``en_`` holds
English questions, any other Vietnamese; every Vietnamese question is also asked
with its diacritics stripped (``knowledge.normalize.fold``).

The index is opened from ``--index-dir``; it is (re)built there from the database's
published guides when the directory has none, or when the one there was built from
other guide versions or another model. Chunk embeddings are cached by text in
``<index-dir>/embeddings-<model>.npz``, so a rebuild only embeds changed chunks.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.dense import Embedder, make_embedder
from knowledge.index import Index, IndexedGuide, build_index, load_index, read_manifest
from knowledge.normalize import fold
from knowledge.search import Searcher, Thresholds
from knowledge.terms import TermList

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ("hybrid", "bm25", "dense")
MRR_DEPTH = 10


# --- metric math -------------------------------------------------------------------------------


def first_relevant_rank(ranked: Sequence[str], relevant: Iterable[str]) -> int | None:
    """1-based position of the first code in `ranked` that is in `relevant`; None when none is."""
    wanted = set(relevant)
    for position, code in enumerate(ranked, start=1):
        if code in wanted:
            return position
    return None


def recall_at_k(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """1.0 when any relevant code is among the first `k` of `ranked`, else 0.0.

    Any of the `relevant` codes counts (level variants of one procedure are all
    accepted), so this is "success@k": averaged over questions it is the share of
    questions with a correct procedure in the top k.
    """
    rank = first_relevant_rank(ranked, relevant)
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: Iterable[str], depth: int = MRR_DEPTH) -> float:
    """1 / rank of the first relevant code within the first `depth` of `ranked`, 0.0 if none is.

    Averaged over questions this is the mean reciprocal rank (MRR@depth).
    """
    rank = first_relevant_rank(ranked, relevant)
    return 1.0 / rank if rank is not None and rank <= depth else 0.0


def mean(values: Sequence[float]) -> float | None:
    """Arithmetic mean; None for no values (printed as a dash, never as 0)."""
    return sum(values) / len(values) if values else None


# --- questions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    relevant: tuple[str, ...]
    in_kb: bool
    lang: str  # vi | en
    variant: str  # vi | vi-folded | en


def load_questions(paths: Sequence[Path]) -> list[Question]:
    """Questions from JSON-lines files; each Vietnamese question also yields a folded twin."""
    out: list[Question] = []
    for path in paths:
        lang = "en" if "en_" in path.name else "vi"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            item = json.loads(line)
            qid = str(item.get("id") or f"{path.name}:{n}")
            relevant = tuple(item.get("relevant") or ([item["primary"]] if item.get("primary") else []))
            in_kb = bool(item.get("in_kb", True))
            out.append(Question(qid, item["question"], relevant, in_kb, lang, lang))
            if lang == "vi":
                out.append(Question(qid, fold(item["question"]), relevant, in_kb, lang, "vi-folded"))
    return out


# --- index ---------------------------------------------------------------------------------------


class CachingEmbedder:
    """Wraps an embedder; remembers vectors by text hash, optionally persisted to an .npz file."""

    def __init__(self, inner: Embedder, path: Path | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.path = path
        self._cache: dict[str, np.ndarray] = {}
        if path is not None and path.exists():
            data = np.load(path)
            self._cache = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def embed(self, texts: list[str]) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in self._cache}.items())
        if missing:
            vectors = self.inner.embed([t for _, t in missing])
            self._cache.update({k: v for (k, _), v in zip(missing, vectors, strict=True)})
        if not keys:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._cache[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        if self.path is None or not self._cache:
            return
        keys = list(self._cache)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=np.stack([self._cache[k] for k in keys]))
        tmp.replace(self.path)


def published_from_database(database_url: str) -> list[IndexedGuide]:
    from db.session import make_engine, make_sessionmaker, session_scope
    from knowledge.repository import published_guides

    factory = make_sessionmaker(make_engine(database_url))
    with session_scope(factory) as session:
        return published_guides(session=session)


def open_or_build_index(index_dir: Path, embedder: Embedder, database_url: str | None, log=print) -> tuple[Index, float | None]:
    """The index in `index_dir`, built (and timed) first when missing or stale. Returns (index, build seconds)."""
    guides = published_from_database(database_url) if database_url else None
    try:
        manifest = read_manifest(index_dir)
    except FileNotFoundError:
        manifest = None
    stale = manifest is None or manifest.get("model") != embedder.name
    if manifest is not None and guides is not None:
        stale = stale or manifest.get("guide_versions") != {g.guide.code: g.version for g in guides}
    if not stale:
        return load_index(index_dir, expected_model=embedder.name), None
    if guides is None:
        raise SystemExit(f"no usable index at {index_dir} and no --database-url to build one from")
    index_dir.mkdir(parents=True, exist_ok=True)
    cache = CachingEmbedder(embedder, index_dir / f"embeddings-{embedder.name.replace('/', '_')}.npz")
    log(f"building index in {index_dir} from {len(guides)} guides ...")
    started = time.perf_counter()
    index = build_index(guides, index_dir, cache)
    seconds = time.perf_counter() - started
    cache.save()
    log(f"built {index.build_id}: {len(index.chunks)} chunks in {seconds:.1f} s")
    return index, seconds


# --- evaluation ----------------------------------------------------------------------------------


def make_searchers(index: Index, embedder: Embedder, terms: TermList) -> dict[str, Searcher]:
    """The three configurations over one loaded index; they share the question-embedding cache."""
    return {
        "hybrid": Searcher(index, embedder, terms),
        "bm25": Searcher(index, None, terms),
        "dense": Searcher(index, embedder, terms, Thresholds(lexical_weight=0.0, dense_weight_vi=0.5)),
        "hybrid-all-langs": Searcher(index, embedder, terms, Thresholds(dense_weight_vi=0.5)),
    }


def evaluate(searchers: dict[str, Searcher], questions: Sequence[Question]) -> list[dict]:
    """One row per (configuration, variant) with the metrics, plus an `all` row per configuration."""
    rows = []
    for name, searcher in searchers.items():
        results = []
        for q in questions:
            outcome = searcher.search(q.text, k=MRR_DEPTH)
            results.append((q, [h.code for h in outcome.hits], outcome.status))
        for variant in ("vi", "vi-folded", "en", "all"):
            chosen = [r for r in results if variant == "all" or r[0].variant == variant]
            if not chosen:
                continue
            rows.append(summarise(name, variant, chosen))
    return rows


def summarise(config: str, variant: str, results: Sequence[tuple[Question, list[str], str]]) -> dict:
    inkb = [(q, codes, status) for q, codes, status in results if q.in_kb]
    out = [status for q, _, status in results if not q.in_kb]
    return {
        "config": config,
        "variant": variant,
        "n_in": len(inkb),
        "r1": mean([recall_at_k(c, q.relevant, 1) for q, c, _ in inkb]),
        "r3": mean([recall_at_k(c, q.relevant, 3) for q, c, _ in inkb]),
        "r5": mean([recall_at_k(c, q.relevant, 5) for q, c, _ in inkb]),
        "mrr": mean([reciprocal_rank(c, q.relevant) for q, c, _ in inkb]),
        "in_refused": mean([float(s == "unanswerable") for _, _, s in inkb]),
        "in_clarify": mean([float(s == "clarify") for _, _, s in inkb]),
        "n_out": len(out),
        "out_unanswerable": mean([float(s == "unanswerable") for s in out]),
    }


def markdown_table(rows: Sequence[dict]) -> str:
    head = (
        "| config | questions | in-KB n | R@1 | R@3 | R@5 | MRR@10 | in-KB refused | in-KB clarify | out-KB n | out-KB unanswerable |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )

    def f(v: float | None, pct: bool = False) -> str:
        if v is None:
            return "–"
        return f"{100 * v:.0f} %" if pct else f"{v:.3f}"

    lines = [
        f"| {r['config']} | {r['variant']} | {r['n_in']} | {f(r['r1'])} | {f(r['r3'])} | {f(r['r5'])} | {f(r['mrr'])} | "
        f"{f(r['in_refused'], True)} | {f(r['in_clarify'], True)} | {r['n_out']} | {f(r['out_unanswerable'], True)} |"
        for r in rows
    ]
    return "\n".join([head, *lines])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge.eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", type=Path, nargs="+", help="question files (JSON lines)")
    parser.add_argument("--database-url", help="build the index from this database's published guides when needed")
    parser.add_argument("--index-dir", type=Path, default=ROOT / "var" / "eval-index")
    parser.add_argument("--model", default=None, help="embedding model (default: the app's setting)")
    parser.add_argument("--terms", type=Path, default=ROOT / "data" / "terms.yaml")
    args = parser.parse_args(argv)

    model = args.model
    if model is None:
        from api.settings import get_settings

        model = get_settings().embedding_model
    log = lambda *a: print(*a, file=sys.stderr)  # noqa: E731
    embedder = make_embedder(model)
    index, _ = open_or_build_index(args.index_dir, embedder, args.database_url, log)
    queries = CachingEmbedder(embedder)  # hybrid and dense-only embed each question once
    questions = load_questions(args.files)
    log(f"{len(index.guides)} guides, {len(index.chunks)} chunks; {len(questions)} question variants")
    started = time.perf_counter()
    rows = evaluate(make_searchers(index, queries, TermList.load(args.terms)), questions)
    log(f"evaluated in {time.perf_counter() - started:.1f} s")
    print(f"Index: {len(index.guides)} guides, {len(index.chunks)} chunks, model {index.manifest.get('model')}, build {index.build_id}\n")
    print(markdown_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
