"""A form filled in conversation, on a real database: consent, prefill, missing fields, corrections, confirmation."""

from __future__ import annotations

from typing import Any

import pytest

from api.errors import NotFound
from api.forms.flow import FormFlow, Turn
from db.identity import ApplicationDraft, Consent, FormProgress
from db.session import session_scope

SUBJECT = "demo-2b8e4d90"


class Chat:
    """One citizen talking to the flow, a turn per call, each in its own transaction."""

    def __init__(self, sessions, flow: FormFlow, profile: dict[str, Any], form_code: str = "CT01", subject: str = SUBJECT) -> None:  # type: ignore[no-untyped-def]
        self.sessions, self.flow, self.profile, self.code, self.subject = sessions, flow, profile, form_code, subject

    def begin(self) -> str:
        with session_scope(self.sessions) as s:
            return self.flow.begin(session=s, subject=self.subject, form_code=self.code, lang="vi", profile=self.profile)[0].text

    def question(self):  # type: ignore[no-untyped-def]
        with session_scope(self.sessions) as s:
            return self.flow.question(session=s, subject=self.subject, form_code=self.code, lang="vi", profile=self.profile)

    def say(self, text: str, intent: str | None = None) -> Turn:
        with session_scope(self.sessions) as s:
            return self.flow.answer(
                session=s, subject=self.subject, profile=self.profile, form_code=self.code, text=text, intent=intent, lang="vi"
            )

    def values(self) -> dict[str, Any]:
        with self.sessions() as s:
            progress = self.flow.progress(session=s, subject=self.subject, form_code=self.code)
            return progress.values if progress else {}


@pytest.fixture
def bao(sessions, flow: FormFlow, citizens) -> Chat:  # type: ignore[no-untyped-def]
    return Chat(sessions, flow, citizens[1]["profile"])


def test_consent_prefill_missing_fields_correction_and_confirmation(bao: Chat, sessions) -> None:  # type: ignore[no-untyped-def]
    assert "Bắt đầu" in bao.begin()
    consent = bao.question()
    assert consent.kind == "consent" and "Số định danh cá nhân" in consent.text and "Số điện thoại" not in consent.text
    assert "079085000021" not in consent.text  # labels, never values
    assert "8 mục" in bao.say("/affirm", "affirm").replies[0].text

    values = bao.values()
    assert values["ho_ten"] == {"value": "Lê Quốc Bảo", "source": "identity"}
    assert values["ngay_sinh"]["value"] == "30/11/1985" and values["so_dinh_danh"]["value"] == "079085000021"

    # only what is missing is asked, in template order: the phone is not on record
    assert bao.question().data["field"] == "co_quan_tiep_nhan"
    bao.say("Công an phường Thảo Điền, Thành phố Thủ Đức")
    assert bao.question().data["field"] == "dien_thoai"
    refused = bao.say("09abc12345").replies[0]
    assert refused.kind == "form_error" and "không có chữ cái" in refused.text
    bao.say("0900 000 222")
    assert bao.question().data["field"] == "noi_dung_de_nghi"
    bao.say("Đăng ký tạm trú tại Thành phố Thủ Đức")
    assert bao.question().data["field"] == "thanh_vien_ho_gia_dinh"
    bad_row = bao.say("Lê Minh An; 31/02/2020; Nam; 079220000041; Con").replies[0]
    assert "tháng 2 năm 2020 chỉ có 29 ngày" in bad_row.text
    bao.say("Lê Minh An; 28/02/2020; Nam; 079220000041; Con")
    assert "dòng 1" in bao.question().text
    bao.say("xong")
    summary = bao.question()
    assert summary.kind == "form_summary" and "8 mục từ định danh" in summary.text

    # a prefilled value corrected by the citizen becomes the citizen's
    assert "Họ, chữ đệm và tên" in bao.say("sửa họ, chữ đệm và tên").replies[0].text
    bao.say("Lê Quốc Bảo Anh")
    assert bao.values()["ho_ten"] == {"value": "Lê Quốc Bảo Anh", "source": "citizen"}
    assert bao.question().kind == "form_summary"

    done = bao.say("xác nhận")
    assert done.finished and done.replies[0].kind == "form_done"
    with sessions() as s:
        [draft] = s.query(ApplicationDraft).all()
        assert draft.subject == SUBJECT and s.query(FormProgress).count() == 0
    fields = {v["field"]: v for v in draft.values}
    assert fields["so_dinh_danh"]["source"] == "identity" and fields["dien_thoai"] == {
        "field": "dien_thoai",
        "label": "Số điện thoại liên hệ",
        "value": "0900000222",
        "source": "citizen",
    }
    assert fields["thanh_vien_ho_gia_dinh"]["value"][0]["ngay_sinh"] == "28/02/2020"


def test_without_consent_everything_is_asked(bao: Chat, sessions) -> None:  # type: ignore[no-untyped-def]
    bao.begin()
    assert "không dùng dữ liệu định danh" in bao.say("không đồng ý", "deny").replies[0].text
    assert bao.values() == {}
    assert bao.question().data["field"] == "co_quan_tiep_nhan"
    bao.say("Công an phường Thảo Điền")
    assert bao.question().data["field"] == "ho_ten"
    with sessions() as s:
        [consent] = s.query(Consent).all()
    assert consent.granted is False and consent.form_code == "CT01" and "so_dinh_danh" in consent.fields


def test_leaving_and_coming_back_keeps_the_answers(bao: Chat) -> None:
    bao.begin()
    bao.say("/affirm", "affirm")
    bao.say("Công an phường Thảo Điền")
    assert bao.say("để sau").finished
    assert "đã điền 9 mục" in bao.begin()
    assert bao.question().data["field"] == "dien_thoai"


def test_revoking_consent_removes_identity_values(bao: Chat, flow: FormFlow, sessions) -> None:  # type: ignore[no-untyped-def]
    bao.begin()
    bao.say("/affirm", "affirm")
    bao.say("Công an phường Thảo Điền")
    with session_scope(sessions) as s:
        consent_id = s.query(Consent).one().id
        flow.revoke_consent(session=s, subject=SUBJECT, consent_id=consent_id)
    assert set(bao.values()) == {"co_quan_tiep_nhan"}
    assert bao.question().data["field"] == "ho_ten"
    with session_scope(sessions) as s, pytest.raises(NotFound):
        flow.revoke_consent(session=s, subject="someone-else", consent_id=consent_id)


def test_a_later_form_reuses_a_granted_consent(sessions, flow: FormFlow, citizens) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(sessions, flow, citizens[0]["profile"], form_code="TK01-HC", subject="demo-7f3a9c21")
    chat.begin()
    chat.say("/affirm", "affirm")
    chat.say("dừng")
    with session_scope(sessions) as s:
        s.query(FormProgress).delete()
    chat.begin()
    assert chat.question().data["field"] == "nghe_nghiep"  # no second consent question
