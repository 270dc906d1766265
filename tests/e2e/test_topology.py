"""The production topology through nginx (bench/topology.py, as `make run-prod` starts it): 2 app workers on
PostgreSQL, 2 Rasa servers on Redis trackers and locks, the live hub fanned out over Redis.

Turns go through nginx or straight to one worker by its port; which Rasa server answered a turn is read
from nginx's access log of the Rasa upstream. Bad input at the end: a Rasa server killed under load,
Redis stopped. Waits are bounded, nothing is timed.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator

import httpx
import pytest
from websockets.sync.client import connect

from bench.topology import Topology, running_topology
from tests.conftest import IN_CI
from tests.e2e.conftest import INDEX
from tests.e2e.test_editor_e2e import bearer, pigeon_guide, store_served_guides, to_review

pytestmark = pytest.mark.e2e
WAIT_S = 60.0
PASSPORT = "Làm hộ chiếu cần giấy tờ gì?"
FEE = "lệ phí bao nhiêu?"
UNAVAILABLE_START = "Xin lỗi, trợ lý đang tạm gián đoạn"


@pytest.fixture(scope="module")
def topo(tmp_path_factory: pytest.TempPathFactory, postgres_admin: str) -> Iterator[Topology]:
    for binary in ("nginx", "redis-server"):
        if shutil.which(binary) is None and shutil.which(binary, path="/usr/sbin") is None:
            if IN_CI:
                pytest.fail(f"{binary} is required with CI=true (make test installs nginx; apt-get install redis-server)")
            pytest.skip(f"{binary} is not installed")
    work = tmp_path_factory.mktemp("topology")
    shutil.copytree(INDEX, work / "index", ignore=shutil.ignore_patterns(".build.lock"))  # the publish test writes to it
    env = {"HELPDESK_INDEX_DIR": str(work / "index"), "HELPDESK_HANDOFF__ALWAYS_OPEN": "true"}
    with running_topology(
        work,
        env=env,
        seed_demo=True,
        admin_url=postgres_admin,
        before_start=lambda e: store_served_guides(e["HELPDESK_DATABASE_URL"], work / "index"),
    ) as running:
        yield running


def say(base: str, text: str, conversation_id: str | None = None) -> dict:
    response = httpx.post(f"{base}/api/chat/messages", json={"conversation_id": conversation_id, "text": text, "lang": None}, timeout=60)
    response.raise_for_status()
    return response.json()


def answer_of(turn: dict) -> dict:
    [message] = [m for m in turn["messages"] if m["kind"] == "answer"]
    return message


def transcript(topo: Topology, conversation_id: str) -> list[dict]:
    response = httpx.get(f"{topo.url}/api/chat/{conversation_id}/messages", timeout=30)
    response.raise_for_status()
    return response.json()["messages"]


def rasa_served(topo: Topology) -> list[str]:
    """The Rasa server (host:port) of every chat turn so far, in order, from nginx's access log."""
    lines = (topo.nginx_dir / "access-rasa.log").read_text().splitlines()
    return [line.split()[-1] for line in lines if " POST /webhooks/rest/webhook " in line]


def until(condition: Callable[[], object], seconds: float = WAIT_S) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.3)
    return None


def assert_turns_kept(messages: list[dict], sent: list[str]) -> None:
    """The citizen's messages exactly once each and in order; after each, one reply (no reply twice)."""
    assert [m["text"] for m in messages if m["sender"] == "citizen"] == sent
    groups: list[list[dict]] = []
    for message in messages:
        if message["sender"] == "citizen":
            groups.append([])
        else:
            groups[-1].append(message)
    for text, replies in zip(sent, groups, strict=True):
        kinds = [m["kind"] for m in replies]
        assert len(replies) == 1 or kinds.count("answer") <= 1, f"{text!r} answered {kinds}"
        assert len({m["text"] for m in replies}) == len(replies), f"{text!r} got a reply twice: {replies}"


def test_conversations_keep_their_context_across_workers_and_rasa_servers(topo: Topology) -> None:
    a, b = topo.app_urls
    conversations: list[tuple[str, str]] = []
    for n in range(3):  # first questions on alternating workers, then each follow-up on the other one
        first = say((a, b)[n % 2], PASSPORT)
        conversations.append((first["conversation_id"], answer_of(first)["answer"]["procedures"][0]["code"]))
    servers: dict[str, list[str]] = {cid: [rasa_served(topo)[-1 - (2 - n)]] for n, (cid, _) in enumerate(conversations)}
    for n, (cid, code) in enumerate(conversations):
        follow = answer_of(say((b, a)[n % 2], FEE, cid))
        servers[cid].append(rasa_served(topo)[-1])
        assert follow["answer"]["procedures"][0]["code"] == code, "the follow-up lost the procedure"
        assert follow["answer"]["aspect"] == "fee"
        third = answer_of(say(topo.url, FEE, cid))  # and once more through nginx
        assert third["answer"]["procedures"][0]["code"] == code
        servers[cid].append(rasa_served(topo)[-1])
    assert any(len(set(s)) == 2 for s in servers.values()), f"no conversation moved between Rasa servers: {servers}"
    assert set(rasa_served(topo)) == {u.removeprefix("http://") for u in topo.rasa_urls}
    for cid, _ in conversations:
        assert_turns_kept(transcript(topo, cid), [PASSPORT, FEE, FEE])


