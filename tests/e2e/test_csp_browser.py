"""The three pages (citizen chat with sign-in, agent console, editor) work under the Content-Security-Policy
in Debian chromium: no violation is reported while a citizen signs in through the demo provider's form,
asks and signs out, an agent signs in, and an editor signs in and sees the guides."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import INDEX, Product, running_product
from tests.e2e.test_editor_e2e import store_served_guides

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
TIMEOUT = 30_000
# Playwright's init scripts are not subject to the page's policy: the listener sees every violation.
REPORT_VIOLATIONS = """
window.cspSeen = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const text = `${location.pathname}: ${e.effectiveDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`;
  window.cspSeen.push(text);
  window.cspViolation(text);
});
"""


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    """The product with the demo staff accounts (agent1, editor1), and the guides it serves in its database for the editor."""
    work = tmp_path_factory.mktemp("csp")
    shutil.copytree(INDEX, work / "index", ignore=shutil.ignore_patterns(".build.lock"))
    env = {"HELPDESK_INDEX_DIR": str(work / "index")}
    with running_product(
        work, env=env, seed_demo=True, before_start=lambda e: store_served_guides(e["HELPDESK_DATABASE_URL"], work / "index")
    ) as running:
        yield running


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    yield context
    context.close()


def watched(context: BrowserContext, violations: list[str]) -> Page:
    context.expose_binding("cspViolation", lambda _source, text: violations.append(text))
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    return page


def open_page(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, url
    assert "script-src 'self';" in response.headers["content-security-policy"], url  # the policy is really on


def staff_sign_in(page: Page, username: str) -> None:
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(f"{username}-demo")
    page.get_by_test_id("login-submit").click()


def test_the_three_pages_work_under_the_policy(seeded: Product, context: BrowserContext) -> None:
    product = seeded
    violations: list[str] = []
    page = watched(context, violations)

    # citizen: the demo provider's login form posts, the chat POSTs with the session cookie, sign-out POSTs
    open_page(page, product.app_url + "/")
    page.get_by_test_id("login-button").click()
    page.get_by_test_id("login-username").fill("001190000011")
    page.get_by_test_id("login-password").fill("demo-mai-anh")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("identity-name")).to_contain_text("Nguyễn Thị Mai Anh", timeout=TIMEOUT)
    page.get_by_test_id("chat-input").fill("Đăng ký thường trú cần giấy tờ gì?")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("answer-card").last).to_contain_text("Đăng ký thường trú", timeout=TIMEOUT)
    page.get_by_test_id("logout-button").click()
    expect(page.get_by_test_id("login-button")).to_be_visible(timeout=TIMEOUT)

    # agent console
    open_page(page, product.app_url + "/agent")
    staff_sign_in(page, "agent1")
    expect(page.get_by_test_id("agent-name")).to_contain_text("agent1", timeout=TIMEOUT)

    # editor: sign in and the list of guides
    open_page(page, product.app_url + "/editor")
    staff_sign_in(page, "editor1")
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("editor1", timeout=TIMEOUT)
    expect(page.get_by_test_id("guide-row").first).to_be_visible(timeout=TIMEOUT)

    assert violations == []

    # and the watch works: an inline script added to the page is blocked, and reported
    page.evaluate("document.body.append(Object.assign(document.createElement('script'), {textContent: 'window.inlineRan = 1'}))")
    page.wait_for_function("window.cspSeen.length > 0", timeout=TIMEOUT)
    assert page.evaluate("window.inlineRan") is None
    assert "script-src-elem blocked inline" in page.evaluate("window.cspSeen[0]")
