"""The citizen's consent to reminders from identity data, kept where the forms keep theirs: a `consents` row
whose `form_code` is the purpose `reminders` and whose `fields` are the profile fields the rules read
(data/reminders.yaml). Without an active one a reminder reads nothing; it is revoked here or like any
consent (`DELETE /api/identity/consents/{id}`, api/forms/flow.py).

    record(session=s, subject=sub, fields=needed_fields(rules), granted=True)
    reminders_for(session=s, citizen=signed_in, rules=rules, today=dt.date(2027, 1, 1), lang="vi")
    revoke(session=s, subject=sub)                                # then: {"consent": "required", "reminders": [], …}
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.dossiers.reminders import due_reminders, field_labels, needed_fields, only_fields
from db.base import aware, utcnow
from db.identity import CitizenSession, Consent

PURPOSE = "reminders"


def _answers(session: Session, subject: str) -> list[Consent]:
    return list(session.scalars(select(Consent).where(Consent.subject == subject, Consent.form_code == PURPOSE).order_by(Consent.id)))


def active(*, session: Session, subject: str) -> Consent | None:
    """The citizen's granted, unrevoked consent to reminders, if any."""
    return next((c for c in reversed(_answers(session, subject)) if c.granted and c.revoked_at is None), None)


def should_ask(*, session: Session, subject: str, since: dt.datetime) -> bool:
    """Whether to ask now: no active consent, and no answer given or revoked since `since` (the sign-in),
    so a citizen who declined is asked again at the next sign-in, not at every page."""
    answers = _answers(session, subject)
    if any(c.granted and c.revoked_at is None for c in answers):
        return False
    moments = [aware(m) for c in answers for m in (c.created_at, c.revoked_at) if m is not None]
    return not moments or max(moments) < aware(since)


def revoke(*, session: Session, subject: str) -> Consent | None:
    """End the active consent (None when there was none: revoking twice is not an error)."""
    consent = active(session=session, subject=subject)
    if consent is not None:
        consent.revoked_at = utcnow()
        session.flush()
    return consent


def record(*, session: Session, subject: str, fields: list[str], granted: bool) -> Consent:
    """The citizen's answer to the question; it replaces an active consent, so at most one is active."""
    revoke(session=session, subject=subject)
    consent = Consent(subject=subject, form_code=PURPOSE, fields=list(fields), granted=granted)
    session.add(consent)
    session.flush()
    return consent


def reminders_for(
    *, session: Session, citizen: CitizenSession, rules: dict[str, dict[str, Any]], today: dt.date, lang: str
) -> dict[str, Any]:
    """The citizen's reminders and the consent behind them, as `GET /api/reminders` answers: without an active consent
    `"consent": "required"`, no reminders, and nothing of the profile read; with one, only the fields it covers."""
    out: dict[str, Any] = {"fields": field_labels(rules, lang), "reminders": []}
    consent = active(session=session, subject=citizen.subject)
    if consent is None:
        return out | {"consent": "required", "ask": should_ask(session=session, subject=citizen.subject, since=citizen.created_at)}
    profile = only_fields(citizen.profile, [f for f in needed_fields(rules) if f in consent.fields])
    due = due_reminders(profile, today=today, rules=rules, lang=lang)
    return out | {"consent": "granted", "ask": False, "consent_id": consent.id, "reminders": [r.json() for r in due]}
