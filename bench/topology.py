"""The production topology as processes on free ports: nginx in front of 2 app workers and 2 Rasa servers,
the app on PostgreSQL, Rasa's trackers and locks, the live hub and the abuse limits in a private Redis.

    with running_topology(Path("/tmp/work")) as topo:
        httpx.post(f"{topo.url}/api/chat/messages", json={"conversation_id": None, "text": "xin chào"})
        topo.kill("rasa1")      # SIGKILL; topo.start("rasa1") brings it back on its port

The same layout as `make run-prod` (scripts/run_prod.sh): the nginx site is rendered from
deploy/nginx/helpdesk.conf.template by scripts/nginx_conf.sh, the app reaches Rasa through nginx's
second port, Rasa calls the actions back through the first. Everything is private to `work`: its own
redis-server (so a test may stop it), a fresh PostgreSQL database dropped at the end, nginx's pid,
temp files and logs. Used by tests/e2e/test_topology.py (and the scale-out benchmarks).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import redis

from bench.product import INDEX, MODEL, ROOT, Processes, ProductNotStarted, free_port, scratch_postgres, wait_up

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
LIVE_DB, LIMITS_DB, TRACKER_DB, LOCK_DB = 0, 1, 2, 3  # Redis database numbers (pub/sub ignores them)


@dataclass(frozen=True)
class Topology:
    """The running topology: `url` is nginx; `app_urls`/`rasa_urls` reach one worker or one Rasa server directly."""

    url: str
    app_urls: list[str]
    rasa_urls: list[str]
    rasa_token: str
    database_url: str
    redis_url: str
    processes: TopologyProcesses = field(repr=False, compare=False)
    nginx_dir: Path = field(default=Path(), repr=False, compare=False)  # its access logs (access.log, access-rasa.log)

    @property
    def app_url(self) -> str:
        """nginx, under the name `bench.product.Product` gives the app (helpers written for it work here too)."""
        return self.url

    def kill(self, name: str) -> None:
        """SIGKILL "app1", "app2", "rasa1", "rasa2", "redis" or "nginx" and wait until it is gone."""
        self.processes.kill(name)

    def start(self, name: str) -> None:
        """Start it again as it was started first (same port), and wait until it answers."""
        self.processes.start(name)


class TopologyProcesses(Processes):
    """`Processes` whose redis-server is probed with PING rather than HTTP."""

    def __init__(self, *args: object, redis_port: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.redis_port = redis_port

    def start(self, name: str, wait: bool = True) -> None:
        if name != "redis":
            super().start(name, wait)
            return
        super().start(name, wait=False)
        deadline = time.monotonic() + 20
        client = redis.Redis(port=self.redis_port, socket_connect_timeout=1)
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.2)
        raise ProductNotStarted(f"redis-server on {self.redis_port} not up; log:\n{self.log('redis').read_text()[-2000:]}")


@contextmanager
def running_topology(
    work: Path,
    *,
    env: dict[str, str] | None = None,
    seed_demo: bool = False,
    before_start: Callable[[dict[str, str]], None] | None = None,
    model: Path = MODEL,
    workers: int = 2,
    rasa_servers: int = 2,
    admin_url: str = POSTGRES_ADMIN_URL,
) -> Iterator[Topology]:
    """nginx, `workers` app processes and `rasa_servers` Rasa servers, PostgreSQL and a private Redis, under `work`.

    `env`, `seed_demo` and `before_start` as in `bench.product.running_product`.
    """
    index = Path((env or {}).get("HELPDESK_INDEX_DIR", INDEX))
    if not model.exists() or not (index / "CURRENT").exists():
        raise ProductNotStarted(f"no trained model at {model} or no index in {index}: run `make setup` first")
    for binary in ("nginx", "redis-server", "envsubst"):
        if shutil.which(binary) is None and not Path(f"/usr/sbin/{binary}").exists():
            raise ProductNotStarted(f"{binary} is not installed (apt-get install nginx redis-server gettext-base)")
    app_ports = [free_port() for _ in range(workers)]
    rasa_ports = [free_port() for _ in range(rasa_servers)]
    port, rasa_port, redis_port = free_port(), free_port(), free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}"
    with scratch_postgres(admin_url, "helpdesk_topology") as database_url:
        full_env = {
            **os.environ,
            "HELPDESK_MODE": "development",  # the demo identity provider and accounts; docs/architecture.md lists production's secrets
            "HELPDESK_PORT": str(port),
            "HELPDESK_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "HELPDESK_DATABASE_URL": database_url,
            "HELPDESK_RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "HELPDESK_ACTION_URL": f"http://127.0.0.1:{port}/webhooks/actions",
            "HELPDESK_RASA_TOKEN": "topology-rasa-token",
            "HELPDESK_ACTION_TOKEN": "topology-action-token",
            "HELPDESK_HANDOFF__LIVE_URL": f"{redis_url}/{LIVE_DB}",
            "HELPDESK_LIMITS__STORAGE_URL": f"{redis_url}/{LIMITS_DB}",
            "HELPDESK_WEB__TRUSTED_PROXIES": '["127.0.0.1"]',
            "HELPDESK_REDIS_HOST": "127.0.0.1",
            "HELPDESK_REDIS_PORT": str(redis_port),
            "HELPDESK_REDIS_TRACKER_DB": str(TRACKER_DB),
            "HELPDESK_REDIS_LOCK_DB": str(LOCK_DB),
            "TICKET_LOCK_LIFETIME": "8",  # below HELPDESK_RASA_TIMEOUT_S (10): a dead server's lock does not outlast the app's wait
            "HF_HUB_OFFLINE": "1",
            "HELPDESK_LIMITS__CHAT_PER_ADDRESS": "6000/minute",  # every test client is 127.0.0.1
            "HELPDESK_LIMITS__CHAT_PER_CONVERSATION": "600/minute",
            "HELPDESK_LIMITS__SEARCH_PER_ADDRESS": "6000/minute",
            "HELPDESK_NGINX_LISTEN": f"127.0.0.1:{port}",
            "HELPDESK_NGINX_APP_SERVERS": " ".join(f"server 127.0.0.1:{p};" for p in app_ports),
            "HELPDESK_NGINX_RASA_LISTEN": f"127.0.0.1:{rasa_port}",
            "HELPDESK_NGINX_RASA_SERVERS": " ".join(f"server 127.0.0.1:{p};" for p in rasa_ports),
            **(env or {}),
        }
        for step in ("migrate", "seed-demo") if seed_demo else ("migrate",):
            subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "api", step], env=full_env, check=True, cwd=ROOT, capture_output=True)
        if before_start:
            before_start(full_env)
        # nginx's workers run as `nobody` when the tests run as root: its prefix must be reachable by them
        # (pytest's own temp root is 0700), so it is a directory of its own, removed at the end.
        nginx_dir = Path(tempfile.mkdtemp(prefix="helpdesk-nginx-"))
        nginx_dir.chmod(0o755)
        shutil.copy(ROOT / "deploy" / "nginx" / "nginx.conf", nginx_dir / "nginx.conf")
        site = subprocess.run([str(ROOT / "scripts" / "nginx_conf.sh")], env=full_env, check=True, capture_output=True, text=True)
        (nginx_dir / "helpdesk.conf").write_text(site.stdout)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        commands = {
            "redis": ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(work)],
            "nginx": [nginx, "-p", f"{nginx_dir}/", "-c", str(nginx_dir / "nginx.conf"), "-e", "stderr", "-g", "daemon off;"],
        }  # fmt: skip
        probes = {"nginx": f"http://127.0.0.1:{port}/api/health/live"}
        for i, p in enumerate(rasa_ports, 1):
            commands[f"rasa{i}"] = [
                str(ROOT / ".venv-bot/bin/python"), str(ROOT / "bot/rasa_server.py"), "run", "--enable-api", "--auth-token", full_env["HELPDESK_RASA_TOKEN"],
                "--model", str(model), "--endpoints", "bot/endpoints.redis.yml", "--credentials", "bot/credentials.yml",
                "--interface", "127.0.0.1", "--port", str(p),
            ]  # fmt: skip
            probes[f"rasa{i}"] = f"http://127.0.0.1:{p}/"
        for i, p in enumerate(app_ports, 1):
            commands[f"app{i}"] = [
                str(ROOT / ".venv/bin/uvicorn"), "api.app:create_app", "--factory", "--no-access-log", "--no-proxy-headers",
                "--host", "127.0.0.1", "--port", str(p),
            ]  # fmt: skip
            probes[f"app{i}"] = f"http://127.0.0.1:{p}/api/search?q=test"
        processes = TopologyProcesses(full_env, work, commands, probes, redis_port=redis_port)
        try:
            processes.start("redis")
            servers = [name for name in commands if name not in ("redis", "nginx")]
            for name in servers:
                processes.start(name, wait=False)
            for name in servers:
                wait_up(processes.probes[name], processes.running[name], processes.log(name))
            processes.start("nginx")
            yield Topology(
                url=f"http://127.0.0.1:{port}",
                app_urls=[f"http://127.0.0.1:{p}" for p in app_ports],
                rasa_urls=[f"http://127.0.0.1:{p}" for p in rasa_ports],
                rasa_token=full_env["HELPDESK_RASA_TOKEN"],
                database_url=database_url,
                redis_url=redis_url,
                processes=processes,
                nginx_dir=nginx_dir,
            )
        finally:
            processes.stop()
            shutil.rmtree(nginx_dir, ignore_errors=True)
