"""Dossier use cases, shared by the routers and the chat actions: submit a draft, read, look up, change state.

dossier, created = submit_draft(session=s, desk=desk, subject=sub, draft_id=draft.id)
lookup(session=s, code="HS-261203-7K3Q9X", phone="0900000111")        # NotFound for a wrong phone too
change_state(session=s, desk=desk, dossier=d, target="processing", actor="officer1")
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.dossiers.backoffice import Submission
from api.dossiers.desk import DossierDesk
from api.dossiers.notify import notify
from api.dossiers.states import PROCESSING, READY, RECEIVED, SUPPLEMENT, allowed, check_transition, label
from api.errors import Conflict, DomainError, NotFound
from api.forms.drafts import get_draft
from api.phones import national, parse_vn_phone
from db.base import utcnow
from db.dossiers import Dossier, DossierEvent
from db.identity import ApplicationDraft

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{5,31}$")
NO_SUCH_DOSSIER = "no dossier matches this code and phone number; check both (the phone is the one written on the dossier)"


class IncompleteDraft(DomainError):
    """The draft lacks what the agency needs (422): the message names each missing field."""

    status_code = 422


class AlreadySubmitted(Conflict):
    """The draft was submitted already, under another idempotency key (409)."""


class MalformedCode(DomainError):
    status_code = 422


def normalize_code(code: str) -> str:
    """Upper case without surrounding spaces; `MalformedCode` unless letters, digits, dots and hyphens (6 to 32)."""
    cleaned = code.strip().upper()
    if not CODE_PATTERN.match(cleaned):
        raise MalformedCode(f"{code[:40]!r} is not a dossier code; it looks like HS-261203-7K3Q9X (letters, digits, dots and hyphens)")
    return cleaned


def missing_fields(*, desk: DossierDesk, draft: ApplicationDraft, lang: str = "vi") -> list[str]:
    """Labels of the template's required fields the draft has no value for, in template order."""
    template = desk.templates.get(draft.form_code)
    if template is None:
        return []
    filled = {v["field"] for v in draft.values if v.get("value") not in (None, "", [])}
    return [f.label_in(lang) for f in template.fields if f.required and f.id not in filled]


def phone_number(text: str) -> str | None:
    """'0912 345 678', '+84 912 345 678' → '0912345678'; None when it is not a Vietnamese personal number."""
    e164 = parse_vn_phone(text)
    return national(e164) if e164 else None


def draft_phone(draft: ApplicationDraft) -> str | None:
    for value in draft.values:
        if value.get("field") == "dien_thoai" and value.get("value"):
            return phone_number(str(value["value"]))
    return None


