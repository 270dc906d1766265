"""The app's side of the seam to the Rasa server: HTTP only.

Each message carries the request id of the turn (``X-Request-ID`` header, and ``request_id`` in
the metadata, which Rasa hands on to the action call: Rasa forwards no headers to actions).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import httpx

from api import logs

if TYPE_CHECKING:
    from api.metrics import Metrics


class RasaUnavailable(Exception):
    """Rasa could not be reached or answered with an error."""


class RasaClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        timeout_s: float,
        metrics: Metrics | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout_s, transport=transport)  # tests pass a MockTransport
        self._token = token
        self._metrics = metrics  # each call's latency and outcome (helpdesk_rasa_request_seconds)

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """One user message through the REST channel; returns Rasa's replies."""
        request_id = logs.request_id()
        headers, metadata = ({logs.HEADER: request_id}, {**metadata, "request_id": request_id}) if request_id else ({}, metadata)
        response = await self._call(
            "message", "POST", "/webhooks/rest/webhook", json={"sender": sender, "message": text, "metadata": metadata}, headers=headers
        )
        return response.json()

    async def status(self) -> dict[str, Any]:
        response = await self._call("status", "GET", "/status", params={"token": self._token}, timeout=2.0)
        return response.json()

    async def append_event(self, conversation_id: str, event: dict[str, Any]) -> None:
        """Add an event to the conversation's tracker (Rasa HTTP API, needs the auth token)."""
        await self._call("event", "POST", f"/conversations/{conversation_id}/tracker/events", params={"token": self._token}, json=event)

    async def pause(self, conversation_id: str) -> None:
        """A person owns the conversation: Rasa must not act on it."""
        await self.append_event(conversation_id, {"event": "pause"})

    async def resume(self, conversation_id: str) -> None:
        await self.append_event(conversation_id, {"event": "resume"})

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(self, call: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        started, ok = time.perf_counter(), False
        try:
            response = await self._http.request(method, url, **kwargs)
            response.raise_for_status()
            ok = True
        except httpx.HTTPError as exc:
            raise RasaUnavailable(str(exc) or exc.__class__.__name__) from exc
        finally:
            if self._metrics is not None:
                self._metrics.rasa_call(call, ok, time.perf_counter() - started)
        return response
