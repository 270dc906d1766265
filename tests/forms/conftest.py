from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml

from api.forms.flow import FormFlow
from api.forms.templates import load_templates
from tests.conftest import ROOT

TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="session")
def citizens() -> list[dict[str, Any]]:
    return yaml.safe_load((ROOT / "data" / "demo" / "citizens.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def flow() -> FormFlow:
    return FormFlow(load_templates(ROOT / "data" / "forms"), today=TODAY)
