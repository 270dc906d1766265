"""Security headers on every response: a Content-Security-Policy without inline script, no MIME
sniffing, no framing, no referrer to other sites, and HSTS over https.

The pages load their scripts and styles from ``/static`` only (no inline ``<script>``, no event
handler attributes, no ``style=`` attributes: scripts set styles through the CSSOM, which CSP
allows). ``img-src`` also allows ``data:`` for the empty favicon (``<link rel="icon" href="data:,">``)
that stops browsers asking for /favicon.ico. ``Referrer-Policy: same-origin`` rather than
``no-referrer``: under ``no-referrer`` browsers send ``Origin: null`` with a form's POST (the demo
sign-in page posts one), which the forgery check (`api.web.origin`) cannot tell from an attacker's
sandboxed page. Other sites still learn nothing of the page a citizen came from.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.web.origin import origin_of

# Swagger UI and ReDoc (development only) run inline scripts from a CDN: no policy there.
UNPOLICED_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
HSTS = "max-age=31536000"  # a year; sent over https only, as browsers ignore it over http anyway


def content_security_policy(form_action: list[str]) -> str:
    """The policy of our pages; `form_action` adds origins a form may post to (the identity provider's)."""
    targets = " ".join(["'self'", *sorted({o for o in map(origin_of, form_action) if o})])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        f"object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action {targets}"
    )


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, form_action: list[str]) -> None:
        self.app = app
        self.csp = content_security_policy(form_action)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policed = scope["path"] not in UNPOLICED_PATHS
        https = scope["scheme"] == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "same-origin")
                # A PDF is shown by the browser's viewer, which a policy with object-src 'none' would block.
                if policed and not headers.get("content-type", "").startswith("application/pdf"):
                    headers.setdefault("Content-Security-Policy", self.csp)
                if https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
