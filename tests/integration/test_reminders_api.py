"""Reminders and their consent through the real app (SQLite and PostgreSQL): nothing without consent, the reminders
with it, nothing once revoked (here or in the consents list), and one citizen's answer never another's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from api.identity.demo_provider import load_demo_citizens
from api.settings import Settings
from db.identity import Consent
from db.session import session_scope
from tests.conftest import ROOT, TEST_EMBEDDER
from tests.integration.test_dossiers_api import client
from tests.integration.test_prefill_api import MAI_ANH, RecordingRasa

SAME_SITE = {"Origin": "http://testserver"}
HUY = ("001202000041", "demo-gia-huy")  # turns 25 on 20/01/2027 (data/demo/citizens.yaml)
FIELDS = ["date_of_birth", "passport_expiry", "temporary_residence_until"]


@pytest.fixture
def app(settings: Settings) -> Iterator[Any]:
    app = create_app(settings, embedder=TEST_EMBEDDER, rasa_transport=httpx.MockTransport(RecordingRasa().handler))
    with TestClient(app, headers=SAME_SITE):
        with session_scope(app.state.sessions) as session:
            load_demo_citizens(session=session, path=ROOT / "data" / "demo" / "citizens.yaml")
        yield app


def renewal_due(app: Any) -> bool:
    """The demo's card-renewal window (docs/dossiers.md): 22/10/2026 to 20/01/2028."""
    return dt.date(2026, 10, 22) <= app.state.dossiers.local_date(dt.datetime.now(dt.UTC)) <= dt.date(2028, 1, 20)


def test_without_consent_no_reminders_and_the_page_is_asked_to_ask(app: Any) -> None:
    answer = client(app, HUY).get("/api/reminders", params={"lang": "en"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["consent"] == "required" and body["ask"] is True and body["reminders"] == []
    assert [f["field"] for f in body["fields"]] == FIELDS and body["fields"][0]["label"] == "date of birth"
    assert "20/01/2002" not in answer.text and "2002-01-20" not in answer.text
    assert client(app).get("/api/reminders").status_code == 401


def test_with_consent_the_reminders_of_the_consented_fields(app: Any) -> None:
    huy = client(app, HUY)
    granted = huy.post("/api/reminders/consent", json={"granted": True, "lang": "en"})
    assert granted.status_code == 200 and granted.json()["consent"] == "granted"
    kinds = {r["kind"] for r in granted.json()["reminders"]}
    assert ({"id_card_renewal"} if renewal_due(app) else set()) <= kinds
    assert huy.get("/api/reminders", params={"lang": "en"}).json()["reminders"] == granted.json()["reminders"]
    with app.state.sessions() as session:
        [consent] = session.scalars(select(Consent).where(Consent.form_code == "reminders"))
        assert consent.granted and consent.fields == FIELDS and consent.revoked_at is None
    listed = [c for c in huy.get("/api/identity/consents").json() if c["form_code"] == "reminders"]
    assert [c["id"] for c in listed] == [consent.id] and listed[0]["fields"] == FIELDS


def test_a_refusal_is_recorded_and_asked_again_only_at_the_next_sign_in(app: Any) -> None:
    refused = client(app, HUY).post("/api/reminders/consent", json={"granted": False})
    assert refused.status_code == 200
    assert refused.json() | {"fields": None} == {"consent": "required", "ask": False, "reminders": [], "fields": None}
    assert client(app, HUY).get("/api/reminders").json()["ask"] is True  # a new sign-in
    with app.state.sessions() as session:
        [row] = session.scalars(select(Consent).where(Consent.form_code == "reminders"))
        assert row.granted is False


@pytest.mark.parametrize("how", ["reminders", "consents list"])
def test_revoked_no_reminders(app: Any, how: str) -> None:
    huy = client(app, HUY)
    consent_id = huy.post("/api/reminders/consent", json={"granted": True}).json()["consent_id"]
    if how == "reminders":
        revoked = huy.delete("/api/reminders/consent")
        assert revoked.status_code == 200 and revoked.json()["consent"] == "required"
    else:
        assert huy.delete(f"/api/identity/consents/{consent_id}").json()["revoked_at"]
    after = huy.get("/api/reminders").json()
    assert after["consent"] == "required" and after["reminders"] == [] and after["ask"] is False
    assert huy.delete("/api/reminders/consent").status_code == 200  # nothing left to revoke: no error


def test_another_citizen_neither_sees_nor_revokes_the_consent(app: Any) -> None:
    huy, mai = client(app, HUY), client(app, MAI_ANH)
    consent_id = huy.post("/api/reminders/consent", json={"granted": True}).json()["consent_id"]
    assert mai.get("/api/reminders").json()["consent"] == "required"
    assert mai.delete("/api/reminders/consent").json()["consent"] == "required"
    assert mai.delete(f"/api/identity/consents/{consent_id}").status_code == 404
    assert all(c["form_code"] != "reminders" for c in mai.get("/api/identity/consents").json())
    assert huy.get("/api/reminders").json()["consent"] == "granted"


def test_the_consent_endpoints_need_the_session_and_the_sites_own_origin(app: Any) -> None:
    anonymous = client(app)
    assert anonymous.post("/api/reminders/consent", json={"granted": True}).status_code == 401
    assert anonymous.delete("/api/reminders/consent").status_code == 401
    huy = client(app, HUY)
    forged = huy.post("/api/reminders/consent", json={"granted": True}, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    assert huy.delete("/api/reminders/consent", headers={"Origin": "https://evil.example"}).status_code == 403
    assert huy.get("/api/reminders").json()["consent"] == "required"
