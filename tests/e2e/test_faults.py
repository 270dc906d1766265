"""Faults with real processes (docs/reliability.md): Rasa killed mid-conversation, the database away
for a while, the app killed during a publish, and `make run` (scripts/run.sh) restarting what dies.

The damaged-index-at-start faults are in tests/integration/test_faults.py (a real process adds
nothing there). Waits are bounded and generous, never asserted as timings.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text

from api.editor.publishing import bump_knowledge_version
from bench.product import free_port, scratch_postgres
from db.editorial import GuideEditorial, KnowledgeState
from db.models import Conversation, GuideRow, Message
from db.session import make_engine, make_sessionmaker, session_scope
from knowledge.index import current_build, read_manifest
from knowledge.repository import published_versions
from tests.conftest import POSTGRES_ADMIN_URL, ROOT
from tests.e2e.conftest import MODEL, Product, full_scale_knowledge, running_product
from tests.e2e.test_editor_e2e import bearer, pigeon_guide, to_review

pytestmark = [pytest.mark.e2e]
WAIT_S = 180.0  # Rasa loads its model in 20-40 s on a quiet machine; a loaded one is slower
REQUEST_HUMAN = "/request_human"
QUESTION = "Đăng ký thường trú cần giấy tờ gì?"


def until(condition: Callable[[], object], seconds: float = WAIT_S) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if result := condition():
                return result
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return None


def say(base: str, text: str, conversation_id: str | None = None) -> httpx.Response:
    return httpx.post(f"{base}/api/chat/messages", json={"conversation_id": conversation_id, "text": text, "lang": None}, timeout=60)


def answered(turn: httpx.Response) -> bool:
    return turn.status_code == 200 and any(m["kind"] == "answer" for m in turn.json()["messages"])


def is_notice_with_person_button(turn: httpx.Response) -> bool:
    messages = turn.json()["messages"]
    return messages[0]["kind"] == "notice" and [b["payload"] for b in messages[0]["buttons"]] == [REQUEST_HUMAN]


# ---- one product (full-scale index, a database linked to it) for the Rasa and publish faults -------------


@pytest.fixture(scope="module")
def product(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    work = tmp_path_factory.mktemp("faults")
    env = full_scale_knowledge(work)
    engine = make_engine(f"sqlite:///{work / 'app.db'}")
    with session_scope(make_sessionmaker(engine)) as session:  # as `make index` leaves it: the database names its build
        bump_knowledge_version(session=session, build_id=current_build(Path(env["HELPDESK_INDEX_DIR"])).name)
    engine.dispose()
    env |= {"HELPDESK_HANDOFF__ALWAYS_OPEN": "true", "HELPDESK_LIMITS__CHAT_PER_CONVERSATION": "600/minute"}
    with running_product(work, env=env, seed_demo=True) as running:
        yield running


def test_rasa_killed_mid_conversation(product: Product) -> None:
    base = product.app_url
    first = say(base, QUESTION)
    assert answered(first), first.text
    cid = first.json()["conversation_id"]

    product.kill("rasa")
    during = say(base, "Còn lệ phí thì sao?", cid)
    assert during.status_code == 200 and is_notice_with_person_button(during), during.text
    history = httpx.get(f"{base}/api/chat/{cid}/messages", timeout=30).json()["messages"]
    assert [m["text"] for m in history if m["sender"] == "citizen"] == [QUESTION, "Còn lệ phí thì sao?"]  # nothing typed is lost

    other = say(base, "Tôi cần hỏi về hộ khẩu")
    handed = say(base, REQUEST_HUMAN, other.json()["conversation_id"])  # the notice's button, pressed while Rasa is down
    assert handed.status_code == 200 and handed.json()["state"] == "waiting", handed.text
    assert [m["kind"] for m in handed.json()["messages"]][0] == "handoff"

    product.start("rasa")  # on the same port, the same model
    after = say(base, QUESTION, cid)
    assert answered(after), after.text


def test_app_killed_during_a_publish(product: Product) -> None:
    assert product.processes is not None
    base, env = product.app_url, product.processes.env
    index_dir = Path(env["HELPDESK_INDEX_DIR"])
    guide = {**pigeon_guide(), "code": "9.000021"}
    lock = to_review(base, bearer(product, "editor1"), guide)
    editor2 = bearer(product, "editor2")
    builds_before = {p.name for p in index_dir.iterdir() if p.is_dir()}
    current_before = current_build(index_dir).name

    def publish() -> None:
        with contextlib.suppress(httpx.HTTPError):  # the app dies under it
            httpx.post(f"{base}/api/editor/guides/9.000021/publish", json={"lock_version": lock}, headers=editor2, timeout=120)

    thread = threading.Thread(target=publish)
    thread.start()
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline and thread.is_alive():  # kill as soon as the new build starts being written
        if {p.name for p in index_dir.iterdir() if p.is_dir()} - builds_before or current_build(index_dir).name != current_before:
            break
        time.sleep(0.002)
    product.kill("app")
    thread.join()
    product.start("app")

    engine = make_engine(env["HELPDESK_DATABASE_URL"])
    factory = make_sessionmaker(engine)

    def consistent() -> str | None:
        """The guide's state once the served build, CURRENT and the database's committed build all agree."""
        with factory() as session:
            workflow = select(GuideEditorial.status).join(GuideRow, GuideRow.id == GuideEditorial.guide_id)
            status = session.scalar(workflow.where(GuideRow.code == "9.000021"))
            versions, state = published_versions(session=session), session.get(KnowledgeState, 1)
        ready = httpx.get(f"{base}/api/health/ready", headers=editor2, timeout=30).json()
        served = ready["checks"]["index"].get("build_id")
        level = served == state.build_id == current_build(index_dir).name and read_manifest(index_dir)["guide_versions"] == versions
        return status if level else None

    try:
        status = until(consistent, 60)
        assert status in ("in_review", "published"), f"the database and the index did not agree after the restart: {status}"
        print(f"\nafter the kill and a restart the guide is {status}")
        if status == "in_review":  # the publish did not happen: it can be redone
            editor2 = bearer(product, "editor2")
            detail = httpx.get(f"{base}/api/editor/guides/9.000021", headers=editor2, timeout=30).json()
            redone = httpx.post(
                f"{base}/api/editor/guides/9.000021/publish", json={"lock_version": detail["lock_version"]}, headers=editor2, timeout=120
            )
            assert redone.status_code == 200, redone.text
        assert until(consistent, 60) == "published"
        found = httpx.get(f"{base}/api/search", params={"q": "Nuôi chim bồ câu đưa thư cần giấy tờ gì?"}, timeout=30).json()
        assert "9.000021" in [r["code"] for r in found["results"][:3]]
    finally:
        engine.dispose()


# ---- the database away for a while (PostgreSQL) ------------------------------------------------------------


@pytest.fixture
def postgres_url(postgres_admin: str) -> Iterator[str]:
    with scratch_postgres(postgres_admin, "helpdesk_faults") as url:
        yield url


def set_reachable(database: str, reachable: bool) -> None:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(reachable).lower()}'))
        if not reachable:  # and the app's pooled connections are cut
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"), {"d": database})
    admin.dispose()


def test_database_unreachable_for_a_while(postgres_url: str, tmp_path: Path) -> None:
    database = postgres_url.rsplit("/", 1)[1]
    with running_product(tmp_path, env={"HELPDESK_DATABASE_URL": postgres_url}, rasa=False) as app:
        before = say(app.app_url, "xin chào")
        assert before.status_code == 200, before.text  # the "briefly unavailable" notice: no Rasa here
        cid = before.json()["conversation_id"]

        set_reachable(database, False)
        try:
            for conversation_id in (cid, None):
                refused = say(app.app_url, "tin nhắn lúc mất kết nối", conversation_id)
                assert refused.status_code == 503, refused.text
                assert int(refused.headers["Retry-After"]) > 0 and "thử lại" in refused.json()["detail"]
            assert httpx.get(f"{app.app_url}/api/health/live", timeout=10).status_code == 200
        finally:
            set_reachable(database, True)

        after = until(lambda: (r := say(app.app_url, "tin nhắn sau khi có lại", cid)).status_code == 200 and r, 60)
        assert after, "the app did not recover without a restart"
        assert app.processes is not None and app.processes.running["app"].poll() is None  # the same process

    engine = make_engine(postgres_url)
    with session_scope(make_sessionmaker(engine)) as session:  # no half-written turn: each message has its reply, or is absent
        texts = [(m.sender, m.text) for m in session.scalars(select(Message).order_by(Message.created_at, Message.id))]
        conversations = session.scalar(select(func.count()).select_from(Conversation))
    engine.dispose()
    assert [sender for sender, _ in texts] == ["citizen", "system", "citizen", "system"], texts
    assert "tin nhắn lúc mất kết nối" not in [t for _, t in texts] and conversations == 1


# ---- make run: scripts/run.sh supervises Rasa and the app ---------------------------------------------------


def started_pids(log: Path, name: str) -> list[int]:
    return [int(pid) for pid in re.findall(rf"\[supervise\] {name}: started \(pid (\d+)\)", log.read_text())]


def test_make_run_restarts_a_crashed_rasa_while_the_app_keeps_serving(tmp_path: Path) -> None:
    if not MODEL.exists():
        pytest.skip("no trained model: run `make setup` first")
    app_port, rasa_port = free_port(), free_port()
    base = f"http://127.0.0.1:{app_port}"
    env = {
        **os.environ,
        "HELPDESK_MODE": "development",
        "HELPDESK_PORT": str(app_port),
        "HELPDESK_RASA_PORT": str(rasa_port),
        "HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "HELPDESK_RASA_LOG": str(tmp_path / "rasa.log"),
        "HELPDESK_LIMITS__CHAT_PER_ADDRESS": "600/minute",
    }
    subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "api", "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)
    log = tmp_path / "run.log"
    with log.open("w") as out:
        run = subprocess.Popen([str(ROOT / "scripts/run.sh")], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        first = until(lambda: answered(r := say(base, QUESTION)) and r)
        assert first, f"make run did not answer; log:\n{log.read_text()[-3000:]}"
        cid = first.json()["conversation_id"]  # type: ignore[union-attr]

        rasa_pid = started_pids(log, "rasa")[-1]
        os.kill(rasa_pid, signal.SIGKILL)
        assert httpx.get(f"{base}/api/health/live", timeout=10).status_code == 200
        during = say(base, "Còn lệ phí thì sao?", cid)
        assert during.status_code == 200 and is_notice_with_person_button(during), during.text
        assert until(lambda: started_pids(log, "rasa")[-1] != rasa_pid, 30), "the supervisor did not restart Rasa"
        assert until(lambda: answered(say(base, QUESTION, cid))), "Rasa did not come back"

        app_pid = started_pids(log, "app")[-1]
        os.kill(app_pid, signal.SIGKILL)  # the app is supervised too
        assert until(lambda: started_pids(log, "app")[-1] != app_pid, 30), "the supervisor did not restart the app"
        assert until(lambda: httpx.get(f"{base}/api/health/live", timeout=5).status_code == 200), "the app did not come back"
        assert answered(say(base, QUESTION, cid))
    finally:
        run.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            run.wait(timeout=60)
        except subprocess.TimeoutExpired:
            run.kill()
    children = [*started_pids(log, "rasa"), *started_pids(log, "app")]
    assert not [pid for pid in children if _alive(pid)], f"processes left after Ctrl-C; log:\n{log.read_text()[-2000:]}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
