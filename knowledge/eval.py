"""Retrieval evaluation: Recall@k, MRR and the verdict, for the learned ranking beside plain fusion and each retriever alone.

    python -m knowledge.eval ../shared/data/eval/dev_questions.jsonl data/eval/team/*.jsonl --split validation \
        [--database-url URL] [--index-dir DIR] [--model NAME] [--failures var/misses.jsonl]

Questions: `knowledge.evalset`. A hit is a procedure *family* (`knowledge.families`): the
same procedure at several levels counts once, and any of its codes in ``relevant`` counts.
One retrieval per question yields all four rankings, so they are compared on the same
candidates; the verdict columns belong to the served (learned) configuration.

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
from knowledge.evalset import Question, load_questions
from knowledge.features import NO_RANK
from knowledge.index import Index, IndexedGuide, build_index, load_index, read_manifest
from knowledge.ranker import RankerModel
from knowledge.search import Searcher, Seen
from knowledge.synonyms import SynonymList
from knowledge.terms import TermList

ROOT = Path(__file__).resolve().parent.parent
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

    def embed_query(self, text: str) -> np.ndarray:
        key = "query:" + self._key(text)
        if key not in self._cache:
            self._cache[key] = self.inner.embed_query(text)
        return self._cache[key]

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


def open_or_build_index(
    index_dir: Path, embedder: Embedder, database_url: str | None, log=print, guides: list[IndexedGuide] | None = None
) -> tuple[Index, float | None]:
    """The index in `index_dir` (of `guides`, or the database's published ones), built (and timed) first
    when missing or stale. Returns (index, build seconds)."""
    if guides is None and database_url:
        guides = published_from_database(database_url)
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

RANKINGS = ("learned", "rrf", "bm25", "dense")


def rankings(searcher: Searcher, seen: Seen) -> dict[str, list[str]]:
    """Families best first by each method, from one retrieval: the served learned reranker, plain
    reciprocal rank fusion of the two retrievers, and each retriever alone."""
    signals = seen.signals
    by = {
        "bm25": sorted((f for f, s in signals.items() if s.bm25 > 0), key=lambda f: -signals[f].bm25),
        "dense": sorted((f for f, s in signals.items() if s.dense_rank < NO_RANK), key=lambda f: -signals[f].dense),
    }
    by["rrf"] = sorted(signals, key=lambda f: -sum(1 / (60 + r) for r in (signals[f].bm25_rank, signals[f].dense_rank) if r < NO_RANK))
    by["learned"] = [f for f, _ in searcher.rank(seen)]
    return by


@dataclass
class Result:
    question: Question
    ranked: dict[str, list[str]]  # method → families
    relevant: set[str]  # families
    status: str
    p_confident: float
    p_answerable: float


def evaluate(searcher: Searcher, questions: Sequence[Question]) -> list[Result]:
    out = []
    for q in questions:
        seen = searcher.explain(q.text)
        outcome = searcher.decide(seen, k=MRR_DEPTH)
        relevant = {searcher.family_of(c) for c in q.relevant}
        out.append(
            Result(
                q,
                rankings(searcher, seen),
                relevant,
                outcome.status,
                outcome.features.get("p_confident", 0.0),
                outcome.features.get("p_answerable", 0.0),
            )
        )
    return out


def summarise(method: str, variant: str, results: Sequence[Result]) -> dict:
    inkb = [r for r in results if r.question.in_kb]
    out = [r for r in results if not r.question.in_kb]
    ranked = [(r.ranked[method], r.relevant) for r in inkb]
    served = method == "learned"

    def verdict(rs: Sequence[Result], status: str) -> float | None:
        return mean([float(r.status == status) for r in rs]) if served else None

    right_first = [float(r.status == "answered" and bool(r.ranked[method][:1]) and r.ranked[method][0] in r.relevant) for r in inkb]
    wrong = [float(r.status == "answered" and not (r.ranked[method][:1] and r.ranked[method][0] in r.relevant)) for r in results]
    return {
        "config": method,
        "variant": variant,
        "n_in": len(inkb),
        "r1": mean([recall_at_k(c, rel, 1) for c, rel in ranked]),
        "r3": mean([recall_at_k(c, rel, 3) for c, rel in ranked]),
        "r5": mean([recall_at_k(c, rel, 5) for c, rel in ranked]),
        "mrr": mean([reciprocal_rank(c, rel) for c, rel in ranked]),
        "in_refused": verdict(inkb, "unanswerable"),
        "in_clarify": verdict(inkb, "clarify"),
        "in_right_first": mean(right_first) if served else None,
        "wrong_answered": mean(wrong) if served else None,
        "n_out": len(out),
        "out_unanswerable": verdict(out, "unanswerable"),
    }


def summary_rows(results: Sequence[Result]) -> list[dict]:
    rows = []
    for method in RANKINGS:
        for variant in ("vi", "vi-folded", "en", "all"):
            chosen = [r for r in results if variant == "all" or r.question.variant == variant]
            if chosen:
                rows.append(summarise(method, variant, chosen))
    return rows


def _f(v: float | None, pct: bool = False) -> str:
    if v is None:
        return "–"
    return f"{100 * v:.0f} %" if pct else f"{v:.3f}"


def markdown_table(rows: Sequence[dict]) -> str:
    head = (
        "| ranking | questions | in-KB n | R@1 | R@3 | R@5 | MRR@10 | in-KB answered right | in-KB clarify | in-KB refused "
        "| wrong answer (all) | out-KB n | out-KB refused |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [
        f"| {r['config']} | {r['variant']} | {r['n_in']} | {_f(r['r1'])} | {_f(r['r3'])} | {_f(r['r5'])} | {_f(r['mrr'])} | "
        f"{_f(r['in_right_first'], True)} | {_f(r['in_clarify'], True)} | {_f(r['in_refused'], True)} | {_f(r['wrong_answered'], True)} | "
        f"{r['n_out']} | {_f(r['out_unanswerable'], True)} |"
        for r in rows
    ]
    return "\n".join([head, *lines])


def reliability_table(results: Sequence[Result], bins: Sequence[float] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)) -> str:
    """Predicted p(first is right) against the observed share, per bin, over every question."""
    lines = ["| p(first right) | questions | mean predicted | observed right | of them out-of-KB |", "|---|---:|---:|---:|---:|"]
    for lo, hi in zip(bins, bins[1:], strict=False):
        inside = [r for r in results if lo <= r.p_confident < hi]
        observed = mean(
            [float(r.question.in_kb and bool(r.ranked["learned"][:1]) and r.ranked["learned"][0] in r.relevant) for r in inside]
        )
        lines.append(
            f"| {lo:.1f}–{min(hi, 1):.1f} | {len(inside)} | {_f(mean([r.p_confident for r in inside]))} | {_f(observed)} | "
            f"{_f(mean([float(not r.question.in_kb) for r in inside]), True)} |"
        )
    return "\n".join(lines)


def refusal_curve(results: Sequence[Result], thresholds: Sequence[float] = (0.05, 0.1, 0.134, 0.2, 0.3, 0.4, 0.5)) -> str:
    """What refusing below each p(answerable) would do: the served threshold's neighbours."""
    inkb = [r for r in results if r.question.in_kb]
    out = [r for r in results if not r.question.in_kb]
    lines = ["| refuse below p(answerable) | in-KB refused | out-of-KB refused |", "|---:|---:|---:|"]
    for t in thresholds:
        lines.append(
            f"| {t:.3f} | {_f(mean([float(r.p_answerable < t) for r in inkb]), True)} | {_f(mean([float(r.p_answerable < t) for r in out]), True)} |"
        )
    return "\n".join(lines)


def failures(results: Sequence[Result]) -> list[dict]:
    """The questions the served configuration got wrong, for reading (not for tuning on the dev set)."""
    out = []
    for r in results:
        top = r.ranked["learned"][:3]
        ok = (r.status != "unanswerable" and bool(top) and top[0] in r.relevant) if r.question.in_kb else r.status == "unanswerable"
        if not ok:
            out.append({"id": r.question.id, "variant": r.question.variant, "question": r.question.text, "relevant": sorted(r.relevant),
                        "top": top, "status": r.status, "p_answerable": round(r.p_answerable, 3), "p_confident": round(r.p_confident, 3)})  # fmt: skip
    return out


def open_eval_searchers(
    index_dir: Path, database_url: str | None, model: str | None, ranker: RankerModel | None, log=print, curated_only: bool = False
) -> dict[str, Searcher]:
    """Searchers over the database's published guides ("full") and, with `curated_only`, over the curated ones alone."""
    from api.settings import get_settings

    settings = get_settings()
    embedder = make_embedder(model or settings.embedding_model)
    terms = TermList.load(settings.terms_file)
    synonyms = SynonymList.load(settings.synonyms_file)
    index, _ = open_or_build_index(index_dir, embedder, database_url, log)
    queries = CachingEmbedder(embedder)
    searchers = {"full": Searcher(index, queries, terms, synonyms=synonyms, model=ranker)}
    if curated_only:
        guides = [g for g in published_from_database(database_url) if g.guide.origin == "curated"] if database_url else None
        curated, _ = open_or_build_index(index_dir / "curated", embedder, None, log, guides=guides)
        searchers["curated"] = Searcher(curated, queries, terms, synonyms=synonyms, model=ranker)
    return searchers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge.eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", type=Path, nargs="+", help="question files (JSON lines)")
    parser.add_argument("--split", choices=("train", "validation"), help="only this side of the team's files")
    parser.add_argument("--database-url", help="build the index from this database's published guides when needed")
    parser.add_argument("--index-dir", type=Path, default=ROOT / "var" / "eval-index")
    parser.add_argument("--model", default=None, help="embedding model (default: the app's setting)")
    parser.add_argument("--ranker", type=Path, default=None, help="ranker model file (default: data/models/ranker.json)")
    parser.add_argument("--failures", type=Path, help="write the served configuration's misses here (JSON lines)")
    args = parser.parse_args(argv)

    log = lambda *a: print(*a, file=sys.stderr)  # noqa: E731
    ranker = RankerModel.load(args.ranker) if args.ranker else None
    searcher = open_eval_searchers(args.index_dir, args.database_url, args.model, ranker, log)["full"]
    questions = load_questions(args.files, args.split)
    index = searcher.index
    log(f"{len(index.guides)} guides, {len(index.chunks)} chunks; {len(questions)} question variants")
    started = time.perf_counter()
    results = evaluate(searcher, questions)
    log(f"evaluated in {time.perf_counter() - started:.1f} s")
    print(f"Index: {len(index.guides)} guides, {len(index.chunks)} chunks, model {index.manifest.get('model')}, build {index.build_id}\n")
    print(markdown_table(summary_rows(results)))
    print("\nReliability of p(first right):\n")
    print(reliability_table(results))
    print("\nRefusal trade-off:\n")
    print(refusal_curve(results, sorted({0.05, 0.1, 0.2, 0.3, 0.4, 0.5, round(searcher.model.refuse_below, 3)})))
    if args.failures:
        args.failures.write_text("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in failures(results)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
