"""Chat latency per production topology through nginx (issue 14, item 4): app workers × Rasa servers, beside stock Rasa.

    .venv/bin/python -m bench.topology_latency [--topologies 1x1 2x1 1x2 2x2] [--levels 1 8] [--duration 15]
        [--rounds 2] [--questions repeat|unique] [--stock-dir /tmp/stock-rasa] [--index-dir var/index]
        [--out /tmp/topology-latency]

Each topology ("2x1": 2 app workers, 1 Rasa server) is started in turn by `bench.topology.running_topology`, as
`make run-prod` starts it: nginx, the app workers, the Rasa servers on Redis's tracker and lock stores, a scratch
PostgreSQL database, a private Redis; the app serves --index-dir read-only. It gets bench/chat_latency.py's
closed-loop conversations through nginx's `POST /api/chat/messages`; the stock `rasa init` assistant, started once
for the whole run, is measured interleaved with it in every round (the order alternates). With `--questions unique`
every topology is sent the same questions in the same (round, level) cell; each topology's processes start with
empty question caches.

Server CPU per turn per process, from /proc: each app worker, each Rasa server, nginx (master and workers),
redis-server, and the PostgreSQL backends connected to the topology's database when a run starts (a backend
that closes during a run loses its share; the app's pool of 10 keeps them open at these levels). This machine has
2 shared cores, so turns/s and latency move with the other work on it: the load average is printed per run, and
the CPU per turn is the figure to read. Prints Markdown tables; writes --out/results.json and --out/report.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.chat_latency import ROOT, UniqueQuestions, cache_counts, load_tables, pct, run_load, start_stock
from bench.product import INDEX, MODEL, wait_up
from bench.topology import Topology, running_topology

BACKEND = "postgres:"  # run_load's key prefix for one PostgreSQL backend; `merge_backends` sums them


def parse_topology(value: str) -> tuple[int, int]:
    """ "2x1" -> (2 app workers, 1 Rasa server)."""
    workers, sep, rasa = value.lower().partition("x")
    if not sep or not workers.isdigit() or not rasa.isdigit() or int(workers) < 1 or int(rasa) < 1:
        raise argparse.ArgumentTypeError(f"topology {value!r} is not WORKERSxRASA, e.g. 2x1 (2 app workers, 1 Rasa server)")
    return int(workers), int(rasa)


def merge_backends(cpu: dict[str, float]) -> dict[str, float]:
    """One "postgres" figure from the per-backend ones; a backend gone by the end (negative delta) counts as 0."""
    merged = {name: seconds for name, seconds in cpu.items() if not name.startswith(BACKEND)}
    backends = [max(seconds, 0.0) for name, seconds in cpu.items() if name.startswith(BACKEND)]
    if backends:
        merged["postgres"] = sum(backends)
    return merged


def postgres_backends(database_url: str) -> dict[str, int]:
    """The server pids of the connections to this database, other than the one asking."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"))
            return {f"{BACKEND}{pid}": pid for (pid,) in rows}
    finally:
        engine.dispose()


def server_pids(topo: Topology) -> dict[str, int]:
    """The app workers, the Rasa servers, nginx, redis-server and the PostgreSQL backends, in that order."""
    running = topo.processes.running
    order = sorted(running, key=lambda name: ("app", "rasa", "nginx", "redis").index(name.rstrip("0123456789")))
    return {name: running[name].pid for name in order} | postgres_backends(topo.database_url)


def turns_per_s(rows: list[dict]) -> float:
    return sum(len(r["turns"]) for r in rows) / sum(r["wall"] for r in rows)


def per_round(rows: list[dict]) -> str:
    return ", ".join(f"{len(r['turns']) / r['wall']:.1f}" for r in rows)


def cpu_ms_per_turn(rows: list[dict]) -> dict[str, float]:
    """Each process's CPU milliseconds over all the rounds' turns."""
    n = max(sum(len(r["turns"]) for r in rows), 1)
    return {name: 1000 * sum(r["cpu"].get(name, 0.0) for r in rows) / n for name in rows[0]["cpu"]}


def summary_table(results: dict[str, dict[tuple[str, int], list[dict]]], levels: list[int]) -> str:
    """One row per (topology, concurrent conversations): ours against the stock rounds run beside it."""
    lines = [
        "| topology (app workers × Rasa) | concurrent | ours turns/s (per round) | ours p50 / p95 ms | stock turns/s (same rounds) "
        "| ours ÷ stock | server CPU ms/turn, ours: per process = sum | stock CPU ms/turn | errors (ours) | load (1 min, per run) |",
        "|---|---:|---|---|---|---:|---|---:|---:|---|",
    ]
    for name, runs in results.items():
        for c in levels:
            ours, stock = runs[("ours", c)], runs[("stock", c)]
            lat = [t.latency_ms for r in ours for t in r["turns"]]
            cpu = cpu_ms_per_turn(ours)
            processes = " + ".join(f"{k} {v:.1f}" for k, v in cpu.items())
            loads = ", ".join(f"{r['load']:.1f}" for r in sorted(ours + stock, key=lambda r: r["at"]))
            lines.append(
                f"| {name} | {c} | {per_round(ours)} | {pct(lat, 50):.0f} / {pct(lat, 95):.0f} | {per_round(stock)} "
                f"| {turns_per_s(ours) / turns_per_s(stock):.2f} | {processes} = **{sum(cpu.values()):.1f}** "
                f"| {sum(cpu_ms_per_turn(stock).values()):.1f} | {sum(not t.ok for r in ours for t in r['turns'])} | {loads} |"
            )
    return "\n".join(lines)


