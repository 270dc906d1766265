"""`.env.example` lists every setting of `api.settings.Settings` with its default, and nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from api.settings import ROOT, Settings

EXAMPLE = ROOT / ".env.example"
APP_ONLY_END = "# Rasa server process only"


def example_lines() -> dict[str, str]:
    text = EXAMPLE.read_text(encoding="utf-8").split(APP_ONLY_END)[0]
    pairs = (line.split("#")[0].strip().split("=", 1) for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return {key: value for key, value in pairs}


def flat(model: BaseModel, prefix: str = "HELPDESK_") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            out |= flat(value, f"{prefix}{name.upper()}__")
        else:
            out[f"{prefix}{name.upper()}"] = value
    return out


def anchored(value: Any) -> Any:
    """The example writes paths relative to the checkout; the defaults are absolute."""
    if isinstance(value, Path) and not value.is_absolute():
        return ROOT / value
    if isinstance(value, str) and value.startswith("sqlite:///") and not value.startswith("sqlite:////"):
        return f"sqlite:///{ROOT / value.removeprefix('sqlite:///')}"
    return value


def test_the_example_lists_every_setting_and_no_other() -> None:
    listed, known = set(example_lines()), set(flat(Settings(_env_file=None, mode="development")))
    assert sorted(known - listed) == [], "settings missing from .env.example"
    assert sorted(listed - known) == [], ".env.example lists variables the app does not read"


def test_the_example_gives_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(example_lines()):
        monkeypatch.delenv(key, raising=False)
    for key, value in example_lines().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("HELPDESK_MODE", "development")  # production would refuse the example's empty secrets
    from_example = {key: anchored(value) for key, value in flat(Settings(_env_file=None)).items()}
    for key in example_lines():
        monkeypatch.delenv(key)
    defaults = flat(Settings(_env_file=None, mode="development"))
    differing = {key: (from_example[key], defaults[key]) for key in defaults if from_example[key] != defaults[key]}
    assert differing == {}, "the example's value differs from the default (example, default)"
    assert example_lines()["HELPDESK_MODE"] == "production"
