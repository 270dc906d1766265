"""The live hub across app workers: every event a worker publishes reaches the subscribers of all of them.

    relay = RedisRelay(hub, "redis://127.0.0.1:6379/0")   # HELPDESK_HANDOFF__LIVE_URL
    await relay.start()                                   # in the lifespan
    ...
    await relay.stop()

Each worker delivers its own events to its own sockets at once (as without a relay), and sends
them to Redis pub/sub on ``<prefix>:live:<channel>`` tagged with its origin id; one subscription
per worker (a pattern on ``<prefix>:live:*``) hands the other workers' events to its local
sockets. Events keep their order per worker: one task sends them in the order they were committed.
Redis down means no cross-worker push, nothing else: the pages' 3-second polling still delivers,
the relay logs once and reconnects with a back-off.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from typing import Any

import redis.asyncio as redis
from redis.exceptions import RedisError

from api.handoff.live import Hub

log = logging.getLogger("helpdesk.handoff")

BACKLOG = 10_000  # events waiting for Redis; beyond it they are dropped (polling delivers them)
RECONNECT_DELAYS_S = (0.5, 1.0, 2.0, 5.0)


class RedisRelay:
    """Fans a `Hub` out over Redis pub/sub; `hub.relay` is set to it by `start`."""

    def __init__(self, hub: Hub, url: str, *, prefix: str = "helpdesk") -> None:
        self._hub = hub
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=None, health_check_interval=30)
        self._prefix = f"{prefix}:live:"
        self._origin = uuid.uuid4().hex
        self._outbox: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue(maxsize=BACKLOG)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.subscribed = asyncio.Event()  # set once the subscription is active (tests wait for it)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._hub.relay = self.send
        self._tasks = [asyncio.create_task(self._publisher()), asyncio.create_task(self._listener())]

    async def stop(self) -> None:
        self._hub.relay = None
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._redis.aclose()

    def send(self, channel: str, event: dict[str, Any]) -> None:
        """Queue an event for the other workers; callable from any thread (the hub calls it on commit)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._enqueue, channel, event)

    def _enqueue(self, channel: str, event: dict[str, Any]) -> None:
        if not self._outbox.full():
            self._outbox.put_nowait((channel, event))

    async def _publisher(self) -> None:
        failing = False
        while True:
            channel, event = await self._outbox.get()
            body = json.dumps({"origin": self._origin, "event": event}, ensure_ascii=False)
            try:
                await self._redis.publish(self._prefix + channel, body)
                failing = False
            except RedisError as exc:  # the event is lost for the other workers; their polling delivers it
                if not failing:
                    log.warning("live relay: cannot publish to Redis (%s); other workers fall back to polling", exc)
                failing = True

    async def _listener(self) -> None:
        attempt = 0
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.psubscribe(self._prefix + "*")
                    self.subscribed.set()
                    attempt = 0
                    async for message in pubsub.listen():
                        if message["type"] == "pmessage":
                            self._deliver(message["channel"], message["data"])
            except (RedisError, OSError) as exc:
                self.subscribed.clear()
                delay = RECONNECT_DELAYS_S[min(attempt, len(RECONNECT_DELAYS_S) - 1)]
                if attempt == 0:
                    log.warning("live relay: Redis subscription lost (%s); retrying every %s s at most", exc, RECONNECT_DELAYS_S[-1])
                attempt += 1
                await asyncio.sleep(delay)

    def _deliver(self, channel: bytes | str, data: bytes | str) -> None:
        body = json.loads(data)
        if body.get("origin") == self._origin:
            return  # delivered locally already
        name = channel.decode() if isinstance(channel, bytes) else channel
        self._hub.deliver(name.removeprefix(self._prefix), body["event"])
