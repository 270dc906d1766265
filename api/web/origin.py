"""Cross-site request forgery: a state change that carries a cookie must come from this site's pages.

The citizen's session is a cookie (``SameSite=Lax`` already keeps it off cross-site POSTs in current
browsers; this is the second line). Every unsafe request (POST, PUT, PATCH, DELETE) that carries any
cookie must name its origin — ``Origin``, else ``Referer``, else ``Sec-Fetch-Site: same-origin`` —
and that origin must be the app's own: ``public_url`` or the address the request was sent to.
Otherwise 403, before any route runs. Requests without cookies (the staff's bearer-token APIs, the
Rasa webhook, the identity provider's back channel) are not forgeable this way and pass.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import URL, Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an absolute http(s) URL, default ports dropped; None for anything else (``null`` too)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def forgery_refusal(*, method: str, headers: Headers, own_origins: set[str]) -> str | None:
    """Why this request must be refused as possibly forged, or None when it may proceed."""
    if method in SAFE_METHODS or "cookie" not in headers:
        return None
    if "origin" in headers:
        sender, header = origin_of(headers["origin"]), "Origin"
    elif "referer" in headers:
        sender, header = origin_of(headers["referer"]), "Referer"
    elif headers.get("sec-fetch-site") == "same-origin":
        return None
    else:
        return (
            "this request changes something and carries a cookie, but says nothing of the page that sent it "
            "(no Origin or Referer header); send it from the help desk's own pages"
        )
    if sender in own_origins:
        return None
    return (
        f"this request comes from another site ({header}: {headers[header.lower()][:100]}); "
        "signed-in changes are accepted from the help desk's own pages only"
    )


class OriginCheck:
    """403 for a cookie-carrying unsafe request from another origin (see the module's docstring)."""

    def __init__(self, app: ASGIApp, *, public_url: str) -> None:
        self.app = app
        self.public_origin = origin_of(public_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            own = {o for o in (self.public_origin, origin_of(str(URL(scope=scope)))) if o}
            refusal = forgery_refusal(method=scope["method"], headers=Headers(scope=scope), own_origins=own)
            if refusal:
                await JSONResponse({"detail": refusal}, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)
