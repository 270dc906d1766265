"""The citizen's dossiers: submit a confirmed draft, list and read one's own, supply what was asked,
the public lookup by code and phone, and the reminders with their consent (docs/dossiers.md).

Another citizen's draft or dossier is a 404 exactly like one that does not exist; the lookup answers
the same 404 for an unknown code and a wrong phone, and is rate-limited per address.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Header, Response, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.deps import SessionDep
from api.dossiers import reminder_consent, service
from api.dossiers.desk import DeskDep, DossierDesk
from api.dossiers.reminders import load_rules, needed_fields
from api.identity.session import CurrentCitizen
from api.limits.deps import rate_limit
from api.schemas import DossierCode
from db.base import utcnow
from db.identity import CitizenSession

router = APIRouter(tags=["dossiers"])


class SubmitIn(BaseModel):
    lang: Literal["vi", "en"] = "vi"
    conversation_id: str | None = Field(default=None, max_length=64, description="the chat to write status notices into")


class LookupIn(BaseModel):
    code: DossierCode = Field(max_length=64, description="the dossier code (mã hồ sơ), e.g. HS-261203-7K3Q9X")
    phone: str = Field(max_length=32, description="the phone number written on the dossier")
    lang: Literal["vi", "en"] = "vi"


class ReminderConsentIn(BaseModel):
    granted: bool = Field(description="the citizen's answer: may the identity fields listed be read for reminders?")
    lang: Literal["vi", "en"] = "vi"


class SupplyIn(BaseModel):
    documents: list[str] = Field(default_factory=list, max_length=20, description="the documents supplied")
    note: str = Field(default="", max_length=1000)


@router.post("/api/applications/{application_id}/submit", status_code=status.HTTP_201_CREATED)
def submit_application(
    application_id: str,
    citizen: CurrentCitizen,
    session: SessionDep,
    desk: DeskDep,
    response: Response,
    body: SubmitIn | None = None,
    idempotency_key: str | None = Header(default=None, max_length=128),
) -> dict[str, Any]:
    """Submit the confirmed draft to the agency: 201 with the dossier code and expected result date; the same
    `Idempotency-Key` (default: the draft) again answers 200 with the same dossier. 422 names what an incomplete
    draft lacks; 409 for a draft submitted already under another key."""
    body = body or SubmitIn()
    dossier, created = service.submit_draft(
        session=session,
        desk=desk,
        subject=citizen.subject,
        draft_id=application_id,
        idempotency_key=idempotency_key,
        conversation_id=body.conversation_id,
        lang=body.lang,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return service.dossier_json(dossier, desk, body.lang)


@router.get("/api/dossiers")
def my_dossiers(citizen: CurrentCitizen, session: SessionDep, desk: DeskDep, lang: Literal["vi", "en"] = "vi") -> list[dict[str, Any]]:
    """The signed-in citizen's dossiers, newest first, each with its state and history."""
    return [service.dossier_json(d, desk, lang) for d in service.citizen_dossiers(session=session, subject=citizen.subject)]


@router.post("/api/dossiers/lookup", dependencies=[Depends(rate_limit("dossier_lookup_per_address"))])
def lookup_dossier(body: LookupIn, session: SessionDep, desk: DeskDep) -> dict[str, Any]:
    """Anyone: a dossier by its code and the phone number on it. 422 for a malformed code; the same 404 for an
    unknown code and a wrong phone, so codes cannot be probed."""
    return service.dossier_json(service.lookup(session=session, code=body.code, phone=body.phone), desk, body.lang)


@router.get("/api/dossiers/{code}")
def my_dossier(
    code: DossierCode, citizen: CurrentCitizen, session: SessionDep, desk: DeskDep, lang: Literal["vi", "en"] = "vi"
) -> dict[str, Any]:
    return service.dossier_json(service.own_dossier(session=session, subject=citizen.subject, code=code), desk, lang)


def _reminders(session: Session, citizen: CitizenSession, desk: DossierDesk, lang: str) -> dict[str, Any]:
    rules = load_rules(desk.settings.reminders_file)
    return reminder_consent.reminders_for(session=session, citizen=citizen, rules=rules, today=desk.local_date(utcnow()), lang=lang)


@router.get("/api/reminders")
def my_reminders(citizen: CurrentCitizen, session: SessionDep, desk: DeskDep, lang: Literal["vi", "en"] = "vi") -> dict[str, Any]:
    """What the signed-in citizen's identity data says is due soon (ID card renewal age, passport expiry, the end of a
    temporary residence), each with its guide and the form to prefill, once the citizen consented to it. Without
    consent: `"consent": "required"`, no reminders, and `ask` whether the page should ask (once per sign-in);
    `fields` names the profile fields the check reads."""
    return _reminders(session, citizen, desk, lang)


@router.post("/api/reminders/consent")
def answer_reminder_consent(body: ReminderConsentIn, citizen: CurrentCitizen, session: SessionDep, desk: DeskDep) -> dict[str, Any]:
    """Record the citizen's answer (a refusal too); it replaces an active consent. Answers what `GET /api/reminders` does."""
    fields = needed_fields(load_rules(desk.settings.reminders_file))
    reminder_consent.record(session=session, subject=citizen.subject, fields=fields, granted=body.granted)
    return _reminders(session, citizen, desk, body.lang)


@router.delete("/api/reminders/consent")
def revoke_reminder_consent(
    citizen: CurrentCitizen, session: SessionDep, desk: DeskDep, lang: Literal["vi", "en"] = "vi"
) -> dict[str, Any]:
    """Revoke the signed-in citizen's consent to reminders (none active: nothing changes); no reminders from then on."""
    reminder_consent.revoke(session=session, subject=citizen.subject)
    return _reminders(session, citizen, desk, lang)


@router.post("/api/dossiers/{code}/supplement")
def supply_dossier(code: DossierCode, body: SupplyIn, citizen: CurrentCitizen, session: SessionDep, desk: DeskDep) -> dict[str, Any]:
    """Answer a supplement request: the documents supplied and a note; the dossier goes back to processing.
    409 when nothing was asked."""
    dossier = service.own_dossier(session=session, subject=citizen.subject, code=code)
    service.supply(session=session, desk=desk, dossier=dossier, documents=body.documents, note=body.note)
    return service.dossier_json(dossier, desk, dossier.lang)
