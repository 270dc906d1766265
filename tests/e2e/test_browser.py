"""The portal page in Debian chromium, driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Product

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def test_citizen_asks_and_sees_a_cited_answer(product: Product, page: Page) -> None:
    page.goto(product.app_url + "/")
    page.get_by_test_id("chat-input").fill("Đăng ký thường trú cần giấy tờ gì?")
    page.keyboard.press("Enter")
    card = page.get_by_test_id("answer-card").last
    expect(card).to_be_visible(timeout=20_000)
    expect(card).to_contain_text("Đăng ký thường trú")
    citation = card.get_by_test_id("answer-citation")
    expect(citation).to_contain_text("1.004222")
    assert (citation.get_attribute("href") or "").startswith("https://")
    expect(page.get_by_test_id("chat-log")).to_have_attribute("aria-live", "polite")


def test_english_toggle_and_keyboard_only(product: Product, page: Page) -> None:
    page.goto(product.app_url + "/")
    page.get_by_test_id("lang-toggle").first.click()
    page.get_by_test_id("chat-input").focus()
    page.keyboard.type("How much does permanent residence registration cost?")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("answer-card").last).to_contain_text("Permanent residence registration", timeout=20_000)


def test_replies_follow_the_language_typed_without_the_toggle(product: Product, page: Page) -> None:
    page.goto(product.app_url + "/")
    page.get_by_test_id("chat-input").fill("How much does permanent residence registration cost?")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("answer-card").last).to_contain_text("Permanent residence registration", timeout=20_000)


def test_html_in_messages_is_shown_as_text(product: Product, page: Page) -> None:
    page.goto(product.app_url + "/")
    page.get_by_test_id("chat-input").fill("<img src=x onerror=window.pwned=1>")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("chat-log")).to_contain_text("<img src=x", timeout=20_000)
    assert page.evaluate("window.pwned") is None
