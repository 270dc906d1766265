"""Request bodies capped before they are parsed, on the routes that take uploads.

A declared ``Content-Length`` over the limit is refused at once, without reading a byte; a body
without one (chunked) is counted as it streams and refused as soon as it passes the limit — the
multipart parser would otherwise spool any size to disk. Both are 413 naming the limit.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MB = 1024 * 1024


def megabytes(size: int) -> str:
    return f"{round(size / MB, 1):g} MB"


def too_large(size: int | None, limit: int) -> str:
    """The 413 message: "the upload is 12.3 MB; the limit is 5 MB" (or "more than 5 MB" when still streaming)."""
    told = megabytes(size) if size is not None else f"more than {megabytes(limit)}"
    return f"the upload is {told}; the limit is {megabytes(limit)}"


class BodyLimit:
    """`limits` maps a path to its largest body in bytes; other paths are not limited here."""

    def __init__(self, app: ASGIApp, *, limits: dict[str, int]) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limits.get(scope["path"]) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await JSONResponse({"detail": too_large(int(declared), limit)}, status_code=413)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:  # the route's body parser re-raises HTTPException: the handler answers 413
                    raise HTTPException(413, too_large(None, limit))
            return message

        await self.app(scope, counted, send)
