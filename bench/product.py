"""The real product as processes: the Rasa 3.6 server (bot env) and the app (uvicorn), on free ports.

    with running_product(Path("/tmp/work")) as product:
        httpx.post(f"{product.app_url}/api/chat/messages", json={"conversation_id": None, "text": "xin chào", "lang": None})

Used by the end-to-end tests (tests/e2e/conftest.py) and the chat benchmarks, so both talk to the
product started the same way: a scratch SQLite database under `work`, logs next to it (`app.log`: the
app's JSON lines, as `scripts/run.sh` starts it; `rasa.log`: Rasa's output).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "var" / "models" / "current.tar.gz"
INDEX = ROOT / "var" / "index"


class ProductNotStarted(RuntimeError):
    """A process exited early or did not answer in time; the message ends with its log."""


@dataclass(frozen=True)
class Product:
    """The running product; `kill` and `start` its processes (tests/e2e/test_faults.py), on the same ports."""

    app_url: str
    rasa_url: str
    rasa_token: str
    processes: Processes | None = field(default=None, repr=False, compare=False)

    def kill(self, name: str) -> None:
        """SIGKILL "app" or "rasa" (no clean shutdown) and wait until it is gone."""
        assert self.processes is not None
        self.processes.kill(name)

    def start(self, name: str) -> None:
        """Start "app" or "rasa" again as it was started first, and wait until it answers."""
        assert self.processes is not None
        self.processes.start(name)


class Processes:
    """The product's processes by name, each started from its command line, environment and log."""

    def __init__(self, env: dict[str, str], work: Path, commands: dict[str, list[str]], probes: dict[str, str]) -> None:
        self.env, self.work, self.commands, self.probes = env, work, commands, probes
        self.running: dict[str, subprocess.Popen] = {}

    def log(self, name: str) -> Path:
        return self.work / f"{name}.log"

    def start(self, name: str, wait: bool = True) -> None:
        with self.log(name).open("a") as log:  # appended: a restart keeps the log of the run before it
            self.running[name] = subprocess.Popen(self.commands[name], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        if wait:
            wait_up(self.probes[name], self.running[name], self.log(name))

    def kill(self, name: str) -> None:
        process = self.running.pop(name)
        process.kill()
        process.wait(timeout=20)

    def stop(self) -> None:
        for process in self.running.values():
            process.terminate()
        for process in self.running.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.running.clear()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, process: subprocess.Popen, log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ProductNotStarted(f"{url} process exited early; log:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise ProductNotStarted(f"{url} not up after {seconds}s; log:\n{log.read_text()[-3000:]}")


@contextmanager
def running_product(
    work: Path,
    *,
    env: dict[str, str] | None = None,
    seed_demo: bool = False,
    before_start: Callable[[dict[str, str]], None] | None = None,
    model: Path = MODEL,
    rasa: bool = True,
) -> Iterator[Product]:
    """Rasa and the app as processes on free ports, with a scratch database under `work`.

    `env` adds or overrides settings (`HELPDESK_INDEX_DIR` picks the index served); `seed_demo`
    loads the demo accounts; `before_start` runs once the database is migrated (it gets the
    processes' environment); `model` is the trained Rasa model; `rasa=False` starts the app alone
    (a chat turn then gets the "briefly unavailable" notice).
    """
    index = Path((env or {}).get("HELPDESK_INDEX_DIR", INDEX))
    if not model.exists() or not (index / "CURRENT").exists():
        raise ProductNotStarted(f"no trained model at {model} or no index in {index}: run `make setup` first")
    app_port, rasa_port = free_port(), free_port()
    full_env = {
        **os.environ,
        "HELPDESK_MODE": "development",
        "HELPDESK_PORT": str(app_port),
        "HELPDESK_RASA_PORT": str(rasa_port),
        "HELPDESK_DATABASE_URL": f"sqlite:///{work / 'app.db'}",
        "HELPDESK_RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "HELPDESK_ACTION_URL": f"http://127.0.0.1:{app_port}/webhooks/actions",
        "HELPDESK_RASA_TOKEN": "e2e-rasa-token",
        "HELPDESK_ACTION_TOKEN": "e2e-action-token",
        "HF_HUB_OFFLINE": "1",
        # Every test and benchmark client is 127.0.0.1: the limits stay on, above the tests' traffic.
        "HELPDESK_LIMITS__CHAT_PER_ADDRESS": "600/minute",
        "HELPDESK_LIMITS__SEARCH_PER_ADDRESS": "600/minute",
        **(env or {}),
    }
    for step in ("migrate", "seed-demo") if seed_demo else ("migrate",):
        subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "api", step], env=full_env, check=True, cwd=ROOT, capture_output=True)
    if before_start:
        before_start(full_env)
    processes = Processes(
        full_env,
        work,
        commands={
            "rasa": [
                str(ROOT / ".venv-bot/bin/python"), str(ROOT / "bot/rasa_server.py"), "run", "--enable-api", "--auth-token", full_env["HELPDESK_RASA_TOKEN"],
                "--model", str(model), "--endpoints", "bot/endpoints.yml", "--credentials", "bot/credentials.yml",
                "--interface", "127.0.0.1", "--port", str(rasa_port),
            ],
            "app": [
                str(ROOT / ".venv/bin/uvicorn"), "api.app:create_app", "--factory", "--no-access-log", "--no-proxy-headers",
                "--host", "127.0.0.1", "--port", str(app_port),
            ],
        },
        probes={"app": f"http://127.0.0.1:{app_port}/api/search?q=test", "rasa": f"http://127.0.0.1:{rasa_port}/"},
    )  # fmt: skip
    names = ("app", "rasa") if rasa else ("app",)
    try:
        for name in names:
            processes.start(name, wait=False)
        for name in names:
            wait_up(processes.probes[name], processes.running[name], processes.log(name))
        yield Product(f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{rasa_port}", full_env["HELPDESK_RASA_TOKEN"], processes)
    finally:
        processes.stop()


@contextmanager
def scratch_postgres(admin_url: str, prefix: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database on `admin_url`'s server (its URL), dropped afterwards (by force)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
