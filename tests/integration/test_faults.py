"""Faults the app survives in process (docs/reliability.md); tests/e2e/test_faults.py kills real processes.

- Rasa unreachable: the notice offers a person, and asking for one works without Rasa;
- the database unreachable: 503 with Retry-After, in the client's language;
- the index missing, damaged, or ahead of the database at start: an intact build serves, and the
  index is brought level with the database in the background, without a restart.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from api.chat.turns import UNAVAILABLE
from api.editor.publishing import bump_knowledge_version, knowledge_version
from api.handoff.tickets import REQUEST_HUMAN
from api.rasa_client import RasaClient
from api.settings import Settings
from db.editorial import KnowledgeState
from db.session import make_engine, make_sessionmaker, session_scope
from knowledge.guides import guide_from_dict, guide_to_dict, load_guide_dir
from knowledge.incremental import sync_index
from knowledge.index import IndexedGuide, current_build, load_index
from knowledge.repository import published_versions, upsert_guide
from tests.conftest import ROOT, TEST_EMBEDDER
from tests.integration.test_chat_api import FakeRasa

WAIT_S = 60.0  # a bounded wait for the background work, never a timing assertion


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


def client_for(settings: Settings, rasa: FakeRasa) -> TestClient:
    app = create_app(settings, embedder=TEST_EMBEDDER)
    client = TestClient(app)
    client.__enter__()
    app.state.rasa = RasaClient(settings.rasa_url, settings.rasa_token, 5.0)
    app.state.rasa._http = httpx.AsyncClient(base_url=settings.rasa_url, transport=httpx.MockTransport(rasa.handler))
    app.state.handoff_config = app.state.handoff_config.model_copy(update={"always_open": True})
    return client


@pytest.fixture
def client(settings: Settings, rasa: FakeRasa) -> Iterator[TestClient]:
    client = client_for(settings, rasa)
    yield client
    client.__exit__(None, None, None)


def post(client: TestClient, text: str, conversation_id: str | None = None, lang: str | None = None, **kw: object) -> httpx.Response:
    return client.post("/api/chat/messages", json={"conversation_id": conversation_id, "text": text, "lang": lang}, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_rasa_down_the_notice_offers_a_person_and_asking_for_one_works(client: TestClient, rasa: FakeRasa, lang: str) -> None:
    rasa.down = True
    body = post(client, "thủ tục đăng ký thường trú" if lang == "vi" else "how do I register my residence", lang=lang).json()
    notice = body["messages"][0]
    assert notice["kind"] == "notice" and notice["text"] == UNAVAILABLE[lang]
    assert [b["payload"] for b in notice["buttons"]] == [REQUEST_HUMAN]
    assert notice["buttons"][0]["title"] == {"vi": "Gặp tổng đài viên", "en": "Talk to a person"}[lang]

    handed = post(client, REQUEST_HUMAN, body["conversation_id"]).json()
    assert [m["kind"] for m in handed["messages"]][:1] == ["handoff"] and handed["state"] != "bot"
    history = client.get(f"/api/chat/{body['conversation_id']}/messages").json()["messages"]
    assert [m["sender"] for m in history][:3] == ["citizen", "system", "citizen"]  # nothing typed is lost


@pytest.mark.parametrize("language, expected", [("en-GB,en;q=0.8", "try again in 5 seconds"), ("vi", "thử lại sau 5 giây")])
def test_an_unreachable_database_is_503_with_retry_after(client: TestClient, language: str, expected: str) -> None:
    state = client.app.state  # type: ignore[attr-defined]
    reachable = state.sessions
    state.sessions = make_sessionmaker(make_engine("postgresql+psycopg://nobody@127.0.0.1:9/nowhere?connect_timeout=2"))
    try:
        response = post(client, "xin chào", headers={"Accept-Language": language})
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"] == "5" and expected in response.json()["detail"]
    finally:
        state.sessions = reachable
    assert post(client, "xin chào").status_code == 200  # back without a restart


# ---- the index at start -----------------------------------------------------------------------


def curated() -> list[IndexedGuide]:
    return [IndexedGuide(g, 1) for g in load_guide_dir(ROOT / "data" / "guides")]


def amended(item: IndexedGuide, version: int) -> IndexedGuide:
    data = guide_to_dict(item.guide)
    data["vi"]["summary"] = data["vi"].get("summary", "") + " Bản sửa chưa được duyệt."
    return IndexedGuide(guide_from_dict(data), version)


@pytest.fixture
def own_index(settings: Settings, tmp_path: Path) -> Settings:
    """A private copy of the test index, and a database publishing exactly its guides, at the build it committed."""
    index_dir = tmp_path / "index"
    shutil.copytree(settings.index_dir, index_dir, ignore=shutil.ignore_patterns(".build.lock"))
    engine = make_engine(settings.database_url)
    with session_scope(make_sessionmaker(engine)) as session:
        for item in curated():
            upsert_guide(session=session, guide=item.guide, source="test")
        bump_knowledge_version(session=session, build_id=current_build(index_dir).name)  # as `make index` leaves it
    engine.dispose()
    return settings.model_copy(update={"index_dir": index_dir})


def served_build(client: TestClient) -> str | None:
    knowledge = client.app.state.knowledge  # type: ignore[attr-defined]
    return knowledge.index.build_id if knowledge is not None else None


def until(condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def level_with_database(client: TestClient) -> bool:
    factory: sessionmaker[Session] = client.app.state.sessions  # type: ignore[attr-defined]
    with factory() as session:
        versions, state = published_versions(session=session), session.get(KnowledgeState, 1)
    knowledge = client.app.state.knowledge  # type: ignore[attr-defined]
    return (
        knowledge is not None
        and state is not None
        and knowledge.index.build_id == state.build_id == current_build(knowledge.index.path.parent).name
        and {code: g.version for code, g in knowledge.index.guides.items()} == versions
    )


def test_an_index_ahead_of_the_database_is_brought_back_at_start(own_index: Settings, rasa: FakeRasa) -> None:
    """What a worker killed during a publish leaves: a build made current, its version never committed."""
    guides = curated()
    ahead = sync_index(own_index.index_dir, [*guides[1:], amended(guides[0], 2)], TEST_EMBEDDER)
    client = client_for(own_index, rasa)
    try:
        assert until(lambda: level_with_database(client)), "the index was not brought level with the database"
        assert served_build(client) != ahead.build_id
        assert client.app.state.knowledge.index.guides[guides[0].guide.code].version == 1  # type: ignore[attr-defined]
        assert client.get("/api/search", params={"q": "đăng ký thường trú"}).status_code == 200
    finally:
        client.__exit__(None, None, None)


@pytest.mark.parametrize("damage", ["truncated guides", "garbled manifest", "no CURRENT"])
def test_a_damaged_index_at_start_serves_an_earlier_build_then_the_database(own_index: Settings, rasa: FakeRasa, damage: str) -> None:
    index_dir = own_index.index_dir
    earlier = current_build(index_dir).name
    guides = curated()
    newer = sync_index(index_dir, [*guides[1:], amended(guides[0], 2)], TEST_EMBEDDER)  # the database publishes it …
    engine = make_engine(own_index.database_url)
    with session_scope(make_sessionmaker(engine)) as session:
        upsert_guide(session=session, guide=amended(guides[0], 2).guide, source="test")
        bump_knowledge_version(session=session, build_id=newer.build_id)
    engine.dispose()
    if damage == "truncated guides":  # … and then its files are damaged
        path = index_dir / newer.build_id / "guides.jsonl"
        path.write_bytes(path.read_bytes()[:1000])
    elif damage == "garbled manifest":
        (index_dir / newer.build_id / "manifest.json").write_text('{"format": 3, "build_')
    else:
        (index_dir / "CURRENT").unlink()

    client = client_for(own_index, rasa)
    try:
        # The newest build that loads: the earlier one when the newer is damaged, the newer when only CURRENT is gone.
        served = served_build(client)
        if not level_with_database(client):  # unless the background rebuild already won the race on this machine
            assert served == (newer.build_id if damage == "no CURRENT" else earlier)
            assert current_build(index_dir).name == served  # made current again: every worker serves it
        assert client.get("/api/search", params={"q": "đăng ký thường trú"}).status_code == 200  # served meanwhile
        assert until(lambda: level_with_database(client)), "the index was not rebuilt from the database"
        assert client.app.state.knowledge.index.guides[guides[0].guide.code].version == 2  # type: ignore[attr-defined]
    finally:
        client.__exit__(None, None, None)


def test_no_index_at_all_is_built_from_the_database(own_index: Settings, rasa: FakeRasa) -> None:
    for path in own_index.index_dir.iterdir():
        if path.name != ".vectors":  # the vector cache may stay: it only saves embedding again
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    client = client_for(own_index, rasa)
    try:
        assert until(lambda: level_with_database(client)), "no index was built from the database"
        factory: sessionmaker[Session] = client.app.state.sessions  # type: ignore[attr-defined]
        with factory() as session:
            assert knowledge_version(session=session) == 2
        assert load_index(own_index.index_dir, TEST_EMBEDDER.name).guides.keys() == {g.guide.code for g in curated()}
    finally:
        client.__exit__(None, None, None)
