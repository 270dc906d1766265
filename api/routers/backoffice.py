"""The demo one-stop office for processing officers: list dossiers, advance one, ask for a supplement
(role `processing_officer`, admins too), and its page at /agent/dossiers (docs/dossiers.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.auth.staff import require_role
from api.deps import SessionDep
from api.dossiers import service
from api.dossiers.desk import DeskDep
from api.dossiers.states import STATES
from api.routers.pages import templates
from api.schemas import DossierCode
from db.dossiers import Dossier
from db.staff import StaffUser

router = APIRouter(prefix="/api/backoffice", tags=["backoffice"])
pages = APIRouter(include_in_schema=False)
Officer = Annotated[StaffUser, Depends(require_role("processing_officer"))]


class AdvanceIn(BaseModel):
    to: str = Field(description=f"the next state: {', '.join(STATES)}")
    note: str = Field(default="", max_length=1000)


class SupplementIn(BaseModel):
    reason_vi: str = Field(min_length=1, max_length=1000)
    reason_en: str | None = Field(default=None, max_length=1000)
    documents: list[str] = Field(default_factory=list, max_length=20, description="ids from the procedure's documents catalogue")
    other_documents: list[str] = Field(default_factory=list, max_length=20, description="documents not in the catalogue (Vietnamese)")


@router.get("/dossiers")
def list_dossiers(officer: Officer, session: SessionDep, desk: DeskDep, state: str | None = None) -> list[dict[str, Any]]:
    query = select(Dossier).order_by(Dossier.updated_at.desc(), Dossier.id.desc()).limit(200)
    if state:
        query = query.where(Dossier.state == state)
    return [service.officer_json(d, desk) for d in session.scalars(query)]


@router.get("/dossiers/{code}")
def get_dossier(code: DossierCode, officer: Officer, session: SessionDep, desk: DeskDep) -> dict[str, Any]:
    return service.officer_json(service.dossier_by_code(session=session, code=code), desk)


@router.post("/dossiers/{code}/advance")
def advance(code: DossierCode, body: AdvanceIn, officer: Officer, session: SessionDep, desk: DeskDep) -> dict[str, Any]:
    """Move the dossier to `to`; 409 when the transition table does not allow it from its current state."""
    dossier = service.dossier_by_code(session=session, code=code)
    details = {"note": body.note.strip()} if body.note.strip() else {}
    service.change_state(session=session, desk=desk, dossier=dossier, target=body.to, actor=officer.username, details=details)
    return service.officer_json(dossier, desk)


@router.post("/dossiers/{code}/supplement")
def ask_supplement(code: DossierCode, body: SupplementIn, officer: Officer, session: SessionDep, desk: DeskDep) -> dict[str, Any]:
    """Ask the citizen for a supplement: the reason (vi, optionally en) and the missing documents; 409 from a state that does not allow it."""
    dossier = service.dossier_by_code(session=session, code=code)
    service.request_supplement(
        session=session,
        desk=desk,
        dossier=dossier,
        reason_vi=body.reason_vi,
        reason_en=body.reason_en,
        document_ids=body.documents,
        other_documents=body.other_documents,
        actor=officer.username,
    )
    return service.officer_json(dossier, desk)


@pages.get("/agent/dossiers", response_class=HTMLResponse)
def dossiers_page(request: Request) -> HTMLResponse:
    """A static shell like the other staff pages; its data needs the officer role."""
    return templates.TemplateResponse(request, "agent_dossiers.html", {"lang": "vi", "view": "dossiers"})
