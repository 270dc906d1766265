"""Rasa's own logs, through bot/rasa_server.py, carry no message text (run in the bot's Python 3.10 env)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOT_PYTHON = ROOT / ".venv-bot" / "bin" / "python"

# Configures Rasa's logging as `rasa run` does once the wrapper has swapped the processor, then logs what
# Rasa's REST channel logs for a failed turn.
SCRIPT = """
import logging, structlog
from rasa.utils import log_utils
import rasa_server
log_utils._anonymizer = rasa_server.without_personal_values
log_utils.configure_structlog(logging.INFO)
structlog.get_logger().error("rest.message.received.failure", text="CCCD 001203004567, gọi 0912345678", sender="abc")
"""


@pytest.mark.skipif(not BOT_PYTHON.exists(), reason="the bot env is made by `make envs`")
def test_a_failed_turn_is_logged_without_what_the_citizen_typed() -> None:
    env = {**os.environ, "FORCE_JSON_LOGGING": "1", "PYTHONPATH": str(ROOT / "bot")}
    run = subprocess.run([str(BOT_PYTHON), "-c", SCRIPT], capture_output=True, text=True, env=env, check=True, timeout=120)
    [line] = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert line["event"] == "rest.message.received.failure" and line["text"] == "[redacted]" and line["sender"] == "abc"
    assert "001203004567" not in run.stdout + run.stderr and "0912345678" not in run.stdout + run.stderr


@pytest.mark.skipif(not BOT_PYTHON.exists(), reason="the bot env is made by `make envs`")
def test_the_wrapper_is_rasas_command_line() -> None:
    run = subprocess.run([str(BOT_PYTHON), str(ROOT / "bot" / "rasa_server.py"), "--version"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "Rasa Version" in run.stdout
