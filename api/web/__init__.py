"""The browser-facing defences of the HTTP edge, as ASGI middleware installed by `install`.

- `proxy`: which reverse proxies may say the request came over https (and from which client);
- `origin`: cross-site request forgery — a cookie-carrying state change must come from our own pages;
- `headers`: Content-Security-Policy and the other security headers on every response;
- `body_limit`: request bodies capped, before they are parsed, on the routes that take uploads.
"""

from __future__ import annotations

from fastapi import FastAPI

from api.web.body_limit import BodyLimit
from api.web.headers import SecurityHeaders
from api.web.origin import OriginCheck
from api.web.proxy import trust_proxies
from api.web.settings import WebSettings

__all__ = ["WebSettings", "install", "trust_proxies"]


def install(app: FastAPI, *, public_url: str, identity_issuer: str, body_limits: dict[str, int]) -> None:
    """Add the forgery check, the headers and the body limits (the last added runs first: the 403 and
    413 answers carry the headers too). `trust_proxies` goes last of all the app's middleware, so
    that everything else sees the client's scheme and address."""
    app.add_middleware(BodyLimit, limits=body_limits)
    app.add_middleware(OriginCheck, public_url=public_url)
    app.add_middleware(SecurityHeaders, form_action=[identity_issuer] if identity_issuer else [])
