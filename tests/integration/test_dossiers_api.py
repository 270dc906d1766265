"""Dossiers through the real app (SQLite and PostgreSQL): submit a draft, idempotency, refusals, lookup by code
and phone, the officer's transitions, and the notices in the conversation and the outbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from api.auth.passwords import hash_password
from api.dossiers.notify import DemoSender, drain
from api.identity.demo_provider import load_demo_citizens
from api.settings import Settings
from db.dossiers import Dossier, OutboxMessage
from db.identity import ApplicationDraft
from db.models import Conversation, Message
from db.session import session_scope
from db.staff import StaffUser
from tests.conftest import ROOT, TEST_EMBEDDER
from tests.integration.test_prefill_api import BAO, MAI_ANH, RecordingRasa, sign_in

SAME_SITE = {"Origin": "http://testserver"}
OFFICER_PASSWORD = "officer-test-pass"


@pytest.fixture
def app(settings: Settings) -> Iterator[Any]:
    settings = settings.model_copy(update={"limits": settings.limits.model_copy(update={"dossier_lookup_per_address": "3/minute"})})
    app = create_app(settings, embedder=TEST_EMBEDDER, rasa_transport=httpx.MockTransport(RecordingRasa().handler))
    with TestClient(app, headers=SAME_SITE):
        with session_scope(app.state.sessions) as session:
            load_demo_citizens(session=session, path=ROOT / "data" / "demo" / "citizens.yaml")
            session.add(
                StaffUser(
                    username="officer", display_name="Cán bộ", password_hash=hash_password(OFFICER_PASSWORD), roles=["processing_officer"]
                )
            )
            session.add(StaffUser(username="agentx", display_name="Agent", password_hash=hash_password(OFFICER_PASSWORD), roles=["agent"]))
        yield app


def client(app: Any, account: tuple[str, str] | None = None) -> TestClient:
    c = TestClient(app, headers=SAME_SITE)
    if account:
        assert sign_in(c, account).status_code == 303
    return c


def staff(app: Any, username: str) -> TestClient:
    c = TestClient(app, headers=SAME_SITE)
    token = c.post("/api/auth/token", data={"username": username, "password": OFFICER_PASSWORD}).json()["access_token"]
    c.headers["Authorization"] = f"Bearer {token}"
    return c


def subject_of(app: Any, username: str) -> str:
    return {"001190000011": "demo-7f3a9c21", "079085000021": "demo-2b8e4d90"}[username]


def draft(app: Any, subject: str, *, complete: bool = True, phone: str = "0900 000 111") -> str:
    """A CT01 draft as the form flow confirms it: every required field (or all but two) filled."""
    template = app.state.forms.templates["CT01"]
    values = [
        {"field": f.id, "label": f.label["vi"], "value": phone if f.type == "phone" else "x", "source": "citizen"}
        for f in template.fields
        if f.required
    ]
    if not complete:
        values = [v for v in values if v["field"] not in ("co_quan_tiep_nhan", "dien_thoai")]
    with session_scope(app.state.sessions) as session:
        row = ApplicationDraft(subject=subject, form_code="CT01", values=values)
        session.add(row)
        session.flush()
        return row.id


def test_submit_gives_a_code_and_a_working_day_date_and_twice_is_one_dossier(app: Any) -> None:
    mai = client(app, MAI_ANH)
    draft_id = draft(app, subject_of(app, MAI_ANH[0]))
    first = mai.post(f"/api/applications/{draft_id}/submit", json={"lang": "vi"})
    assert first.status_code == 201, first.text
    dossier = first.json()
    assert dossier["state"] == "received" and dossier["code"].startswith("HS-")
    submitted = dt.date.fromisoformat(dossier["submitted_at"][:10])
    expected = dt.date.fromisoformat(dossier["expected_on"])
    assert (expected - submitted).days >= 7  # 7 working days never fit in fewer calendar days
    assert expected.weekday() < 5
    again = mai.post(f"/api/applications/{draft_id}/submit", json={"lang": "vi"})
    assert again.status_code == 200 and again.json()["code"] == dossier["code"]
    with app.state.sessions() as session:
        assert session.scalar(select(Dossier).where(Dossier.draft_id == draft_id)).code == dossier["code"]
        assert len(list(session.scalars(select(Dossier)))) == 1
        assert session.get(ApplicationDraft, draft_id).status == "submitted"
    other_key = mai.post(f"/api/applications/{draft_id}/submit", headers={"Idempotency-Key": "another-try"})
    assert other_key.status_code == 409 and dossier["code"] in other_key.json()["detail"]
    listed = mai.get("/api/dossiers").json()
    assert [d["code"] for d in listed] == [dossier["code"]] and listed[0]["history"][0]["state"] == "received"


def test_an_incomplete_draft_is_refused_naming_what_is_missing(app: Any) -> None:
    mai = client(app, MAI_ANH)
    refused = mai.post(f"/api/applications/{draft(app, subject_of(app, MAI_ANH[0]), complete=False)}/submit")
    assert refused.status_code == 422
    assert "Kính gửi" in refused.json()["detail"] and "Số điện thoại liên hệ" in refused.json()["detail"]
    english = mai.post(f"/api/applications/{draft(app, subject_of(app, MAI_ANH[0]), complete=False)}/submit", json={"lang": "en"})
    assert "To (registration authority)" in english.json()["detail"]


def test_another_citizens_draft_and_dossier_are_404(app: Any) -> None:
    mai, bao = client(app, MAI_ANH), client(app, BAO)
    draft_id = draft(app, subject_of(app, MAI_ANH[0]))
    assert bao.post(f"/api/applications/{draft_id}/submit").status_code == 404
    code = mai.post(f"/api/applications/{draft_id}/submit").json()["code"]
    assert bao.get(f"/api/dossiers/{code}").status_code == 404
    assert bao.get("/api/dossiers").json() == []
    assert client(app).get("/api/dossiers").status_code == 401


def test_lookup_by_code_and_phone_and_the_same_404_for_a_wrong_phone(app: Any) -> None:
    mai = client(app, MAI_ANH)
    code = mai.post(f"/api/applications/{draft(app, subject_of(app, MAI_ANH[0]))}/submit").json()["code"]
    anonymous = client(app)
    found = anonymous.post("/api/dossiers/lookup", json={"code": code.lower(), "phone": "+84 900 000 111"})
    assert found.status_code == 200 and found.json()["state"] == "received"
    assert "phone" not in found.json() and "subject" not in found.json()
    wrong_phone = anonymous.post("/api/dossiers/lookup", json={"code": code, "phone": "0900000999"})
    unknown = anonymous.post("/api/dossiers/lookup", json={"code": "HS-000000-AAAAAA", "phone": "0900000111"})
    assert wrong_phone.status_code == unknown.status_code == 404 and wrong_phone.json() == unknown.json()


def test_a_malformed_code_is_422(app: Any) -> None:
    refused = client(app).post("/api/dossiers/lookup", json={"code": "x' OR 1=1 --", "phone": "0900000111"})
    assert refused.status_code == 422
    [error] = refused.json()["detail"]  # FastAPI's documented shape (the schema fuzzer checks it)
    assert error["loc"] == ["body", "code"] and "not a dossier code" in error["msg"]


def test_lookups_are_rate_limited_per_address(app: Any) -> None:
    anonymous = client(app)
    statuses = [
        anonymous.post("/api/dossiers/lookup", json={"code": f"HS-000000-AAAAA{i}", "phone": "0900000111"}).status_code for i in range(4)
    ]
    assert statuses == [404, 404, 404, 429]


def test_the_officer_loop_supplement_then_result_with_notices_in_the_chat_and_the_outbox(app: Any) -> None:
    mai = client(app, MAI_ANH)
    conversation = mai.post("/api/chat/messages", json={"text": "xin chào", "lang": "vi"}).json()["conversation_id"]
    code = mai.post(f"/api/applications/{draft(app, subject_of(app, MAI_ANH[0]))}/submit", json={"conversation_id": conversation}).json()[
        "code"
    ]
    officer = staff(app, "officer")
    assert officer.post(f"/api/backoffice/dossiers/{code}/advance", json={"to": "result_ready"}).status_code == 409
    assert officer.post(f"/api/backoffice/dossiers/{code}/advance", json={"to": "processing"}).status_code == 200
    asked = officer.post(
        f"/api/backoffice/dossiers/{code}/supplement",
        json={"reason_vi": "Thiếu giấy tờ chỗ ở", "reason_en": "Proof of residence is missing", "documents": ["proof_of_residence"]},
    )
    assert asked.status_code == 200 and asked.json()["state"] == "supplement_requested"
    assert asked.json()["next_states"] == ["processing", "closed"]

    english = mai.get(f"/api/dossiers/{code}", params={"lang": "en"}).json()
    assert english["supplement"] == {"reason": "Proof of residence is missing", "documents": ["Proof of lawful residence"]}
    messages = mai.get(f"/api/chat/{conversation}/messages").json()["messages"]
    notice = next(m for m in messages if m["kind"] == "dossier" and "bổ sung" in m["text"])
    assert notice["sender"] == "system" and "Thiếu giấy tờ chỗ ở" in notice["text"] and "chứng minh chỗ ở hợp pháp" in notice["text"]
    assert notice["buttons"] == [{"title": "Bổ sung hồ sơ", "payload": f"dossier-supplement:{code}"}]

    assert mai.post(f"/api/dossiers/{code}/supplement", json={"documents": [], "note": ""}).status_code == 422
    supplied = mai.post(f"/api/dossiers/{code}/supplement", json={"documents": ["Giấy tờ chứng minh chỗ ở hợp pháp"], "note": "Đã bổ sung"})
    assert supplied.status_code == 200 and supplied.json()["state"] == "processing"
    assert mai.post(f"/api/dossiers/{code}/supplement", json={"note": "again"}).status_code == 409
    assert officer.post(f"/api/backoffice/dossiers/{code}/advance", json={"to": "result_ready"}).status_code == 200
    ready = mai.get(f"/api/dossiers/{code}").json()
    assert ready["state"] == "result_ready" and "VNeID" in ready["collect"]
    assert [h["state"] for h in ready["history"]] == ["received", "processing", "supplement_requested", "processing", "result_ready"]
    texts = [m["text"] for m in mai.get(f"/api/chat/{conversation}/messages").json()["messages"] if m["kind"] == "dossier"]
    assert any("đã có kết quả" in t for t in texts)

    with app.state.sessions() as session:
        outbox = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        assert [m.recipient for m in outbox] == ["0900000111"] * 3  # received, supplement, result
    assert drain(factory=app.state.sessions, sender=DemoSender()) == 3
    assert drain(factory=app.state.sessions, sender=DemoSender()) == 0
    with app.state.sessions() as session:
        assert all(m.sent_at is not None and m.delivery.startswith("demo:sms") for m in session.scalars(select(OutboxMessage)))


def test_a_failed_send_is_retried(app: Any) -> None:
    mai = client(app, MAI_ANH)
    mai.post(f"/api/applications/{draft(app, subject_of(app, MAI_ANH[0]))}/submit")

    class Down:
        def send(self, message: OutboxMessage) -> str:
            raise ConnectionError("gateway down")

    assert drain(factory=app.state.sessions, sender=Down()) == 0
    with app.state.sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert row.sent_at is None and row.attempts == 1 and "gateway down" in row.delivery
    assert drain(factory=app.state.sessions, sender=DemoSender()) == 1


def test_without_a_conversation_the_notice_goes_to_the_citizens_latest_one_and_the_receipt_only_to_the_outbox(app: Any) -> None:
    mai = client(app, MAI_ANH)
    conversation = mai.post("/api/chat/messages", json={"text": "xin chào", "lang": "vi"}).json()["conversation_id"]
    code = mai.post(f"/api/applications/{draft(app, subject_of(app, MAI_ANH[0]))}/submit").json()["code"]
    with app.state.sessions() as session:
        assert not list(session.scalars(select(Message).where(Message.kind == "dossier")))  # the submitter already has the code
        assert code in session.scalars(select(OutboxMessage)).one().text
    assert staff(app, "officer").post(f"/api/backoffice/dossiers/{code}/advance", json={"to": "processing"}).status_code == 200
    with app.state.sessions() as session:
        notices = list(session.scalars(select(Message).where(Message.conversation_id == conversation, Message.kind == "dossier")))
        assert len(notices) == 1 and notices[0].text == f"Hồ sơ {code}: Đang xử lý."
        assert session.get(Conversation, conversation).subject == subject_of(app, MAI_ANH[0])


@pytest.mark.parametrize("role", ["agentx", None])
def test_only_processing_officers_reach_the_back_office(app: Any, role: str | None) -> None:
    c = staff(app, role) if role else client(app)
    assert c.get("/api/backoffice/dossiers").status_code == (403 if role else 401)


# ---- the chat actions (as rasa-sdk runs them, with the identity token the app puts in the metadata)
def identity_token(app: Any, subject: str) -> str:
    from api.identity.session import actions_token
    from db.identity import CitizenSession

    with app.state.sessions() as session:
        row = session.scalars(
            select(CitizenSession).where(CitizenSession.subject == subject).order_by(CitizenSession.created_at.desc())
        ).first()
        return actions_token(row, app.state.settings.secret_key)


def chat_tracker(text: str, intent: str, metadata: dict[str, Any], entities: list[dict[str, Any]] | None = None) -> Any:
    from rasa_sdk import Tracker

    message = {"text": text, "intent": {"name": intent}, "entities": entities or [], "metadata": metadata}
    return Tracker("conv-actions", {}, message, [], False, None, {}, "action_listen")


async def run_action(action: Any, tracker: Any) -> list[dict[str, Any]]:
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, tracker, {})
    return [m["custom"] for m in dispatcher.messages]


def services(app: Any) -> Any:
    from actions.services import Services

    return Services(lambda: None, app.state.forms, None, app.state.dossiers)


async def test_where_is_my_application_lists_the_citizens_dossiers_with_the_supplement_reason(app: Any) -> None:
    from actions.dossiers import ActionDossierStatus

    mai = client(app, MAI_ANH)
    subject = subject_of(app, MAI_ANH[0])
    code = mai.post(f"/api/applications/{draft(app, subject)}/submit").json()["code"]
    officer = staff(app, "officer")
    officer.post(
        f"/api/backoffice/dossiers/{code}/supplement",
        json={"reason_vi": "Thiếu hợp đồng", "reason_en": "No contract", "documents": ["rental_contract"]},
    )
    metadata = {"lang": "en", "identity": identity_token(app, subject)}
    [reply] = await run_action(ActionDossierStatus(services(app)), chat_tracker("where is my application?", "ask_dossier_status", metadata))
    assert reply["kind"] == "dossier_list" and code in reply["text"] and "Supplement requested" in reply["text"]
    assert "No contract" in reply["text"] and "Notarised rental" in reply["text"]
    assert reply["buttons"] == [{"title": f"Supplement {code}", "payload": f"dossier-supplement:{code}"}]
    [anonymous] = await run_action(
        ActionDossierStatus(services(app)), chat_tracker("hồ sơ của tôi đến đâu rồi?", "ask_dossier_status", {"lang": "vi"})
    )
    assert anonymous["kind"] == "dossier_lookup" and code not in anonymous["text"]


async def test_submitting_in_the_chat_asks_for_confirmation_first_and_twice_is_one_dossier(app: Any) -> None:
    from actions.dossiers import ActionSubmitApplication

    client(app, BAO)
    subject = subject_of(app, BAO[0])
    draft_id = draft(app, subject, phone="0900000222")
    metadata = {"lang": "vi", "identity": identity_token(app, subject)}
    action = ActionSubmitApplication(services(app))
    [confirm] = await run_action(action, chat_tracker("nộp hồ sơ", "submit_application", metadata))
    assert confirm["kind"] == "submit_confirm" and "7 ngày làm việc" in confirm["text"]
    with app.state.sessions() as session:
        assert not list(session.scalars(select(Dossier)))  # nothing submitted without the confirmation
    confirmed = [{"entity": "application_id", "value": draft_id}, {"entity": "submit_confirmed", "value": "yes"}]
    assert confirm["buttons"][0]["payload"] == f'/submit_application{{"application_id":"{draft_id}","submit_confirmed":"yes"}}'
    [done] = await run_action(action, chat_tracker(confirm["buttons"][0]["payload"], "submit_application", metadata, confirmed))
    assert done["kind"] == "dossier_submitted" and "Mã hồ sơ: HS-" in done["text"]
    [again] = await run_action(action, chat_tracker(confirm["buttons"][0]["payload"], "submit_application", metadata, confirmed))
    assert again["kind"] == "dossier_submitted" and done["dossier"]["code"] in again["text"]
    with app.state.sessions() as session:
        [dossier] = session.scalars(select(Dossier))
        assert dossier.conversation_id == "conv-actions" and dossier.phone == "0900000222"
    [signed_out] = await run_action(action, chat_tracker("nộp hồ sơ", "submit_application", {"lang": "vi"}))
    assert signed_out["kind"] == "login_required"


def test_reminders_at_sign_in_for_a_citizen_near_a_renewal_age(app: Any) -> None:
    """Phạm Gia Huy turns 25 on 20/01/2027; his passport and temporary residence end soon (data/demo/citizens.yaml)."""
    huy = client(app, ("001202000041", "demo-gia-huy"))
    today = app.state.dossiers.local_date(dt.datetime.now(dt.UTC))
    assert huy.post("/api/reminders/consent", json={"granted": True}).status_code == 200  # tests/integration/test_reminders_api.py
    reminders = huy.get("/api/reminders", params={"lang": "en"}).json()["reminders"]
    expected = {"id_card_renewal"} if dt.date(2026, 10, 22) <= today <= dt.date(2028, 1, 20) else set()
    assert expected <= {r["kind"] for r in reminders}
    assert all(r["text"] and r["due_on"] for r in reminders)
    mai = client(app, MAI_ANH)
    assert mai.post("/api/reminders/consent", json={"granted": True}).json()["reminders"] == [] or today.year >= 2029  # 40 on 14/03/2030
    assert client(app).get("/api/reminders").status_code == 401