def index_description(index_dir: Path) -> str:
    build = (index_dir / "CURRENT").read_text().strip()
    manifest = json.loads((index_dir / build / "manifest.json").read_text())
    return f"index {index_dir} build {build} ({manifest['chunk_count']:,} chunks, {manifest['card_count']:,} cards)"


async def measure(
    topo: Topology, stock_url: str, stock_pid: int, args: argparse.Namespace, unique: UniqueQuestions | None
) -> dict[tuple[str, int], list[dict]]:
    """--rounds × --levels × (ours through nginx, stock), interleaved as bench/chat_latency.py does."""
    runs: dict[tuple[str, int], list[dict]] = {(t, c): [] for t in ("ours", "stock") for c in args.levels}
    cell = 0
    for r in range(args.rounds):
        for c in args.levels:
            for target in ("ours", "stock") if (r + c) % 2 == 0 else ("stock", "ours"):
                if target == "ours":
                    url, pids = topo.url, server_pids(topo)
                    if unique is not None:
                        unique.start(cell)
                        cell += 1
                else:
                    url, pids = stock_url, {"stock": stock_pid}
                at = time.time()
                turns, wall, cpu = await run_load(target, url, c, args.duration, pids, unique)
                load = os.getloadavg()[0]
                runs[(target, c)].append({"turns": turns, "wall": wall, "cpu": merge_backends(cpu), "load": load, "at": at})
                lat = [t.latency_ms for t in turns]
                print(
                    f"round {r} c={c:>2} {target:5}: {len(turns)} turns, {len(turns) / wall:.1f}/s, p50 {pct(lat, 50):.0f} ms, "
                    f"p95 {pct(lat, 95):.0f} ms, errors {sum(not t.ok for t in turns)}, load {load:.1f}",
                    file=sys.stderr,
                )
    return runs


def as_json(results: dict[str, dict[tuple[str, int], list[dict]]]) -> dict:
    return {
        name: {
            f"{target}@{c}": [
                {"wall": r["wall"], "cpu": r["cpu"], "load": r["load"], "at": r["at"], "turns": [t.__dict__ for t in r["turns"]]}
                for r in rows
            ]
            for (target, c), rows in runs.items()
        }
        for name, runs in results.items()
    }


async def main_async(args: argparse.Namespace) -> None:
    args.out.mkdir(parents=True, exist_ok=True)
    model = args.out / "ours.tar.gz"  # a copy: another engineer retraining must not swap the model mid-run
    shutil.copyfile(MODEL.resolve(), model)
    stock, stock_url = start_stock(args.out, args.stock_dir)
    questions = sorted((ROOT / "data" / "eval" / "team").glob("*.jsonl"))
    unique = UniqueQuestions(questions, args.rounds * len(args.levels)) if args.questions == "unique" else None
    results: dict[str, dict[tuple[str, int], list[dict]]] = {}
    caches: dict[str, list[str]] = {}
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    load_before = os.getloadavg()
    try:
        wait_up(f"{stock_url}/", stock, args.out / "stock.log")
        for workers, rasa in args.topologies:
            name = f"{workers}×{rasa}"
            work = args.out / f"{workers}x{rasa}"
            work.mkdir(exist_ok=True)
            t0 = time.monotonic()
            env = {"HELPDESK_INDEX_DIR": str(args.index_dir)}
            with running_topology(work, env=env, model=model, workers=workers, rasa_servers=rasa) as topo:
                print(f"topology {name}: up in {time.monotonic() - t0:.0f} s, load {os.getloadavg()[0]:.1f}", file=sys.stderr)
                results[name] = await measure(topo, stock_url, stock.pid, args, unique)
                caches[name] = [await cache_counts(url) for url in topo.app_urls]
    finally:
        stock.terminate()
        try:
            stock.wait(timeout=20)
        except subprocess.TimeoutExpired:
            stock.kill()
    header = (
        f"Model {MODEL.resolve().name}, {index_description(args.index_dir)}. Run {started} on {platform.node()} "
        f"({os.cpu_count()} cores, shared with other work; load average {load_before[0]:.1f} before / {os.getloadavg()[0]:.1f} after); "
        f"{args.rounds} rounds × {args.duration:.0f} s per (topology, assistant, level), interleaved with the stock assistant. "
        f"Questions: {args.questions}."
    )
    details = []
    for name, runs in results.items():
        details += [
            "",
            f"#### {name}: {'; '.join(f'app{i} {c}' for i, c in enumerate(caches[name], 1))}",
            "",
            load_tables(runs, args.levels),
        ]
    report = "\n".join([header, "", summary_table(results, args.levels), *details])
    print(report)
    (args.out / "report.md").write_text(report + "\n", encoding="utf-8")
    (args.out / "results.json").write_text(json.dumps(as_json(results), ensure_ascii=False), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--topologies", type=parse_topology, nargs="+", default=[(1, 1), (2, 1), (1, 2), (2, 2)], metavar="WxR")
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per (topology, assistant, level) per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--questions",
        choices=("repeat", "unique"),
        default="repeat",
        help="repeat: chat_latency's fixed conversations; unique: each conversation asks its own question of data/eval/team",
    )
    parser.add_argument("--stock-dir", type=Path, default=Path("/tmp/stock-rasa"))
    parser.add_argument("--index-dir", type=Path, default=INDEX, help="the built index the app serves (read-only)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/topology-latency"))
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
