"""The consent to reminders: none, granted, refused, revoked, another citizen's; only the consented fields are read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from api.dossiers import reminder_consent
from api.dossiers.reminders import load_rules, needed_fields
from db.base import utcnow
from db.identity import CitizenSession, Consent
from tests.conftest import ROOT

RULES = load_rules(ROOT / "data" / "reminders.yaml")
TODAY = dt.date(2027, 1, 10)  # Gia Huy turns 25 on 20/01/2027, his passport ends on 15/03/2027
HUY = {"full_name": "Phạm Gia Huy", "date_of_birth": "20/01/2002", "personal_id": "001202000041", "passport_expiry": "15/03/2027"}


class WatchedProfile(dict[str, Any]):
    """A profile that remembers which keys were read."""

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)


def signed_in(subject: str, profile: dict[str, Any]) -> CitizenSession:
    now = utcnow()
    return CitizenSession(
        id=subject, subject=subject, issuer="test", profile=profile, created_at=now, expires_at=now + dt.timedelta(hours=1)
    )


def check(session: Session, citizen: CitizenSession, lang: str = "vi") -> dict[str, Any]:
    return reminder_consent.reminders_for(session=session, citizen=citizen, rules=RULES, today=TODAY, lang=lang)


def test_without_consent_nothing_of_the_profile_is_read(sessions: sessionmaker[Session]) -> None:
    profile = WatchedProfile(HUY)
    with sessions.begin() as session:
        out = check(session, signed_in("huy", profile), lang="en")
    assert out["consent"] == "required" and out["ask"] is True and out["reminders"] == []
    assert [f["field"] for f in out["fields"]] == ["date_of_birth", "passport_expiry", "temporary_residence_until"]
    assert out["fields"][0]["label"] == "date of birth"
    assert profile.read == set()


def test_a_granted_consent_reads_only_the_fields_the_rules_need(sessions: sessionmaker[Session]) -> None:
    profile = WatchedProfile(HUY)
    with sessions.begin() as session:
        consent = reminder_consent.record(session=session, subject="huy", fields=needed_fields(RULES), granted=True)
        out = check(session, signed_in("huy", profile))
    assert out["consent"] == "granted" and out["consent_id"] == consent.id and out["ask"] is False
    assert [r["kind"] for r in out["reminders"]] == ["id_card_renewal", "passport_expiry"]
    assert profile.read <= set(needed_fields(RULES)) and "personal_id" not in profile.read and "full_name" not in profile.read


def test_a_consent_covering_fewer_fields_reads_only_those(sessions: sessionmaker[Session]) -> None:
    profile = WatchedProfile(HUY)
    with sessions.begin() as session:
        reminder_consent.record(session=session, subject="huy", fields=["passport_expiry"], granted=True)
        out = check(session, signed_in("huy", profile))
    assert [r["kind"] for r in out["reminders"]] == ["passport_expiry"]
    assert profile.read == {"passport_expiry"}


def test_a_refusal_is_recorded_and_not_asked_again_in_the_same_sign_in(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        citizen = signed_in("huy", HUY)
        refused = reminder_consent.record(session=session, subject="huy", fields=needed_fields(RULES), granted=False)
        out = check(session, citizen)
        later = signed_in("huy", HUY)
        later.created_at = utcnow() + dt.timedelta(seconds=1)
        again = check(session, later)
    assert refused.form_code == "reminders" and refused.granted is False
    assert out == out | {"consent": "required", "ask": False, "reminders": []}
    assert again["ask"] is True  # the next sign-in asks again


def test_revoked_reads_nothing_and_revoking_twice_is_no_error(sessions: sessionmaker[Session]) -> None:
    profile = WatchedProfile(HUY)
    with sessions.begin() as session:
        reminder_consent.record(session=session, subject="huy", fields=needed_fields(RULES), granted=True)
        revoked = reminder_consent.revoke(session=session, subject="huy")
        assert reminder_consent.revoke(session=session, subject="huy") is None
        out = check(session, signed_in("huy", profile))
    assert revoked is not None and revoked.revoked_at is not None
    assert out["consent"] == "required" and out["reminders"] == [] and profile.read == set()


def test_a_new_answer_replaces_the_active_consent(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        first = reminder_consent.record(session=session, subject="huy", fields=needed_fields(RULES), granted=True)
        reminder_consent.record(session=session, subject="huy", fields=needed_fields(RULES), granted=False)
        assert first.revoked_at is not None and reminder_consent.active(session=session, subject="huy") is None


def test_another_citizens_consent_and_a_form_consent_do_not_count(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        reminder_consent.record(session=session, subject="mai", fields=needed_fields(RULES), granted=True)
        session.add(Consent(subject="huy", form_code="TK01-HC", fields=["ngay_sinh"], granted=True))
        session.flush()
        out = check(session, signed_in("huy", HUY))
    assert out["consent"] == "required" and out["reminders"] == []
