"""Web settings (variables ``HELPDESK_WEB__<NAME>``): the `web` section of `api.settings.Settings`."""

from __future__ import annotations

from pydantic import BaseModel


class WebSettings(BaseModel):
    trusted_proxies: list[str] = []
    """Addresses (or CIDR networks) of the reverse proxies whose ``X-Forwarded-Proto`` / ``X-Forwarded-For``
    are believed, e.g. ``["127.0.0.1"]`` behind a TLS proxy on the same machine; none by default, so a
    client cannot claim https or another address. Run uvicorn with ``--no-proxy-headers`` (as
    ``scripts/run.sh`` does) so that this is the only place they are read."""
