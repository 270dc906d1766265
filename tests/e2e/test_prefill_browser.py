"""Sign in, consent, prefill, a correction, confirmation and the PDF, in Debian chromium."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pypdf
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Product

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
TIMEOUT = 30_000


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True)
    yield context.new_page()
    context.close()


def type_message(page: Page, text: str) -> None:
    page.get_by_test_id("chat-input").fill(text)
    page.keyboard.press("Enter")


def last_bot_says(page: Page, text: str) -> None:
    expect(page.locator("[data-testid=chat-message][data-sender=bot]").last).to_contain_text(text, timeout=TIMEOUT)


def test_citizen_signs_in_and_fills_ct01(product: Product, page: Page) -> None:
    page.goto(product.app_url + "/")
    page.get_by_test_id("login-button").click()
    page.get_by_test_id("login-username").fill("001190000011")
    page.get_by_test_id("login-password").fill("demo-mai-anh")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("identity-name")).to_contain_text("Nguyễn Thị Mai Anh", timeout=TIMEOUT)

    type_message(page, "giúp tôi điền tờ khai CT01")
    last_bot_says(page, "Bạn có đồng ý không?")
    page.get_by_role("button", name="Đồng ý", exact=True).last.click()
    last_bot_says(page, "Kính gửi")
    type_message(page, "Công an phường Dịch Vọng, quận Cầu Giấy")
    last_bot_says(page, "Nội dung đề nghị")
    type_message(page, "Đăng ký thường trú tại phường Dịch Vọng")
    last_bot_says(page, "Thành viên trong hộ gia đình")
    type_message(page, "không")

    summary = page.get_by_test_id("form-summary").last
    expect(summary).to_be_visible(timeout=TIMEOUT)
    identity_row = summary.locator("[data-field=so_dinh_danh]")
    expect(identity_row).to_contain_text("001190000011")
    expect(identity_row).to_contain_text("Từ định danh điện tử")

    summary.locator("[data-field=dien_thoai]").get_by_test_id("summary-edit").click()
    last_bot_says(page, "Vui lòng cho biết: Số điện thoại liên hệ")
    type_message(page, "0900 000 999")
    expect(page.get_by_test_id("form-summary")).to_have_count(2, timeout=TIMEOUT)
    phone_row = page.get_by_test_id("form-summary").last.locator("[data-field=dien_thoai]")
    expect(phone_row).to_contain_text("0900000999")
    expect(phone_row).to_contain_text("Bạn nhập")

    page.get_by_role("button", name="Xác nhận", exact=True).last.click()
    link = page.get_by_test_id("application-pdf").last
    expect(link).to_be_visible(timeout=TIMEOUT)
    pdf = page.request.get(product.app_url + (link.get_attribute("href") or ""))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.body())).pages)
    assert "Nguyễn Thị Mai Anh" in text and "Đăng ký thường trú tại phường Dịch Vọng" in text and "0900000999" in text
