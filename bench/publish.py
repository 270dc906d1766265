"""Publishing one curated guide at full scale: how long until every app worker serves it.

    python -m bench.publish [--records 2611 | --tthc ../shared/data/tthc] [--model hash-256]
                            [--work /tmp/bench-publish] [--repeat 5] [--baseline REV | --no-baseline]

Setup (timed only as "full build"): a scratch SQLite database under `--work` with the 31
curated guides and the national records (`--tthc`, imported) or as many synthetic ones of
the same size (`bench.synthetic`), and an index built from it from scratch.

Each repetition publishes a new version of one curated guide (its summary gains a marker
word), as an editor does: save a draft, submit it (the card is embedded then, as the
endpoint does), another editor publishes.

- **In process, step by step**: the publish (`change_served_set`: build lock, workflow step,
  published versions read, incremental index update, files written, version bumped,
  commit), the publishing worker's own reload, another worker's reload
  (`KnowledgeService.reload_if_changed`: `load_index` with its previous index, then
  `Searcher`), and a cold load (a worker holding nothing).
- **Two app processes** (uvicorn, like `make run` with two workers): the publish request to
  worker A over HTTP, then worker B's `/api/search` polled every 20 ms until it serves the
  marker: publish → served by the other worker, which includes B's poll interval (0.5 s).
- **Baseline** (`--baseline`, default the commit before this work): the same one-guide
  change through the old code, checked out with `git archive` and run in a subprocess:
  its `sync_index` (BM25 rebuilt over every chunk, vectors per chunk) and its reload
  (`load_index` + `Searcher`, whose vocabulary walked every chunk twice).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.editor import workflow
from api.editor.publishing import change_served_set, refresh_served_index
from bench.product import free_port
from bench.synthetic import ROOT, synthetic_guides
from db.session import make_engine, make_sessionmaker, migrate, session_scope
from knowledge.dense import Embedder, make_embedder
from knowledge.guides import guide_from_dict, load_guide_dir
from knowledge.incremental import embed_guide, vector_cache
from knowledge.index import read_manifest
from knowledge.repository import upsert_guide
from knowledge.service import KnowledgeService
from knowledge.terms import TermList

CODE = "1.004222"  # the curated guide published (permanent residence)
EDITOR1, EDITOR2 = workflow.Actor("editor1", ("editor",)), workflow.Actor("editor2", ("editor",))
DEFAULT_BASELINE = "cc4f64f^"


@dataclass
class Scratch:
    url: str
    factory: object
    index_dir: Path
    embedder: Embedder


def prepare(work: Path, records: int, tthc: Path | None, model: str) -> tuple[Scratch, dict[str, float]]:
    """A fresh database and index under `work` (card vectors cached there are kept)."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "app.db").unlink(missing_ok=True)
    url = f"sqlite:///{work / 'app.db'}"
    migrate(url)
    factory = make_sessionmaker(make_engine(url))
    with session_scope(factory) as session:
        for guide in load_guide_dir(ROOT / "data" / "guides"):
            upsert_guide(session=session, guide=guide, source="curated")
    if tthc is not None:
        from knowledge.importer import import_tthc

        import_tthc(factory=factory, directory=tthc)
    else:
        with session_scope(factory) as session:
            for guide in synthetic_guides(records):
                upsert_guide(session=session, guide=guide, source="synthetic")
    index_dir = work / "index"
    for build in index_dir.glob("*") if index_dir.exists() else []:
        if build.is_dir() and not build.name.startswith("."):
            shutil.rmtree(build)
    embedder = make_embedder(model)
    cached = len(list(vector_cache(index_dir).rglob("*.npy")))
    seconds = {}
    for label in ("full build", "full build again (vectors cached)"):
        started = time.perf_counter()
        refresh_served_index(factory=factory, index_dir=index_dir, embedder=embedder, rebuild=True, progress=True)
        seconds[label] = time.perf_counter() - started
    seconds["cached vectors before"] = cached
    return Scratch(url, factory, index_dir, embedder), seconds


def draft_for_review(scratch: Scratch, marker: str) -> int:
    """A new version of CODE with `marker` in its summary, saved and submitted; returns its lock_version."""
    with session_scope(scratch.factory) as session:  # type: ignore[arg-type]
        row = workflow.get_row(session=session, code=CODE)
        state = workflow.get_state(session=session, row=row)
        data = dict(workflow.get_version(session=session, row=row, version=workflow.head_version(state, row)).data)
        data["vi"] = {**data["vi"], "summary": f"{data['vi'].get('summary', '')} {marker}".strip()}
        workflow.save_draft(session=session, actor=EDITOR1, code=CODE, data=data, lock_version=state.lock_version)
        state = workflow.submit(session=session, actor=EDITOR1, code=CODE, lock_version=state.lock_version)
        lock = state.lock_version
    embed_guide(guide_from_dict(data), scratch.embedder, vector_cache(scratch.index_dir))  # as POST …/submit does
    return lock


