"""Prometheus metrics of one app process (prometheus-client), served at ``/metrics``.

    metrics = Metrics()                          # in the app factory: its own registry, no global one
    metrics.watch(sessions)                      # in the lifespan: queue gauges, answer and handoff counters
    with metrics.search_seconds.labels("api").time():
        outcome = knowledge.search(q)

Every label value comes from a fixed set (route templates, action names, the answer statuses, the
handoff reasons, skills x languages); anything else is counted as ``other``, so no citizen text or id
ever becomes a label (docs/operations.md lists the metrics).
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.context_managers import Timer
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from pydantic import BaseModel, Field
from sqlalchemy import event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as AsgiMessage

from api.handoff.skills import SKILLS
from db.base import aware, utcnow
from db.handoff import Ticket
from db.models import Message
from db.staff import StaffUser
from knowledge.guides import LANGUAGES

log = logging.getLogger("helpdesk.metrics")

OTHER = "other"
ANSWER_STATUSES = ("answered", "clarify", "unanswerable")
HANDOFF_REASONS = ("requested", "repeated_failure", "negative_feedback")
RASA_CALLS = ("message", "status", "event")
TURN_PATHS = ("bot", "rasa_unavailable", "person")  # Rasa answered / could not / a person owns the chat
SEARCH_CALLERS = ("chat", "api", "agent")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
UNMATCHED = "unmatched"  # no route: every 404 path is one label value
# A chat turn waits for Rasa (10 s timeout by default): the default buckets stop at 10 s.
TURN_BUCKETS = (0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0, 15.0, 30.0)


class MetricsSettings(BaseModel):
    """``HELPDESK_METRICS__*``: who may read ``/metrics`` (development: anyone)."""

    token: str = Field(default="", description="when set, /metrics needs 'Authorization: Bearer <token>' (any mode)")
    public: bool = Field(default=False, description="production without a token: serve /metrics to anyone (a private network)")


def may_scrape(*, config: MetricsSettings, development: bool, authorization: str | None) -> bool | None:
    """True to serve; False for a wrong or missing token (401); None when /metrics is hidden (404).

    A set token is always required; without one, development and ``public`` serve everyone.
    """
    if config.token:
        scheme, _, given = (authorization or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), config.token.encode())
    return True if development or config.public else None


def bounded(value: object, allowed: Iterable[str]) -> str:
    """`value` when it is one of `allowed`, else ``other``: label values stay a fixed set."""
    return value if isinstance(value, str) and value in allowed else OTHER


def status_class(status: int) -> str:
    """404 → '4xx'."""
    return f"{status // 100}xx" if 100 <= status < 600 else OTHER


class Metrics:
    """The app's metrics in their own registry (two apps in one process never share counts)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.chat_turn_seconds = Histogram(
            "helpdesk_chat_turn_seconds", "One citizen message, stored to replies stored", ["path"], buckets=TURN_BUCKETS, registry=r
        )
        self.rasa_seconds = Histogram("helpdesk_rasa_request_seconds", "Calls to the Rasa server", ["call", "outcome"], registry=r)
        self.action_seconds = Histogram(
            "helpdesk_action_seconds", "Custom action runs (Rasa -> /webhooks/actions)", ["action", "outcome"], registry=r
        )
        self.search_seconds = Histogram("helpdesk_search_seconds", "Knowledge searches, by caller", ["caller"], registry=r)
        self.answers = Counter("helpdesk_answers", "Answers stored in chats, by verdict", ["status"], registry=r)
        self.handoffs = Counter("helpdesk_handoffs", "Conversations handed to a person (tickets opened), by reason", ["reason"], registry=r)
        self.requests = Counter(
            "helpdesk_http_requests", "HTTP responses by route template", ["method", "route", "status_class"], registry=r
        )
        self.errors = Counter(
            "helpdesk_http_errors", "HTTP 4xx/5xx responses by route template", ["method", "route", "status_class"], registry=r
        )
        for status in (*ANSWER_STATUSES, OTHER):
            self.answers.labels(status)
        for reason in (*HANDOFF_REASONS, OTHER):
            self.handoffs.labels(reason)
        ProcessCollector(registry=r)  # process_cpu_seconds_total, process_resident_memory_bytes, open fds (Linux)
        self._queues = QueueCollector()
        r.register(self._queues)
        self._query_cache = QueryCacheCollector()
        r.register(self._query_cache)

    def watch(self, factory: sessionmaker[Session]) -> None:
        """Read the queues from `factory`'s database at scrape time; count answers and handoffs as they commit."""
        self._queues.factory = factory
        count_commits(factory, self)

    def watch_query_cache(self, embedder: object) -> None:
        """Hits and misses of the question-embedding cache (`knowledge.query_cache`), when `embedder` has one."""
        self._query_cache.embedder = embedder if callable(getattr(embedder, "info", None)) else None

    # ---- recording, with the label values bounded --------------------------------------------------

    def chat_turn(self, path: str, seconds: float) -> None:
        self.chat_turn_seconds.labels(bounded(path, TURN_PATHS)).observe(seconds)

    def rasa_call(self, call: str, ok: bool, seconds: float) -> None:
        self.rasa_seconds.labels(bounded(call, RASA_CALLS), "ok" if ok else "error").observe(seconds)

    def action_run(self, action: str, known: Iterable[str], outcome: str, seconds: float) -> None:
        self.action_seconds.labels(bounded(action, known), outcome).observe(seconds)

    def search(self, caller: str) -> Timer:
        """A timer: ``with metrics.search("api"): ...``."""
        return self.search_seconds.labels(bounded(caller, SEARCH_CALLERS)).time()

    def response(self, *, method: str, route: str, status: int) -> None:
        labels = (bounded(method, METHODS), route, status_class(status))
        self.requests.labels(*labels).inc()
        if status >= 400:
            self.errors.labels(*labels).inc()


