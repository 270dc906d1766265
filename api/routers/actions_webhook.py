"""rasa-sdk's action executor, mounted in the app (see docs/architecture.md for why).

Rasa calls `POST /webhooks/actions` exactly as it would call a stand-alone
rasa-sdk action server; the answers and status codes follow rasa-sdk's endpoint.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionMissingDomainException, ActionNotFoundException

router = APIRouter(tags=["rasa"], include_in_schema=False)


def make_executor() -> ActionExecutor:
    executor = ActionExecutor()
    executor.register_package("actions")
    return executor


@router.post("/webhooks/actions")
async def run_action(request: Request, token: str = Query(default="")) -> JSONResponse:
    if token != request.app.state.settings.action_token:
        return JSONResponse({"error": "invalid action token"}, status_code=401)
    action_call: dict[str, Any] = await request.json()
    executor: ActionExecutor = request.app.state.executor
    try:
        result = await executor.run(action_call)
    except ActionExecutionRejection as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=400)
    except ActionNotFoundException as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=404)
    except ActionMissingDomainException as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=449)
    return JSONResponse(result.model_dump() if result else None)