def submit_draft(
    *,
    session: Session,
    desk: DossierDesk,
    subject: str,
    draft_id: str,
    idempotency_key: str | None = None,
    conversation_id: str | None = None,
    lang: str = "vi",
) -> tuple[Dossier, bool]:
    """Submit the citizen's confirmed draft; returns the dossier and whether this call created it.

    The idempotency key (the draft id when none is given) makes a repeated submission return the same
    dossier; the draft submitted under another key is `AlreadySubmitted`. An incomplete draft is
    `IncompleteDraft`, naming what is missing.
    """
    draft = get_draft(session=session, subject=subject, draft_id=draft_id)
    key = idempotency_key or f"draft:{draft.id}"
    existing = session.scalar(select(Dossier).where(Dossier.draft_id == draft.id))
    if existing is not None:
        if existing.idempotency_key == key:
            return existing, False
        raise AlreadySubmitted(f"application {draft.id} was already submitted as dossier {existing.code} ({label(existing.state, lang)})")
    procedure = desk.procedure(draft.form_code)
    missing = missing_fields(desk=desk, draft=draft, lang=lang)
    phone = draft_phone(draft)
    if phone is None and not any(m for m in missing if "điện thoại" in m.lower() or "phone" in m.lower()):
        missing.append("Số điện thoại liên hệ" if lang == "vi" else "Contact phone number")
    if missing:
        raise IncompleteDraft(
            ("Hồ sơ chưa đủ để nộp, còn thiếu: " if lang == "vi" else "The application cannot be submitted yet; it lacks: ")
            + ", ".join(missing)
        )
    assert phone is not None
    receipt = desk.backoffice.submit(
        Submission(
            idempotency_key=key, form_code=draft.form_code, procedure=procedure.procedure, phone=phone, lang=lang, values=draft.values
        )
    )
    dossier = Dossier(
        code=receipt.code,
        subject=subject,
        phone=phone,
        form_code=draft.form_code,
        procedure=procedure.procedure,
        draft_id=draft.id,
        idempotency_key=key,
        state=RECEIVED,
        lang=lang if lang in ("vi", "en") else "vi",
        conversation_id=conversation_id,
        expected_on=desk.expected_on(draft.form_code, receipt.received_at),
        submitted_at=receipt.received_at,
    )
    try:
        with session.begin_nested():  # two submissions racing on one draft: the unique keys decide
            session.add(dossier)
            session.flush()
    except IntegrityError:
        winner = session.scalar(select(Dossier).where(Dossier.draft_id == draft.id))
        if winner is not None and winner.idempotency_key == key:
            return winner, False
        raise AlreadySubmitted(f"application {draft.id} was already submitted") from None
    draft.status = "submitted"
    event = DossierEvent(dossier_id=dossier.id, state=RECEIVED, at=receipt.received_at, actor="citizen", details={})
    session.add(event)
    session.flush()
    notify(session=session, desk=desk, dossier=dossier, event=event)
    return dossier, True


def citizen_dossiers(*, session: Session, subject: str) -> list[Dossier]:
    query = select(Dossier).where(Dossier.subject == subject).order_by(Dossier.submitted_at.desc(), Dossier.id.desc())
    return list(session.scalars(query))


def own_dossier(*, session: Session, subject: str, code: str) -> Dossier:
    """The citizen's dossier; another citizen's is `NotFound` like one that does not exist."""
    dossier = session.scalar(select(Dossier).where(Dossier.code == normalize_code(code)))
    if dossier is None or dossier.subject != subject:
        raise NotFound(f"you have no dossier {code}")
    return dossier


def lookup(*, session: Session, code: str, phone: str) -> Dossier:
    """The dossier with this code whose phone is `phone`; the same `NotFound` for an unknown code and a wrong phone."""
    dossier = session.scalar(select(Dossier).where(Dossier.code == normalize_code(code)))
    given = phone_number(phone)
    if dossier is None or given is None or given != dossier.phone:
        raise NotFound(NO_SUCH_DOSSIER)
    return dossier


def dossier_by_code(*, session: Session, code: str) -> Dossier:
    dossier = session.scalar(select(Dossier).where(Dossier.code == normalize_code(code)))
    if dossier is None:
        raise NotFound(f"dossier {code} does not exist")
    return dossier


def change_state(
    *, session: Session, desk: DossierDesk, dossier: Dossier, target: str, actor: str, details: dict[str, Any] | None = None
) -> DossierEvent:
    """Move the dossier to `target` (409 `TransitionNotAllowed` when the table forbids it), record when and
    why, and notify the citizen. The row is locked for the change, so two officers cannot both move it."""
    session.refresh(dossier, with_for_update=True)
    check_transition(dossier.state, target)
    dossier.state = target
    dossier.updated_at = utcnow()
    event = DossierEvent(dossier_id=dossier.id, state=target, at=utcnow(), actor=actor, details=details or {})
    session.add(event)
    session.flush()
    notify(session=session, desk=desk, dossier=dossier, event=event)
    return event