def open_socket(base: str, conversation_id: str):  # noqa: ANN201 - websockets' ClientConnection
    return connect(f"{base.replace('http://', 'ws://')}/api/chat/{conversation_id}/ws", open_timeout=WAIT_S)


def agent_message(socket, seconds: float = WAIT_S) -> dict:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        event = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
        if event["type"] == "message" and event["message"]["sender"] == "agent":
            return event["message"]
    raise AssertionError("no agent message on the citizen's socket")


@pytest.mark.parametrize("socket_on", [0, 1, "nginx"])
def test_an_agent_message_reaches_the_citizen_whichever_worker_holds_the_socket(topo: Topology, socket_on: int | str) -> None:
    citizen_base = topo.url if socket_on == "nginx" else topo.app_urls[socket_on]
    agent_base = topo.app_urls[1] if socket_on in (0, "nginx") else topo.app_urls[0]
    cid = say(topo.url, "Đăng ký thường trú cần giấy tờ gì?")["conversation_id"]
    assert say(citizen_base, "tôi muốn gặp tổng đài viên", cid)["state"] == "waiting"
    staff = bearer(topo, "agent1")
    ticket = httpx.post(f"{agent_base}/api/agent/tickets/next", headers=staff, timeout=30).raise_for_status().json()
    assert ticket["conversation_id"] == cid
    with open_socket(citizen_base, cid) as socket:
        time.sleep(0.5)  # the socket's subscription is made once it is accepted
        text = f"Chào anh/chị, tôi là tổng đài viên ({socket_on})."
        sent = httpx.post(f"{agent_base}/api/agent/tickets/{ticket['id']}/messages", json={"text": text}, headers=staff, timeout=30)
        assert sent.status_code == 201, sent.text
        assert agent_message(socket)["text"] == text
    for base in topo.app_urls:  # and by polling, on every worker
        messages = httpx.get(f"{base}/api/chat/{cid}/messages", timeout=30).raise_for_status().json()["messages"]
        assert [m["text"] for m in messages if m["sender"] == "agent"] == [text]
    resolved = httpx.post(f"{agent_base}/api/agent/tickets/{ticket['id']}/resolve", json={"disposition": "answered"}, headers=staff)
    assert resolved.status_code == 200


def test_a_publish_is_served_by_every_worker(topo: Topology) -> None:
    editor1, editor2 = bearer(topo, "editor1"), bearer(topo, "editor2")
    lock = to_review(topo.app_urls[0], editor1, pigeon_guide())
    published = httpx.post(
        f"{topo.app_urls[0]}/api/editor/guides/9.000001/publish", json={"lock_version": lock}, headers=editor2, timeout=60
    )
    assert published.status_code == 200, published.text

    def served(base: str) -> bool:
        results = httpx.get(f"{base}/api/search", params={"q": "chim bồ câu đưa thư"}, timeout=30).json()["results"]
        return any(hit["code"] == "9.000001" for hit in results)

    for base in topo.app_urls:
        assert until(lambda base=base: served(base)), f"{base} does not serve the published guide within {WAIT_S} s"


def test_a_rasa_server_killed_under_load_loses_no_turn_and_answers_none_twice(topo: Topology) -> None:
    conversations = [say(topo.url, PASSPORT)["conversation_id"] for _ in range(4)]
    sent: dict[str, list[str]] = {cid: [PASSPORT] for cid in conversations}
    failures: list[BaseException] = []
    stop = threading.Event()

    def chat(cid: str) -> None:
        try:
            while not stop.is_set():
                sent[cid].append(FEE)
                say(topo.url, FEE, cid)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=chat, args=(cid,)) for cid in conversations]
    for thread in threads:
        thread.start()
    until(lambda: len(rasa_served(topo)) > 0 and sum(map(len, sent.values())) > 12)
    topo.kill("rasa1")
    served_before = len(rasa_served(topo))
    until(lambda: len(rasa_served(topo)) > served_before + 12)  # turns go on with one server
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    try:
        assert not failures, failures
        for cid in conversations:
            messages = transcript(topo, cid)
            assert_turns_kept(messages, sent[cid])
            after = answer_of(say(topo.url, FEE, cid))  # the conversation goes on, on the other server, with its procedure
            assert after["answer"]["aspect"] == "fee" and "hộ chiếu" in after["text"]
            tracker = httpx.get(f"{topo.rasa_urls[1]}/conversations/{cid}/tracker", params={"token": topo.rasa_token}, timeout=30).json()
            in_rasa = Counter(e["text"] for e in tracker["events"] if e["event"] == "user")
            assert in_rasa <= Counter([*sent[cid], FEE]), "Rasa saw a turn the app did not send, or one twice"
    finally:
        topo.start("rasa1")


def test_with_redis_unreachable_the_assistant_is_briefly_unavailable_and_keeps_the_messages(topo: Topology) -> None:
    cid = say(topo.url, PASSPORT)["conversation_id"]
    topo.kill("redis")
    try:
        turn = say(topo.url, FEE, cid)
        assert [m["text"][: len(UNAVAILABLE_START)] for m in turn["messages"]] == [UNAVAILABLE_START]
        assert [m["text"] for m in transcript(topo, cid) if m["sender"] == "citizen"] == [PASSPORT, FEE]
    finally:
        topo.start("redis")
    assert until(lambda: any(m["kind"] == "answer" for m in say(topo.url, PASSPORT, cid)["messages"]))  # back once Redis is
