"""The live hub fanned out over Redis pub/sub (api/handoff/fanout.py): two hubs stand for two app workers,
on a private redis-server (skipped without the binary, except with CI=true)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis

from api.handoff.fanout import RedisRelay
from api.handoff.live import Hub
from bench.product import free_port
from tests.conftest import IN_CI

WAIT_S = 10.0  # bounded wait for an event to cross Redis


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if shutil.which("redis-server") is None:
        if IN_CI:
            pytest.fail("redis-server is required with CI=true (apt-get install redis-server)")
        pytest.skip("redis-server is not installed")
    port = free_port()
    work: Path = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(work)], stdout=subprocess.DEVNULL
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=10)


async def worker(url: str, prefix: str) -> tuple[Hub, RedisRelay]:
    hub = Hub()
    relay = RedisRelay(hub, url, prefix=prefix)
    await relay.start()
    await asyncio.wait_for(relay.subscribed.wait(), WAIT_S)
    return hub, relay


@pytest.fixture
async def two_workers(redis_url: str) -> AsyncIterator[tuple[Hub, Hub]]:
    prefix = f"test{uuid.uuid4().hex[:8]}"  # pub/sub channels are server-wide: each test its own
    (a, relay_a), (b, relay_b) = await worker(redis_url, prefix), await worker(redis_url, prefix)
    yield a, b
    await relay_a.stop()
    await relay_b.stop()


async def test_an_event_published_on_one_worker_reaches_the_other_in_order(two_workers: tuple[Hub, Hub]) -> None:
    a, b = two_workers
    remote = b.subscribe("conversation:c1")
    for n in range(20):
        a.publish("conversation:c1", {"type": "message", "n": n})
    got = [await asyncio.wait_for(remote.get(), WAIT_S) for _ in range(20)]
    assert [e["n"] for e in got] == list(range(20))


async def test_the_publishing_worker_delivers_once(two_workers: tuple[Hub, Hub]) -> None:
    a, b = two_workers
    local, remote = a.subscribe("conversation:c2"), b.subscribe("conversation:c2")
    a.publish("conversation:c2", {"type": "message", "n": 1})
    assert (await asyncio.wait_for(remote.get(), WAIT_S))["n"] == 1  # it has crossed Redis …
    b.publish("conversation:c2", {"type": "message", "n": 2})  # … and so has the next one, back to a
    assert (await asyncio.wait_for(local.get(), WAIT_S))["n"] == 1
    assert (await asyncio.wait_for(local.get(), WAIT_S))["n"] == 2
    assert local.empty()  # a's own event came from a at once, not a second time from Redis


async def test_other_channels_are_not_delivered(two_workers: tuple[Hub, Hub]) -> None:
    a, b = two_workers
    other, wanted = b.subscribe("conversation:other"), b.subscribe("conversation:c3")
    a.publish("conversation:c3", {"n": 3})
    assert (await asyncio.wait_for(wanted.get(), WAIT_S))["n"] == 3
    assert other.empty()


async def test_without_redis_the_local_sockets_still_get_their_events() -> None:
    hub = Hub()
    relay = RedisRelay(hub, f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    await relay.start()
    local = hub.subscribe("conversation:c4")
    hub.publish("conversation:c4", {"n": 4})
    assert (await asyncio.wait_for(local.get(), WAIT_S))["n"] == 4
    await asyncio.sleep(0.2)  # the publisher and listener meet the refused connection, log and carry on
    assert not relay.subscribed.is_set()
    await relay.stop()
