"""Sign in with the demo provider and fill in CT01 through our API, the real Rasa 3.6 server and the form actions."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import httpx
import pypdf
import pytest

from tests.e2e.conftest import Product

pytestmark = pytest.mark.e2e
BAO = ("079085000021", "demo-quoc-bao")
MAI_ANH = ("001190000011", "demo-mai-anh")


def signed_in(product: Product, account: tuple[str, str]) -> httpx.Client:
    # the Origin a browser sends on a POST: signed-in changes are refused without it (api/web/origin.py)
    client = httpx.Client(base_url=product.app_url, timeout=60, follow_redirects=True, headers={"Origin": product.app_url})
    page = client.get("/api/identity/login")  # → the demo provider's login page
    assert page.status_code == 200 and "/demo-idp/authorize" in str(page.url)
    hidden = {k: html.unescape(v) for k, v in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text)}
    done = client.post("/demo-idp/authorize", data={**hidden, "username": account[0], "password": account[1]})
    assert done.status_code == 200 and done.url.path == "/", done.text[:300]
    assert client.get("/api/identity/me").json()["signed_in"] is True
    return client


@pytest.fixture
def bao(product: Product) -> Iterator[httpx.Client]:
    with closing(signed_in(product, BAO)) as client:
        yield client


class Conversation:
    def __init__(self, client: httpx.Client) -> None:
        self.client, self.id = client, None

    def say(self, text: str) -> list[dict[str, Any]]:
        response = self.client.post("/api/chat/messages", json={"conversation_id": self.id, "text": text, "lang": "vi"})
        response.raise_for_status()
        self.id = response.json()["conversation_id"]
        return response.json()["messages"]


def kinds(messages: list[dict[str, Any]]) -> list[str]:
    return [m["kind"] for m in messages]


def test_a_form_needs_a_signed_in_citizen(product: Product) -> None:
    with httpx.Client(base_url=product.app_url, timeout=60) as anonymous:
        messages = Conversation(anonymous).say("giúp tôi điền tờ khai CT01")
    assert kinds(messages) == ["login_required"]


def test_sign_in_consent_prefill_missing_fields_correction_confirmation_pdf(product: Product, bao: httpx.Client) -> None:
    chat = Conversation(bao)
    assert kinds(chat.say("giúp tôi điền tờ khai CT01")) == ["text", "consent"]
    replies = chat.say("/affirm")
    assert kinds(replies) == ["text", "form_question"] and "Kính gửi" in replies[-1]["text"]
    prefilled = {f["field"]: f for f in bao.get("/api/forms/CT01/progress").json()["fields"]}
    assert prefilled["so_dinh_danh"] == {**prefilled["so_dinh_danh"], "value": "079085000021", "source": "identity"}

    assert "Số điện thoại" in chat.say("Công an phường Thảo Điền, Thành phố Thủ Đức")[-1]["text"]  # not on record: asked
    refused = chat.say("09abc12345")
    assert kinds(refused) == ["form_error", "form_question"] and "không có chữ cái" in refused[0]["text"]

    # the citizen leaves; a new conversation picks the form up where it was
    chat = Conversation(bao)
    resumed = chat.say("điền tiếp tờ khai")
    assert "Tiếp tục" in resumed[0]["text"] and "Số điện thoại" in resumed[-1]["text"]
    chat.say("0900000222")
    assert "Thành viên" in chat.say("Đăng ký tạm trú tại Thành phố Thủ Đức")[-1]["text"]
    bad = chat.say("Lê Minh An; 31/02/2020; Nam; 079220000041; Con")
    assert "tháng 2 năm 2020 chỉ có 29 ngày" in bad[0]["text"]
    assert "dòng 1" in chat.say("Lê Minh An; 28/02/2020; Nam; 079220000041; Con")[-1]["text"]
    assert kinds(chat.say("xong"))[-1] == "form_summary"
    assert "Số điện thoại" in chat.say("sửa số điện thoại")[-1]["text"]
    assert kinds(chat.say("0900000223"))[-1] == "form_summary"
    assert kinds(chat.say("/affirm")) == ["form_done"]

    [summary] = bao.get("/api/applications").json()
    draft = bao.get(f"/api/applications/{summary['id']}").json()
    fields = {f["field"]: f for f in draft["fields"]}
    assert fields["ho_ten"]["source"] == "identity" and fields["dien_thoai"]["value"] == "0900000223"
    assert fields["dien_thoai"]["source"] == "citizen" and fields["thanh_vien_ho_gia_dinh"]["value"][0]["ho_ten"] == "Lê Minh An"
    pdf = bao.get(summary["pdf_url"])
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Lê Quốc Bảo" in text and "Công an phường Thảo Điền" in text

    # what the citizen typed into the form is not in the transcript
    transcript = bao.get(f"/api/chat/{chat.id}/messages").json()["messages"]
    assert not any("0900000223" in m["text"] or "Lê Minh An" in m["text"] for m in transcript)

    with closing(signed_in(product, MAI_ANH)) as other:
        assert other.get(f"/api/applications/{summary['id']}").status_code == 404
        assert other.get(summary["pdf_url"]).status_code == 404
    with httpx.Client(base_url=product.app_url) as anonymous:
        assert anonymous.get(f"/api/applications/{summary['id']}").status_code == 401


def test_consent_refused_means_the_form_asks(product: Product) -> None:
    with closing(signed_in(product, MAI_ANH)) as client:
        chat = Conversation(client)
        assert kinds(chat.say("điền tờ khai đề nghị cấp hộ chiếu")) == ["text", "consent"]
        replies = chat.say("/deny")
        assert "không dùng dữ liệu định danh" in replies[0]["text"] and "Họ, chữ đệm và tên" in replies[-1]["text"]
        assert client.get("/api/forms/TK01-HC/progress").json()["fields"] == []
        assert kinds(chat.say("dừng")) == ["text"]
