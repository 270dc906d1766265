"""NUL characters refused at the edge, before any route runs.

PostgreSQL stores no U+0000 in a text or JSON column, and psycopg refuses to send one: a NUL that
reaches a query (a chat message, a conversation id, a username) was a 500. Nobody types one, so
a request carrying one in its path, its query string or its JSON or form body is answered 400.
Multipart bodies (the editor's zip import) are binary and pass; their records are read on their own.

    app.add_middleware(RefuseNul)
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REFUSAL = "the request contains a NUL character (U+0000), which no field accepts; remove it and send it again"


def has_nul(value: Any) -> bool:
    """Whether a decoded JSON value holds U+0000 in any string or key."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def checked_media(content_type: str) -> str | None:
    """Which kind of body is read here: JSON (also without a content type, as FastAPI reads it), a form, or None (multipart, binary)."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        return "form"
    return "json" if media in ("", "application/json") or media.endswith("+json") else None


def body_has_nul(media: str, body: bytes) -> bool:
    """A raw 0x00, or a NUL that a JSON ``\\u0000`` or a form's ``%00`` decodes to."""
    if media == "form":
        return b"\x00" in body or "\x00" in unquote_plus(body.decode("latin-1"))
    if b"\x00" in body:
        return True
    if b"\\u0000" not in body:  # the only other way JSON writes a NUL
        return False
    try:
        return has_nul(json.loads(body))
    except ValueError:
        return False  # not JSON: the route's own validation answers 422


class RefuseNul:
    """400 for an HTTP request with U+0000 in its path, query or JSON/form body (see the module's docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or "\x00" in unquote_plus(scope.get("query_string", b"").decode("latin-1")):
            await JSONResponse({"detail": REFUSAL}, status_code=400)(scope, receive, send)
            return
        media = checked_media(Headers(scope=scope).get("content-type", ""))
        if media is None:
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        while True:  # JSON and form bodies are small (the chat's 2,000 characters, a guide); upload routes are multipart
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        if body_has_nul(media, b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")):
            await JSONResponse({"detail": REFUSAL}, status_code=400)(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)
