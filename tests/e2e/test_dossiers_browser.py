"""Issue 16 "Done when", in Debian chromium: a signed-in citizen fills CT01 by chat and submits it, the processing
officer asks for a supplement on /agent/dossiers, the citizen reads the reason in the chat and supplies it, the
officer completes the dossier and the citizen sees "result ready"; lookup by code + phone for an anonymous visitor;
the renewal reminder of a demo citizen near an ID card age, shown only once she consented to the identity check
(declining shows none)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.e2e.conftest import Product, running_product

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
TIMEOUT = 30_000
PHONE = "0900000999"
REASON = "Thiếu bản sao hợp đồng thuê nhà có công chứng."


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    """The product with the demo citizens, staff (officer1, agent1) and dossiers; the call center always open."""
    env = {"HELPDESK_HANDOFF__ALWAYS_OPEN": "true"}
    with running_product(tmp_path_factory.mktemp("dossiers"), env=env, seed_demo=True) as running:
        yield running


@pytest.fixture
def citizen(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture
def officer(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture
def agent(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture
def anonymous(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    yield context
    context.close()


def type_message(page: Page, text: str) -> None:
    page.get_by_test_id("chat-input").fill(text)
    page.keyboard.press("Enter")


def last_bot_says(page: Page, text: str) -> None:
    expect(page.locator("[data-testid=chat-message][data-sender=bot]").last).to_contain_text(text, timeout=TIMEOUT)


def citizen_signs_in(page: Page, product: Product, username: str, password: str, name: str) -> None:
    page.goto(product.app_url + "/")
    page.get_by_test_id("login-button").click()
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("identity-name")).to_contain_text(name, timeout=TIMEOUT)


def fill_and_submit_ct01(page: Page) -> str:
    """CT01 by chat (as in test_prefill_browser.py), confirmed, then submitted with the explicit confirmation; the dossier code."""
    type_message(page, "giúp tôi điền tờ khai CT01")
    last_bot_says(page, "Bạn có đồng ý không?")
    page.get_by_role("button", name="Đồng ý", exact=True).last.click()
    last_bot_says(page, "Kính gửi")
    type_message(page, "Công an phường Dịch Vọng, quận Cầu Giấy")
    last_bot_says(page, "Nội dung đề nghị")
    type_message(page, "Đăng ký thường trú tại phường Dịch Vọng")
    last_bot_says(page, "Thành viên trong hộ gia đình")
    type_message(page, "không")
    expect(page.get_by_test_id("form-summary").last).to_be_visible(timeout=TIMEOUT)
    page.get_by_test_id("form-summary").last.locator("[data-field=dien_thoai]").get_by_test_id("summary-edit").click()
    last_bot_says(page, "Vui lòng cho biết: Số điện thoại liên hệ")
    type_message(page, PHONE)
    expect(page.get_by_test_id("form-summary")).to_have_count(2, timeout=TIMEOUT)
    page.get_by_role("button", name="Xác nhận", exact=True).last.click()
    expect(page.get_by_test_id("application-pdf").last).to_be_visible(timeout=TIMEOUT)

    page.get_by_role("button", name="Nộp hồ sơ trực tuyến", exact=True).last.click()
    last_bot_says(page, "Sau khi nộp, tờ khai không sửa được nữa")  # the explicit confirmation comes first
    page.get_by_role("button", name="Xác nhận nộp hồ sơ", exact=True).last.click()
    last_bot_says(page, "Mã hồ sơ:")
    text = page.locator("[data-testid=chat-message][data-sender=bot]").last.inner_text()
    match = re.search(r"Mã hồ sơ: (HS-\d{6}-[A-Z0-9]{6})", text)
    assert match, text
    return match.group(1)


def officer_opens(page: Page, product: Product, code: str) -> None:
    page.goto(product.app_url + "/agent/dossiers")
    page.get_by_test_id("login-username").fill("officer1")
    page.get_by_test_id("login-password").fill("officer1-demo")
    page.get_by_test_id("login-submit").click()
    page.locator(f"[data-testid=bo-row][data-code='{code}']").get_by_test_id("bo-open").click()
    expect(page.get_by_test_id("bo-detail")).to_have_attribute("data-code", code, timeout=TIMEOUT)


def officer_moves(page: Page, to: str) -> None:
    page.locator(f"[data-testid=bo-action][data-to={to}]").click()
    expect(page.get_by_test_id("bo-state")).to_have_attribute("data-state", to, timeout=TIMEOUT)


def test_submit_supplement_and_result_in_the_browser(
    seeded: Product, citizen: Page, officer: Page, agent: Page, anonymous: BrowserContext
) -> None:
    citizen_signs_in(citizen, seeded, "001190000011", "demo-mai-anh", "Nguyễn Thị Mai Anh")
    code = fill_and_submit_ct01(citizen)

    officer_opens(officer, seeded, code)
    expect(officer.get_by_test_id("bo-state")).to_have_attribute("data-state", "received")
    officer.locator("[data-testid=bo-action][data-to=supplement_requested]").click()
    officer.get_by_test_id("bo-reason-vi").fill(REASON)
    officer.get_by_test_id("bo-document").first.check()
    officer.get_by_test_id("bo-send-supplement").click()
    expect(officer.get_by_test_id("bo-state")).to_have_attribute("data-state", "supplement_requested", timeout=TIMEOUT)

    # the notice reaches the open chat by polling, with its button that opens the supplement card
    notice = citizen.get_by_test_id("system-notice").filter(has_text=REASON.rstrip("."))
    expect(notice).to_contain_text(f"Hồ sơ {code} cần bổ sung", timeout=TIMEOUT)
    notice.locator(f"[data-testid=chat-button][data-payload='dossier-supplement:{code}']").click()
    card = citizen.get_by_test_id("supplement-form")
    expect(card).to_contain_text(REASON.rstrip("."), timeout=TIMEOUT)
    expect(card.get_by_test_id("supplement-document")).to_have_count(1)
    expect(card.get_by_test_id("supplement-document")).to_be_checked()
    card.get_by_test_id("supplement-note").fill("Đã gửi bản công chứng.")
    card.get_by_role("button", name="Gửi bổ sung").click()
    expect(card.get_by_test_id("supplement-status")).to_contain_text("Đã gửi bổ sung", timeout=TIMEOUT)

    # the officer's page refreshes itself: the dossier is back in processing, with what the citizen supplied
    expect(officer.get_by_test_id("bo-state")).to_have_attribute("data-state", "processing", timeout=TIMEOUT)
    expect(officer.get_by_test_id("bo-history")).to_contain_text("Đã gửi bản công chứng.")
    officer_moves(officer, "result_ready")

    ready = citizen.get_by_test_id("system-notice").filter(has_text=f"Hồ sơ {code} đã có kết quả")
    expect(ready).to_be_visible(timeout=TIMEOUT)
    type_message(citizen, "hồ sơ của tôi đến đâu rồi?")
    mine = re.compile(re.escape(code) + r" — [^•]*: Đã có kết quả")  # the list has Mai Anh's demo dossiers too
    expect(citizen.locator("[data-testid=chat-message][data-sender=bot]").last).to_contain_text(mine, timeout=TIMEOUT)

    # the agent who takes the citizen's chat sees the citizen's dossiers, without the phone number on them
    citizen.get_by_test_id("welcome").get_by_test_id("chat-button").last.click()  # "Gặp tổng đài viên"
    expect(citizen.get_by_test_id("chat-status")).to_have_attribute("data-state", "waiting", timeout=TIMEOUT)
    agent.goto(seeded.app_url + "/agent")
    agent.get_by_test_id("login-username").fill("agent1")
    agent.get_by_test_id("login-password").fill("agent1-demo")
    agent.get_by_test_id("login-submit").click()
    agent.get_by_test_id("claim-next").click()
    expect(agent.locator(f"[data-testid=ticket-dossier][data-code='{code}']")).to_contain_text("Đã có kết quả", timeout=TIMEOUT)
    expect(agent.get_by_test_id("ticket-dossiers")).to_contain_text("HS-261101-MA7K2Q")  # her demo dossier
    expect(agent.get_by_test_id("ticket-dossiers")).not_to_contain_text(PHONE)

    # an anonymous visitor: code + the phone on the dossier, and the same 404 for a wrong phone
    lookup = seeded.app_url + "/api/dossiers/lookup"
    found = anonymous.request.post(lookup, data={"code": code, "phone": PHONE})
    assert found.status == 200, found.text()
    assert found.json()["state"] == "result_ready" and PHONE not in found.text()
    wrong = anonymous.request.post(lookup, data={"code": code, "phone": "0900000998"})
    unknown = anonymous.request.post(lookup, data={"code": "HS-000000-AAAAAA", "phone": PHONE})
    assert wrong.status == unknown.status == 404 and wrong.json() == unknown.json()


def reminder_question(page: Page) -> Locator:
    """The consent question after sign-in: which identity fields, and why."""
    question = page.get_by_test_id("reminders-consent")
    expect(question).to_contain_text("ngày sinh, ngày hết hạn hộ chiếu, ngày hết hạn tạm trú", timeout=TIMEOUT)
    expect(question).to_contain_text("để nhắc khi cần cấp đổi thẻ căn cước")
    return question


def test_declining_the_identity_check_shows_no_reminder(seeded: Product, citizen: Page) -> None:
    citizen_signs_in(citizen, seeded, "001202000041", "demo-gia-huy", "Phạm Gia Huy")
    reminder_question(citizen).get_by_role("button", name="Không, cảm ơn").click()
    expect(citizen.get_by_test_id("reminders-consent-status")).to_contain_text("không đọc dữ liệu định danh", timeout=TIMEOUT)
    expect(citizen.get_by_test_id("reminder")).to_have_count(0)
    citizen.reload()  # the same sign-in: not asked again, still nothing read
    expect(citizen.get_by_test_id("identity-name")).to_contain_text("Phạm Gia Huy", timeout=TIMEOUT)
    citizen.wait_for_load_state("networkidle")
    expect(citizen.get_by_test_id("reminders-consent")).to_have_count(0)
    expect(citizen.get_by_test_id("reminder")).to_have_count(0)


def test_reminder_of_a_card_renewal_age_after_consent(seeded: Product, citizen: Page) -> None:
    citizen_signs_in(citizen, seeded, "001202000041", "demo-gia-huy", "Phạm Gia Huy")  # a new sign-in asks again
    question = reminder_question(citizen)
    expect(citizen.get_by_test_id("reminder")).to_have_count(0)
    question.get_by_role("button", name="Đồng ý kiểm tra").click()
    reminder = citizen.locator("[data-testid=reminder][data-kind=id_card_renewal]")
    expect(reminder).to_contain_text("Bạn tròn 25 tuổi vào ngày 20/01/2027", timeout=TIMEOUT)
    reminder.get_by_role("button", name="Xem hướng dẫn thủ tục").click()  # renewal is done at the police: a guide, no form
    expect(citizen.get_by_test_id("answer-card").last).to_have_attribute("data-code", "1.014063", timeout=TIMEOUT)
    passport = citizen.locator("[data-testid=reminder][data-kind=passport_expiry]")
    expect(passport.get_by_role("button", name="Điền tờ khai")).to_have_attribute("data-payload", '/start_form{"form_code":"TK01-HC"}')
    consents = citizen.request.get(seeded.app_url + "/api/identity/consents").json()
    assert (
        len([c for c in consents if c["form_code"] == "reminders" and c["granted"] and not c["revoked_at"]]) == 1
    )  # listed with the forms' ones
    citizen.get_by_test_id("reminders-consent-revoke").click()
    expect(citizen.get_by_test_id("reminders-consent-granted")).to_contain_text("Đã rút lại sự đồng ý", timeout=TIMEOUT)
    expect(citizen.get_by_test_id("reminder")).to_have_count(0)
    assert citizen.request.get(seeded.app_url + "/api/reminders").json()["reminders"] == []
