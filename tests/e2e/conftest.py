"""The real product as processes: the Rasa 3.6 server (bot env) and the app (uvicorn), on free ports."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Product:
    app_url: str
    rasa_url: str
    rasa_token: str


def _wait(url: str, process: subprocess.Popen, log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} process exited early; log:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} not up after {seconds}s; log:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def product(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    model = ROOT / "var" / "models" / "current.tar.gz"
    index = ROOT / "var" / "index" / "CURRENT"
    if not model.exists() or not index.exists():
        pytest.fail("run `make setup` first: the trained model and the index are needed")
    work = tmp_path_factory.mktemp("product")
    app_port, rasa_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "HELPDESK_PORT": str(app_port),
        "HELPDESK_RASA_PORT": str(rasa_port),
        "HELPDESK_DATABASE_URL": f"sqlite:///{work / 'app.db'}",
        "HELPDESK_RASA_TRACKER_DB": str(work / "tracker.db"),
        "HELPDESK_RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "HELPDESK_ACTION_URL": f"http://127.0.0.1:{app_port}/webhooks/actions",
        "HELPDESK_RASA_TOKEN": "e2e-rasa-token",
        "HELPDESK_ACTION_TOKEN": "e2e-action-token",
        "HF_HUB_OFFLINE": "1",
    }
    subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "api", "migrate"], env=env, check=True, cwd=ROOT, capture_output=True)
    rasa_log, app_log = work / "rasa.log", work / "app.log"
    rasa = subprocess.Popen(
        [
            str(ROOT / ".venv-bot/bin/rasa"), "run", "--enable-api", "--auth-token", env["HELPDESK_RASA_TOKEN"],
            "--model", str(model), "--endpoints", "bot/endpoints.yml", "--credentials", "bot/credentials.yml",
            "--interface", "127.0.0.1", "--port", str(rasa_port),
        ],
        cwd=ROOT, env=env, stdout=rasa_log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    app = subprocess.Popen(
        [str(ROOT / ".venv/bin/uvicorn"), "api.app:create_app", "--factory", "--host", "127.0.0.1", "--port", str(app_port)],
        cwd=ROOT, env=env, stdout=app_log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait(f"http://127.0.0.1:{app_port}/api/search?q=test", app, app_log)
        _wait(f"http://127.0.0.1:{rasa_port}/", rasa, rasa_log)
        yield Product(f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{rasa_port}", env["HELPDESK_RASA_TOKEN"])
    finally:
        for process in (app, rasa):
            process.terminate()
        for process in (app, rasa):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
