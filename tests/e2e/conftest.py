"""The real product as processes for the end-to-end tests (started by bench/product.py, shared with the chat benchmarks)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from bench.product import INDEX, MODEL, Product, running_product
from bench.synthetic import ROOT, synthetic_guides
from db.session import make_engine, make_sessionmaker, migrate, session_scope
from knowledge.dense import make_embedder
from knowledge.guides import load_guide_dir
from knowledge.index import build_index
from knowledge.repository import published_guides, upsert_guide
from tests.conftest import IN_CI

__all__ = ["INDEX", "MODEL", "Product", "full_scale_knowledge", "running_product"]  # the suites import them from here

pytestmark = pytest.mark.e2e
FULL_SCALE_RECORDS = 2611  # as many national records as the public database holds, of the same size (bench.synthetic)


def full_scale_knowledge(work: Path, model: str = "hash-256", records: int = FULL_SCALE_RECORDS) -> dict[str, str]:
    """A product's database and index under `work` with the curated guides and `records` synthetic national records.

    Call it before `running_product(work, env=...)` with the settings it returns: the product
    then serves an index as large as the real one (its database is ``<work>/app.db``, as
    `running_product` names it), so that a publish or a reload that is slow at full scale
    cannot pass unnoticed. `hash-256` keeps the build to seconds.
    """
    url = f"sqlite:///{work / 'app.db'}"
    migrate(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    with session_scope(factory) as session:
        for guide in [*load_guide_dir(ROOT / "data" / "guides"), *synthetic_guides(records)]:
            upsert_guide(session=session, guide=guide, source="e2e")
    with session_scope(factory) as session:
        guides = published_guides(session=session)
    engine.dispose()
    build_index(guides, work / "index", make_embedder(model))
    return {"HELPDESK_INDEX_DIR": str(work / "index"), "HELPDESK_EMBEDDING_MODEL": model}


@pytest.fixture(scope="session")
def product(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    with running_product(tmp_path_factory.mktemp("product")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian chromium driven by Playwright, one per test module (required with CI=true, skipped elsewhere without it)."""
    executable = shutil.which("chromium")
    if not executable:
        if IN_CI:
            pytest.fail("Debian chromium is required with CI=true (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
    ]
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=args)
        yield launched
        launched.close()