def in_process(scratch: Scratch, repeat: int) -> dict[str, list[float]]:
    open_worker = lambda: KnowledgeService.open(scratch.index_dir, scratch.embedder, TermList(()))  # noqa: E731
    a, b = open_worker(), open_worker()
    out: dict[str, list[float]] = {k: [] for k in ("publish", "publishing worker reload", "other worker reload", "cold load")}
    for r in range(repeat):
        marker = f"zqmoc{r}"
        lock = draft_for_review(scratch, marker)
        started = time.perf_counter()
        change_served_set(
            factory=scratch.factory,  # type: ignore[arg-type]
            index_dir=scratch.index_dir,
            embedder=scratch.embedder,
            loaded=a.index,
            step=lambda s, lock=lock: workflow.publish(session=s, actor=EDITOR2, code=CODE, lock_version=lock),
        )
        published = time.perf_counter()
        a.reload_if_changed()
        reloaded = time.perf_counter()
        b.reload_if_changed()
        other = time.perf_counter()
        open_worker()
        cold = time.perf_counter()
        assert b.search(marker).hits[0].code == CODE, "the other worker does not serve the published version"
        for key, value in zip(out, (published - started, reloaded - published, other - reloaded, cold - other), strict=True):
            out[key].append(value)
    return out


def two_processes(scratch: Scratch, work: Path, repeat: int, first: int) -> dict[str, list[float]]:
    """Publish through worker A's API; poll worker B until it serves the marker."""
    env = {
        **os.environ,
        "HELPDESK_MODE": "development",
        "HELPDESK_DATABASE_URL": scratch.url,
        "HELPDESK_INDEX_DIR": str(scratch.index_dir),
        "HELPDESK_EMBEDDING_MODEL": scratch.embedder.name,
        "HELPDESK_RASA_URL": "http://127.0.0.1:9",
        "HELPDESK_LIMITS__ENABLED": "false",  # worker B is polled every 20 ms
        "HF_HUB_OFFLINE": "1",
    }
    subprocess.run([sys.executable, "-m", "api", "seed-demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    out: dict[str, list[float]] = {"publish request": [], "publish → served by the other worker": []}
    with ExitStack() as stack:
        urls = []
        for name in ("a", "b"):
            port = free_port()
            log = stack.enter_context((work / f"worker-{name}.log").open("w"))
            command = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--port", str(port)]
            process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            stack.callback(_stop, process)
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            _wait_up(url)
        a, b = (stack.enter_context(httpx.Client(base_url=url, timeout=120)) for url in urls)  # B's client: the poller thread only
        editor1, editor2 = _bearer(a, "editor1"), _bearer(a, "editor2")
        for r in range(first, first + repeat):
            marker = f"zqmoc{r}"
            detail = a.get(f"/api/editor/guides/{CODE}", headers=editor1).json()
            data = {**detail["guide"], "vi": {**detail["guide"]["vi"], "summary": f"{detail['guide']['vi'].get('summary', '')} {marker}"}}
            detail = a.put(
                f"/api/editor/guides/{CODE}/draft", json={"guide": data, "lock_version": detail["lock_version"]}, headers=editor1
            )
            detail = a.post(f"/api/editor/guides/{CODE}/submit", json={"lock_version": detail.json()["lock_version"]}, headers=editor1)
            time.sleep(1.0)  # B settles on the current version
            served: list[float] = []
            poller = threading.Thread(target=_poll_until_served, args=(b, marker, served), daemon=True)
            started = time.perf_counter()
            poller.start()  # B is polled from the moment the publish is sent, not after A answers
            response = a.post(f"/api/editor/guides/{CODE}/publish", json={"lock_version": detail.json()["lock_version"]}, headers=editor2)
            response.raise_for_status()
            out["publish request"].append(time.perf_counter() - started)
            for part, seconds in response.json()["seconds"].items():
                out.setdefault(f"publish request: {part}", []).append(seconds)
            poller.join(60)
            if not served:
                raise RuntimeError(f"worker B did not serve {marker} within 60 s; see {work}/worker-b.log")
            out["publish → served by the other worker"].append(served[0] - started)
    return out


BASELINE_SCRIPT = r"""
import dataclasses, json, sys, time
from pathlib import Path
from db.session import make_engine, make_sessionmaker, session_scope
from knowledge.dense import make_embedder
from knowledge.index import IndexedGuide, build_index, load_index
from knowledge.incremental import sync_index
from knowledge.repository import published_guides
from knowledge.search import Searcher
from knowledge.terms import TermList

url, index_dir, model, repeat = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
with session_scope(make_sessionmaker(make_engine(url))) as session:
    guides = published_guides(session=session)
embedder = make_embedder(model)
out = {"full build": [], "publish (sync_index)": [], "other worker reload": []}
started = time.perf_counter(); index = build_index(guides, index_dir, embedder); out["full build"].append(time.perf_counter() - started)
for r in range(repeat):
    wanted = []
    for item in guides:
        if item.guide.code == "1.004222":
            vi = dataclasses.replace(item.guide.content["vi"], summary=item.guide.content["vi"].summary + f" zqold{r}")
            item = IndexedGuide(dataclasses.replace(item.guide, content={**item.guide.content, "vi": vi}), item.version + r + 1)
        wanted.append(item)
    started = time.perf_counter(); index = sync_index(index_dir, wanted, embedder, loaded=index); out["publish (sync_index)"].append(time.perf_counter() - started)
    started = time.perf_counter(); Searcher(load_index(index_dir, embedder.name), embedder, TermList(())); out["other worker reload"].append(time.perf_counter() - started)
print(json.dumps(out))
"""


def baseline(scratch: Scratch, work: Path, rev: str, repeat: int) -> dict[str, list[float]]:
    """The old code on the same database, from `git archive rev`, in its own process."""
    source = work / "baseline-src"
    shutil.rmtree(source, ignore_errors=True)
    source.mkdir(parents=True)
    with tempfile.TemporaryFile() as archive:
        subprocess.run(["git", "archive", rev], cwd=ROOT, stdout=archive, check=True)
        archive.seek(0)
        with tarfile.open(fileobj=archive) as tar:
            tar.extractall(source, filter="data")
    index_dir = work / "baseline-index"
    shutil.rmtree(index_dir, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(source), "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-c", BASELINE_SCRIPT, scratch.url, str(index_dir), scratch.embedder.name, str(repeat)]
    done = subprocess.run(command, cwd=source, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _poll_until_served(client: httpx.Client, marker: str, served: list[float], seconds: float = 60) -> None:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        results = client.get("/api/search", params={"q": marker}).json()["results"]
        if results and results[0]["code"] == CODE:
            served.append(time.perf_counter())
            return
        time.sleep(0.02)


def _wait_up(url: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/search", params={"q": "test"}, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not up after {seconds} s")


def _bearer(client: httpx.Client, username: str) -> dict[str, str]:
    response = client.post("/api/auth/token", data={"username": username, "password": f"{username}-demo"})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def _row(label: str, values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    return f"| {label} | {len(ms)} | {statistics.median(ms):,.0f} | {max(ms):,.0f} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.publish", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=2611, help="synthetic national records (without --tthc)")
    parser.add_argument("--tthc", type=Path, help="import these national records instead (<dir>/<ministry>/<code>.json)")
    parser.add_argument("--model", default="hash-256", help="embedding model (hash-256: no model, embedding cost left out)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-publish"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="git revision of the code to compare with")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--no-processes", action="store_true", help="skip the two-process measurement")
    args = parser.parse_args(argv)

    scratch, setup = prepare(args.work, args.records, args.tthc, args.model)
    manifest = read_manifest(scratch.index_dir)
    print(
        f"\n{len(manifest['guide_versions'])} guides, {manifest['chunk_count']} chunks, {manifest['card_count']} cards; "
        f"model {args.model}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n"
    )
    print("| now | n | median ms | max ms |\n|---|---:|---:|---:|")
    print(
        "\n".join(f"| {label} | 1 | {seconds * 1000:,.0f} | |" for label, seconds in setup.items() if label.startswith("full")), flush=True
    )
    rows = [_row(label, values) for label, values in in_process(scratch, args.repeat).items()]
    if not args.no_processes:
        rows += [
            _row(f"two processes: {label}", values) for label, values in two_processes(scratch, args.work, args.repeat, args.repeat).items()
        ]
    print("\n".join(rows))
    print(f"\nload average afterwards {os.getloadavg()[0]:.1f}")
    if not args.no_baseline:
        old = baseline(scratch, args.work, args.baseline, min(args.repeat, 3))
        print(f"\n| before ({args.baseline}) | n | median ms | max ms |\n|---|---:|---:|---:|")
        print("\n".join(_row(label, values) for label, values in old.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
