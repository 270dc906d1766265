"""Live push: events reach WebSocket subscribers once the transaction that made them commits.

    hub = Hub(); install(sessionmaker, hub)     # at startup
    queue = hub.subscribe("conversation:abc")   # in a WebSocket route; hub.unsubscribe(...) at the end

New `Message` rows are published to ``conversation:<id>`` automatically; service code adds
other events with `announce(session, channel, event)`. Alone, the hub reaches this process's
sockets only; with ``HELPDESK_HANDOFF__LIVE_URL`` set, `api.handoff.fanout.RedisRelay` carries every
event to the other app workers too. Either way the pages' 3-second polling still delivers (the push
only makes it instant).
"""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from db.models import Message

QUEUES = "queues"  # ticket created, claimed, transferred, resolved: the agent console refreshes


def conversation_channel(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


def message_event(message: Message) -> dict[str, Any]:
    payload = message.payload or {}
    return {
        "type": "message",
        "message": {
            "id": str(message.id),
            "sender": message.sender,
            "kind": message.kind,
            "text": message.text,
            "created_at": message.created_at.isoformat() if message.created_at else None,
            "agent": payload.get("agent"),
        },
    }


class Hub:
    """In-process publish/subscribe over asyncio queues; `publish` may be called from any thread."""

    def __init__(self) -> None:
        # Each queue with the loop of the socket that reads it: a test client may run a socket on a loop of its own.
        self._subscribers: dict[str, dict[asyncio.Queue[dict[str, Any]], asyncio.AbstractEventLoop]] = defaultdict(dict)
        self._lock = threading.Lock()
        self.relay: Callable[[str, dict[str, Any]], None] | None = None  # the other workers (api.handoff.fanout)

    def subscribe(self, channel: str) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=256)
        with self._lock:
            self._subscribers[channel][queue] = asyncio.get_running_loop()
        return queue

    def unsubscribe(self, channel: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        with self._lock:
            self._subscribers[channel].pop(queue, None)
            if not self._subscribers[channel]:
                del self._subscribers[channel]

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        """Deliver to this process's subscribers and hand the event to the relay, if any."""
        self.deliver(channel, event)
        if self.relay is not None:
            self.relay(channel, event)

    def deliver(self, channel: str, event: dict[str, Any]) -> None:
        """This process's subscribers only (the relay calls it with the other workers' events)."""
        with self._lock:
            subscribers = list(self._subscribers.get(channel, {}).items())
        for queue, loop in subscribers:
            if not loop.is_closed():
                loop.call_soon_threadsafe(_offer, queue, event)


def _offer(queue: asyncio.Queue[dict[str, Any]], event: dict[str, Any]) -> None:
    if not queue.full():  # a stalled subscriber misses pushes; its polling catches up
        queue.put_nowait(event)


def announce(session: Session, channel: str, event: dict[str, Any]) -> None:
    """Publish `event` on `channel` when this session's transaction commits (dropped on rollback)."""
    session.info.setdefault("live", []).append((channel, event))


def install(factory: sessionmaker[Session], hub: Hub) -> None:
    """Hook the session factory so that committed messages and announced events reach the hub."""

    @event.listens_for(factory, "after_flush")
    def _collect(session: Session, _context: Any) -> None:
        for obj in session.new:
            if isinstance(obj, Message):
                announce(session, conversation_channel(obj.conversation_id), message_event(obj))

    @event.listens_for(factory, "after_commit")
    def _publish(session: Session) -> None:
        for channel, payload in session.info.pop("live", []):
            hub.publish(channel, payload)

    @event.listens_for(factory, "after_soft_rollback")
    def _forget(session: Session, _previous: Any) -> None:
        session.info.pop("live", None)
