"""Application drafts as the citizen may read them: their own only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import NotFound
from api.forms.templates import FormTemplate
from db.identity import ApplicationDraft


def get_draft(*, session: Session, subject: str, draft_id: str) -> ApplicationDraft:
    """The draft, or `NotFound` — also for another citizen's draft, so ids reveal nothing."""
    draft = session.get(ApplicationDraft, draft_id)
    if draft is None or draft.subject != subject:
        raise NotFound(f"application {draft_id} does not exist")
    return draft


def list_drafts(*, session: Session, subject: str) -> list[ApplicationDraft]:
    query = select(ApplicationDraft).where(ApplicationDraft.subject == subject).order_by(ApplicationDraft.created_at.desc())
    return list(session.scalars(query))


def draft_json(draft: ApplicationDraft, template: FormTemplate) -> dict[str, Any]:
    return {
        "id": draft.id,
        "form_code": draft.form_code,
        "title": template.title,
        "status": draft.status,
        "created_at": draft.created_at.isoformat(),
        "fields": [{"field": v["field"], "label": v["label"], "value": v["value"], "source": v["source"]} for v in draft.values],
        "pdf_url": f"/api/applications/{draft.id}.pdf",
    }