def count_commits(factory: sessionmaker[Session], metrics: Metrics) -> None:
    """New answer messages and new tickets are counted when their transaction commits (not on rollback)."""

    @event.listens_for(factory, "after_flush")
    def _collect(session: Session, _context: Any) -> None:
        for obj in session.new:
            if isinstance(obj, Message) and obj.kind == "answer":
                status = ((obj.payload or {}).get("answer") or {}).get("status")
                session.info.setdefault("metrics", []).append((metrics.answers, bounded(status, ANSWER_STATUSES)))
            elif isinstance(obj, Ticket):
                session.info.setdefault("metrics", []).append((metrics.handoffs, bounded(obj.reason, HANDOFF_REASONS)))

    @event.listens_for(factory, "after_commit")
    def _count(session: Session) -> None:
        for counter, label in session.info.pop("metrics", []):
            counter.labels(label).inc()

    @event.listens_for(factory, "after_soft_rollback")
    def _forget(session: Session, _previous: Any) -> None:
        session.info.pop("metrics", None)


class QueueCollector(Collector):
    """Queue lengths (skill x language) and agents online, read from the database at each scrape."""

    def __init__(self) -> None:
        self.factory: sessionmaker[Session] | None = None

    def collect(self) -> Iterator[Metric]:
        if self.factory is None:
            return
        up = GaugeMetricFamily("helpdesk_database_up", "1 when the last scrape could read the queues from the database")
        try:
            with self.factory() as session:
                families = queue_families(session, utcnow())
        except SQLAlchemyError as exc:
            log.warning("queue metrics: the database could not be read: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families


class QueryCacheCollector(Collector):
    """The question-embedding cache's counts (functools' CacheInfo), read at each scrape."""

    def __init__(self) -> None:
        self.embedder: Any = None

    def collect(self) -> Iterator[Metric]:
        if self.embedder is None:
            return
        info = self.embedder.info()
        lookups = CounterMetricFamily(
            "helpdesk_query_embedding_cache", "Question embeddings looked up in the per-process cache", labels=["result"]
        )
        lookups.add_metric(["hit"], info.hits)
        lookups.add_metric(["miss"], info.misses)
        yield lookups
        size = GaugeMetricFamily("helpdesk_query_embedding_cache_entries", "Question embeddings held in the cache")
        size.add_metric([], info.currsize)
        yield size


def queue_families(session: Session, now: dt.datetime) -> list[Metric]:
    """Every queue (skill x language) has a value, 0 when empty; tickets outside them count as `other`."""
    rows = session.execute(
        select(Ticket.skill, Ticket.lang, Ticket.state, func.count(Ticket.id), func.min(Ticket.created_at))
        .where(Ticket.state.in_(("queued", "assigned")))
        .group_by(Ticket.skill, Ticket.lang, Ticket.state)
    ).all()
    found = [(bounded(skill, SKILLS), bounded(lang, LANGUAGES)) for skill, lang, *_ in rows]
    queues = list(dict.fromkeys([(skill, lang) for skill in SKILLS for lang in LANGUAGES] + found))
    waiting = dict.fromkeys(queues, 0)
    assigned = dict.fromkeys(queues, 0)
    oldest = dict.fromkeys(queues, 0.0)
    for queue, (_skill, _lang, state, count, first) in zip(found, rows, strict=True):
        if state == "assigned":
            assigned[queue] += count
            continue
        waiting[queue] += count
        first = aware(first)
        oldest[queue] = max(oldest[queue], (now - first).total_seconds())
    online = [a for a in session.scalars(select(StaffUser).where(StaffUser.status == "online")) if "agent" in (a.roles or [])]
    serving = dict.fromkeys(queues, 0)
    for skill, lang in queues:
        serving[(skill, lang)] = sum(1 for a in online if skill in (a.skills or []) and lang in (a.languages or []))

    def family(name: str, doc: str, values: Mapping[tuple[str, str], float]) -> GaugeMetricFamily:
        gauge = GaugeMetricFamily(name, doc, labels=["skill", "lang"])
        for (skill, lang), value in values.items():
            gauge.add_metric([skill, lang], value)
        return gauge

    agents = GaugeMetricFamily("helpdesk_agents_online", "Agents whose status is online")
    agents.add_metric([], len(online))
    return [
        family("helpdesk_queue_waiting", "Tickets waiting for an agent, per queue", waiting),
        family("helpdesk_queue_assigned", "Tickets an agent is handling, per queue", assigned),
        family("helpdesk_queue_oldest_wait_seconds", "How long the oldest waiting ticket has waited, per queue", oldest),
        family("helpdesk_queue_agents_online", "Online agents who serve the queue (its skill and language)", serving),
        agents,
    ]


def route_of(scope: Scope) -> str:
    """The matched route's template (``/api/chat/{conversation_id}/messages``), never the raw path."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else UNMATCHED


class RouteMetrics:
    """ASGI middleware: counts every HTTP response by method, route template and status class."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # an exception before the response started is a server error

        async def send_status(message: AsgiMessage) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self.metrics.response(method=scope["method"], route=route_of(scope), status=status)
