"""Form templates, the citizen's form in progress, and application drafts (JSON and PDF).

Everything about a citizen's data needs the verified session; another citizen's
application is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import select

from api.deps import SessionDep
from api.errors import NotFound
from api.forms.drafts import draft_json, get_draft, list_drafts
from api.forms.pdf import render_pdf
from api.forms.runtime import FlowDep
from api.identity.session import CurrentCitizen
from db.identity import FormProgress

router = APIRouter(tags=["forms"])


@router.get("/api/forms")
def list_forms(flow: FlowDep) -> list[dict[str, Any]]:
    return [{"code": t.code, "title": t.title, "procedures": list(t.procedures)} for t in flow.templates.values()]


@router.get("/api/forms/active")
def active_form(citizen: CurrentCitizen, session: SessionDep, flow: FlowDep) -> dict[str, Any]:
    """The citizen's most recently touched unfinished form (the chat page shows its summary from here)."""
    latest = session.scalar(
        select(FormProgress).where(FormProgress.subject == citizen.subject).order_by(FormProgress.updated_at.desc()).limit(1)
    )
    if latest is None:
        raise NotFound("you have no form in progress")
    return form_progress(latest.form_code, citizen, session, flow)


@router.get("/api/forms/{form_code}")
def form_template(form_code: str, flow: FlowDep) -> dict[str, Any]:
    """The template: fields with type, whether required, choices, and the identity attribute that can fill it."""
    t = flow.template(form_code)
    return {
        "code": t.code,
        "title": t.title,
        "fields": [
            {"id": f.id, "label": f.label, "type": f.type, "required": f.required, "options": list(f.options), "identity": f.identity}
            for f in t.fields
        ],
    }


@router.get("/api/forms/{form_code}/progress")
def form_progress(form_code: str, citizen: CurrentCitizen, session: SessionDep, flow: FlowDep) -> dict[str, Any]:
    """The citizen's unfinished form: values so far with their source, and what is being asked."""
    template = flow.template(form_code)
    progress = flow.progress(session=session, subject=citizen.subject, form_code=form_code)
    if progress is None:
        raise NotFound(f"you have no {form_code} form in progress")
    fields = [
        {"field": f.id, "label": f.label, "type": f.type, **progress.values[f.id]}
        for f in template.fields
        if f.id in progress.values and progress.values[f.id].get("value") not in (None, [])
    ]
    return {"form_code": form_code, "stage": progress.stage, "current": progress.current, "fields": fields}


@router.get("/api/applications")
def my_applications(citizen: CurrentCitizen, session: SessionDep, flow: FlowDep) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in draft_json(d, flow.template(d.form_code)).items() if k != "fields"}
        for d in list_drafts(session=session, subject=citizen.subject)
    ]


@router.get("/api/applications/{application_id}.pdf", response_class=Response)
def application_pdf(application_id: str, citizen: CurrentCitizen, session: SessionDep, flow: FlowDep) -> Response:
    draft = get_draft(session=session, subject=citizen.subject, draft_id=application_id)
    pdf = render_pdf(draft, flow.template(draft.form_code))
    filename = f"{draft.form_code}-{draft.id[:8]}.pdf"
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/api/applications/{application_id}")
def application(application_id: str, citizen: CurrentCitizen, session: SessionDep, flow: FlowDep) -> dict[str, Any]:
    """The draft as JSON: each field with its value and source (`identity` or `citizen`)."""
    draft = get_draft(session=session, subject=citizen.subject, draft_id=application_id)
    return draft_json(draft, flow.template(draft.form_code))
