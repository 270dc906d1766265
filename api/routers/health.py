"""Liveness and readiness probes.

`GET /api/health/live` answers 200 whenever the process serves requests (no database or Rasa call:
a liveness probe on it never restarts an app that only waits for Rasa). `GET /api/health/ready`
checks the database, Rasa and the index: 200 or 503 with ``{"status": ...}`` for everyone, and each
check with its error text only for a signed-in staff member (any role; the token is read without
the database, so the details show when the database is the one down).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.auth.staff import oauth2_scheme
from api.auth.tokens import STAFF_AUDIENCE, read_token
from api.errors import Unauthorized
from api.rasa_client import RasaUnavailable
from db.staff import ROLES

router = APIRouter(prefix="/api/health", tags=["health"])
log = logging.getLogger("helpdesk.health")
ERROR_CHARS = 200


@router.get("/live")
def live() -> dict[str, str]:
    """200 while the process serves requests."""
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "the database, Rasa or the index is unavailable"}})
async def ready(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]) -> JSONResponse:
    """200 when the database, Rasa and the index all work, else 503; per-check details for staff only."""
    state = request.app.state
    checks = {"database": await run_in_threadpool(_database, state), "rasa": await _rasa(state), "index": _index(state)}
    failing = sorted(name for name, check in checks.items() if not check["ok"])
    if failing != getattr(state, "not_ready", []):  # the log says when readiness changes, not at every probe
        if failing:
            log.warning("not ready: %s", "; ".join(f"{name}: {checks[name]['error']}" for name in failing))
        else:
            log.info("ready again")
        state.not_ready = failing
    body: dict[str, Any] = {"status": "unavailable" if failing else "ok"}
    if _is_staff(token, state.settings.secret_key):
        body["checks"] = checks
    return JSONResponse(body, status_code=503 if failing else 200)


def _database(state: Any) -> dict[str, Any]:
    try:
        with state.sessions() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return {"ok": False, "error": str(exc)[:ERROR_CHARS]}
    return {"ok": True, "dialect": state.engine.dialect.name}


async def _rasa(state: Any) -> dict[str, Any]:
    try:
        status = await state.rasa.status()
    except RasaUnavailable as exc:
        return {"ok": False, "error": str(exc)[:ERROR_CHARS]}
    return {"ok": True, "model": status.get("model_file")}


def _index(state: Any) -> dict[str, Any]:
    knowledge = state.knowledge
    if knowledge is None:
        return {"ok": False, "error": state.knowledge_error or "the index is not loaded"}
    manifest = knowledge.index.manifest
    return {"ok": True, "build_id": manifest["build_id"], "guides": len(manifest["guide_versions"]), "model": manifest["model"]}


def _is_staff(token: str | None, secret: str) -> bool:
    """A valid staff token with any staff role; anything else (none, expired, forged) is anonymous."""
    if not token:
        return False
    try:
        claims = read_token(token, secret=secret, audience=STAFF_AUDIENCE)
    except Unauthorized:
        return False
    return any(role in ROLES for role in claims.get("roles") or [])
