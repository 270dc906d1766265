from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.rasa_client import RasaUnavailable

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health")
async def health(request: Request) -> JSONResponse:
    """Database, Rasa and index status; 503 when any is down."""
    state = request.app.state
    checks: dict[str, Any] = {}
    try:
        with state.sessions() as session:
            session.execute(text("SELECT 1"))
        checks["database"] = {"ok": True, "dialect": state.engine.dialect.name}
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        checks["database"] = {"ok": False, "error": str(exc)[:200]}
    try:
        rasa = await state.rasa.status()
        checks["rasa"] = {"ok": True, "model": rasa.get("model_file")}
    except RasaUnavailable as exc:
        checks["rasa"] = {"ok": False, "error": str(exc)[:200]}
    knowledge = state.knowledge
    if knowledge is None:
        checks["index"] = {"ok": False, "error": state.knowledge_error}
    else:
        manifest = knowledge.index.manifest
        checks["index"] = {
            "ok": True,
            "build_id": manifest["build_id"],
            "guides": len(manifest["guide_versions"]),
            "model": manifest["model"],
        }
    ok = all(c["ok"] for c in checks.values())
    return JSONResponse({"status": "ok" if ok else "degraded", **checks}, status_code=200 if ok else 503)
