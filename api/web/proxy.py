"""Behind a TLS-terminating proxy, the request's scheme and client address come from its headers —
only when the connection comes from one of the configured proxies (uvicorn's own middleware)."""

from __future__ import annotations

from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware


def trust_proxies(app: FastAPI, proxies: list[str]) -> None:
    """Believe ``X-Forwarded-Proto`` / ``X-Forwarded-For`` from `proxies` only; with none, from nobody."""
    if proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
