"""Logs: one JSON line per record, with the request's id, redacted before any handler writes it.

`configure_logging(settings.log)` (called by the app factory) gives the root logger one stderr
handler, routes uvicorn's loggers through it and silences uvicorn's own access log, which
prints query strings: `RequestLogMiddleware` writes the access line instead (method, path
without the query string, status, duration) and gives every HTTP request and WebSocket one
request id, taken from a client's ``X-Request-ID`` only when it is in a safe format, and
returned in the response's ``X-Request-ID``. Fields of a line: docs/architecture.md, "Logs".

    >>> scrub("Bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl from 0912 345 678")
    'Bearer [token] from [số điện thoại]'
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote_plus

from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.privacy import redact

HEADER = "X-Request-ID"
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
access_log = logging.getLogger("helpdesk.access")


class LogSettings(BaseModel):
    """``HELPDESK_LOG__LEVEL``, ``HELPDESK_LOG__FORMAT``."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["json", "text"] = Field(default="json", description="json lines, or text for reading in a terminal")


# ---- context: request id and conversation id -----------------------------------------------------------


@dataclass
class LogContext:
    """Mutable on purpose: an endpoint that learns the conversation id sets it here, and the access
    line written after the response (in the middleware's context) carries it too."""

    request_id: str
    conversation_id: str | None = None


_context: ContextVar[LogContext | None] = ContextVar("helpdesk_log_context", default=None)


def current() -> LogContext | None:
    return _context.get()


def request_id() -> str | None:
    context = _context.get()
    return context.request_id if context else None


def safe_request_id(value: str | None) -> str:
    """The client's id when it is 1-64 letters, digits, '.', '_' or '-'; else a new random one."""
    if value and SAFE_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def bind(*, conversation_id: str | None = None, request_id: str | None = None) -> None:
    """Name the conversation (and adopt a safe request id carried from another hop) for the
    rest of this request's lines."""
    context = _context.get()
    if context is None:
        return
    if conversation_id:
        context.conversation_id = str(conversation_id)[:64]
    if request_id and SAFE_REQUEST_ID.fullmatch(request_id):
        context.request_id = request_id


@contextmanager
def request_context(request_id: str | None = None) -> Iterator[LogContext]:
    context = LogContext(request_id=safe_request_id(request_id))
    token = _context.set(context)
    try:
        yield context
    finally:
        _context.reset(token)


# ---- redaction ------------------------------------------------------------------------------------------

_SECRETS = [
    (re.compile(r"(?i)\bbearer\s+[^\s\"',;]+"), "Bearer [token]"),
    (re.compile(r"\beyJ[\w-]*\.[\w-]+\.[\w-]*"), "[jwt]"),  # JWT: base64url of '{"' then two more parts
    (
        re.compile(r"(?i)\b(token|ticket|access_token|id_token|refresh_token|code|state|password|secret|session)=[^&\s\"']+"),
        r"\1=[redacted]",
    ),
]


_QUERY = re.compile(r"\?[^\s\"']+")


def scrub(text: str) -> str:
    """Tokens (bearer values, JWTs, ``token=``/``ticket=``… values), then e-mails, ID and phone numbers;
    query strings are decoded first, so that ``q=0912+345+678`` is a phone number too."""
    text = _QUERY.sub(lambda query: unquote_plus(query.group()), text)
    for pattern, placeholder in _SECRETS:
        text = pattern.sub(placeholder, text)
    return redact(text)


class RedactionFilter(logging.Filter):
    """Rewrites the record's message (and traceback) redacted; attached to every handler of ours."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the format: keep the format alone
            message = str(record.msg)
        record.msg, record.args = scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class ContextFilter(logging.Filter):
    """Stamps the request and conversation id of the current context on the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get()
        if not hasattr(record, "request_id"):
            record.request_id = context.request_id if context else None
        if not hasattr(record, "conversation_id"):
            record.conversation_id = context.conversation_id if context else None
        return True


# ---- formatting -----------------------------------------------------------------------------------------

EXTRA_FIELDS = ("method", "path", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ms), level, logger, message, request_id, conversation_id,
    the access fields when present (method, path, status, duration_ms) and exc (the traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "conversation_id": getattr(record, "conversation_id", None),
        }
        line.update({name: getattr(record, name) for name in EXTRA_FIELDS if hasattr(record, name)})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exc"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(conversation_id)s] %(message)s"


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time (pytest swaps it between tests)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def make_handler(settings: LogSettings, stream: Any = None) -> logging.Handler:
    """Our filters and format on a handler to `stream` (stderr, as it is at each line, by default)."""
    handler = logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactionFilter())
    handler.setFormatter(JsonFormatter() if settings.format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.set_name("helpdesk")
    return handler


def configure_logging(settings: LogSettings) -> None:
    """Idempotent: replaces the handler installed by an earlier call, leaves others' handlers alone."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "helpdesk"]:
        root.removeHandler(old)
    root.addHandler(make_handler(settings))
    root.setLevel(settings.level)
    for name in ("uvicorn", "uvicorn.error"):  # uvicorn's startup, errors and WebSocket lines: through ours
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    uvicorn_access = logging.getLogger("uvicorn.access")  # full URLs, query strings included: replaced by ours
    uvicorn_access.handlers.clear()
    uvicorn_access.propagate, uvicorn_access.disabled = False, True
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLevelName(settings.level)))  # a line per call to Rasa


# ---- the middleware -------------------------------------------------------------------------------------


class RequestLogMiddleware:
    """Pure ASGI (no task switch), so the context it sets is the one the endpoint runs in."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        sent = dict(scope.get("headers") or []).get(HEADER.lower().encode(), b"")
        outcome: dict[str, int] = {"status": 500}
        started = time.perf_counter()
        with request_context(sent.decode("latin-1")) as context:

            async def send_with_id(message: Message) -> None:
                if message["type"] == "http.response.start":
                    outcome["status"] = message["status"]
                    message["headers"] = [*message.get("headers", []), (HEADER.lower().encode(), context.request_id.encode())]
                elif message["type"] == "websocket.accept":
                    outcome["status"] = 101
                elif message["type"] == "websocket.close":
                    outcome["status"] = message.get("code", 1000)  # closed by the app: 4401, 4403, 1000
                await send(message)

            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                access_log.exception("unhandled error")
                raise
            finally:
                duration_ms = round((time.perf_counter() - started) * 1000, 1)
                method, path = scope.get("method", "WS"), scrub(scope["path"])
                access_log.info(
                    "%s %s %s %.1f ms",
                    method,
                    path,
                    outcome["status"],
                    duration_ms,
                    extra={"method": method, "path": path, "status": outcome["status"], "duration_ms": duration_ms},
                )
