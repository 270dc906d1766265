"""rasa-sdk's action executor, mounted in the app (see docs/architecture.md for why).

Rasa calls `POST /webhooks/actions` exactly as it would call a stand-alone
rasa-sdk action server; the answers and status codes follow rasa-sdk's endpoint.
The action token comes in the ``Authorization: Bearer …`` header (bot/endpoints.yml), never in
the query string, which ends up in logs. The log lines of the call carry the request id of the
citizen's turn that caused it (the app puts it in the message metadata, `api.rasa_client`).
"""

from __future__ import annotations

import asyncio
import hmac
import importlib
import pkgutil
import threading
import time
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor, ActionExecutorRunResult
from rasa_sdk.interfaces import ActionExecutionRejection, ActionMissingDomainException, ActionNotFoundException
from rasa_sdk.utils import all_subclasses

import actions
from actions.services import Services, UsesServices
from api import logs
from api.metrics import Metrics

router = APIRouter(tags=["rasa"], include_in_schema=False)


def make_executor(services: Services) -> ActionExecutor:
    """rasa-sdk's executor over every action of the `actions` package, each built with the app's services."""
    executor = ActionExecutor()
    for module in pkgutil.iter_modules(actions.__path__):
        importlib.import_module(f"actions.{module.name}")
    for action in all_subclasses(Action):
        if action.__module__.startswith("actions."):
            executor.register_action(action(services) if issubclass(action, UsesServices) else action())
    return executor


@router.post("/webhooks/actions")
async def run_action(request: Request) -> Response:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), request.app.state.settings.action_token.encode()):
        return JSONResponse({"error": "invalid action token: send Authorization: Bearer <HELPDESK_ACTION_TOKEN>"}, status_code=401)
    try:  # the whole tracker, every event of the conversation: orjson reads it ~4x faster than json (docs/benchmarks.md)
        action_call: dict[str, Any] = orjson.loads(await request.body())
    except orjson.JSONDecodeError as exc:
        return JSONResponse({"error": f"the action call is not JSON: {exc}"}, status_code=400)
    tracker = action_call.get("tracker") or {}
    metadata = (tracker.get("latest_message") or {}).get("metadata") or {}
    logs.bind(conversation_id=tracker.get("sender_id"), request_id=metadata.get("request_id"))
    runner: ActionRunner = request.app.state.actions
    try:
        result = await _timed_run(request.app.state.metrics, runner, action_call)
    except ActionExecutionRejection as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=400)
    except ActionNotFoundException as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=404)
    except ActionMissingDomainException as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=449)
    return Response(orjson.dumps(result.model_dump() if result else None), media_type="application/json")


class ActionRunner:
    """rasa-sdk's executor on its own event loop in one long-lived worker thread.

    Actions search the index and use the database synchronously; on the app's loop they would hold
    it, and the chat turn that caused the call waits on that very loop for Rasa's answer. Log
    context (the turn's request id) goes with each call.
    """

    def __init__(self, executor: ActionExecutor) -> None:
        self.executor = executor
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="rasa-actions", daemon=True)
        self._thread.start()

    async def run(self, action_call: dict[str, Any]) -> ActionExecutorRunResult | None:
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self.executor.run(action_call), self._loop))

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


OUTCOMES = {ActionExecutionRejection: "rejected", ActionNotFoundException: "not_found", ActionMissingDomainException: "missing_domain"}


async def _timed_run(metrics: Metrics, runner: ActionRunner, action_call: dict[str, Any]) -> ActionExecutorRunResult | None:
    """The action call, observed in helpdesk_action_seconds{action, outcome} (unknown names count as `other`)."""
    started, outcome = time.perf_counter(), "error"
    try:
        result = await runner.run(action_call)
        outcome = "ok"
    except Exception as exc:
        outcome = OUTCOMES.get(type(exc), "error")
        raise
    finally:
        metrics.action_run(str(action_call.get("next_action")), runner.executor.actions, outcome, time.perf_counter() - started)
    return result