def request_supplement(
    *,
    session: Session,
    desk: DossierDesk,
    dossier: Dossier,
    reason_vi: str,
    reason_en: str | None,
    document_ids: list[str],
    other_documents: list[str],
    actor: str,
) -> DossierEvent:
    """Ask the citizen for more: the reason and the exact documents, each in Vietnamese and English."""
    if not reason_vi.strip():
        raise IncompleteDraft("a supplement request needs its reason (reason_vi)")
    procedure = desk.procedure(dossier.form_code)
    documents = [procedure.document(d).label for d in document_ids] + [{"vi": d, "en": d} for d in other_documents if d.strip()]
    if not documents:
        raise IncompleteDraft("a supplement request names at least one missing document (documents or other_documents)")
    details = {"reason": {"vi": reason_vi.strip(), "en": (reason_en or "").strip() or reason_vi.strip()}, "documents": documents}
    return change_state(session=session, desk=desk, dossier=dossier, target=SUPPLEMENT, actor=actor, details=details)


def supply(*, session: Session, desk: DossierDesk, dossier: Dossier, documents: list[str], note: str) -> DossierEvent:
    """The citizen answers a supplement request: the dossier goes back to processing with what they supplied."""
    if dossier.state != SUPPLEMENT:
        raise Conflict(f"dossier {dossier.code} is {label(dossier.state, 'en').lower()}; nothing was asked to be supplemented")
    if not documents and not note.strip():
        raise IncompleteDraft("say what you supply: the documents, or a note for the officer")
    details = {"supplied": [d for d in documents if d.strip()], "note": note.strip()}
    return change_state(session=session, desk=desk, dossier=dossier, target=PROCESSING, actor="citizen", details=details)


def dossier_json(dossier: Dossier, desk: DossierDesk, lang: str = "vi") -> dict[str, Any]:
    """The dossier as its citizen (or an anonymous visitor with code and phone) sees it: no field values, no phone."""
    procedure = desk.procedures.get(dossier.form_code)
    template = desk.templates.get(dossier.form_code)
    latest_supplement = next((e for e in reversed(dossier.events) if e.state == SUPPLEMENT), None)
    out: dict[str, Any] = {
        "code": dossier.code,
        "form_code": dossier.form_code,
        "title": template.title_in(lang) if template else dossier.form_code,
        "procedure": dossier.procedure,
        "state": dossier.state,
        "state_label": label(dossier.state, lang),
        "submitted_at": dossier.submitted_at.isoformat(),
        "expected_on": dossier.expected_on.isoformat(),
        "office": (procedure.office.get(lang) or procedure.office["vi"]) if procedure else None,
        "history": [
            {"state": e.state, "label": label(e.state, lang), "at": e.at.isoformat(), **_event_details(e.details or {}, lang)}
            for e in dossier.events
        ],
        "supplement": None,
        "collect": None,
    }
    if dossier.state == SUPPLEMENT and latest_supplement is not None:
        out["supplement"] = _event_details(latest_supplement.details or {}, lang)
    if dossier.state == READY and procedure is not None:
        out["collect"] = procedure.collect.get(lang) or procedure.collect["vi"]
    return out


def _event_details(details: dict[str, Any], lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if details.get("reason"):
        reason = details["reason"]
        out["reason"] = reason.get(lang) or reason.get("vi") if isinstance(reason, dict) else str(reason)
    if details.get("documents"):
        out["documents"] = [d.get(lang) or d.get("vi") if isinstance(d, dict) else str(d) for d in details["documents"]]
    return out


def officer_json(dossier: Dossier, desk: DossierDesk) -> dict[str, Any]:
    """What the processing officer works with: the citizen view in Vietnamese, the next states, and the documents catalogue."""
    procedure = desk.procedures.get(dossier.form_code)
    return {
        **dossier_json(dossier, desk, "vi"),
        "next_states": list(allowed(dossier.state)),
        "documents_catalogue": [{"id": d.id, "label": d.label["vi"]} for d in procedure.documents] if procedure else [],
        "history": [
            {"state": e.state, "label": label(e.state, "vi"), "at": e.at.isoformat(), "actor": e.actor, **_officer_details(e.details or {})}
            for e in dossier.events
        ],
    }


def _officer_details(details: dict[str, Any]) -> dict[str, Any]:
    out = _event_details(details, "vi")
    if details.get("supplied") or details.get("note"):
        out["supplied"] = list(details.get("supplied") or [])
        out["note"] = details.get("note") or ""
    return out
