"""The dashboard and the supervisor view in Debian chromium under the app's CSP (issue 15).

The product runs with the demo data (`seed-demo`: staff accounts and four weeks of synthetic
history). Screenshots are saved under the test's tmp dir; the layout facts are asserted from
bounding boxes: the sign-in fields are one line tall and the form is not a narrow column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import Product, running_product
from tests.e2e.test_csp_browser import TIMEOUT, context, open_page, staff_sign_in, watched

__all__ = ["context"]  # the fixture, shared with the CSP test
pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def product(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    with running_product(tmp_path_factory.mktemp("dashboard"), seed_demo=True, rasa=False) as running:
        yield running


def assert_sign_in_form_laid_out(page: Page, shot: Path) -> None:
    form = page.get_by_test_id("agent-login")
    expect(form).to_be_visible(timeout=TIMEOUT)
    page.screenshot(path=str(shot), full_page=True)
    box = form.bounding_box()
    assert box is not None and box["width"] > 300, box
    for field in ("login-username", "login-password"):
        field_box = page.get_by_test_id(field).bounding_box()
        assert field_box is not None and field_box["height"] < 60 and field_box["width"] > 250, (field, field_box)


def test_supervisor_sign_in_page_layout(product: Product, context: BrowserContext, tmp_path: Path) -> None:
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    open_page(page, product.app_url + "/agent/supervisor")
    assert_sign_in_form_laid_out(page, tmp_path / "supervisor-sign-in.png")
    staff_sign_in(page, "supervisor")
    expect(page.get_by_test_id("sla")).not_to_be_empty(timeout=TIMEOUT)
    page.screenshot(path=str(tmp_path / "supervisor.png"), full_page=True)


def test_dashboard_charts_tables_csv_and_empty_states(product: Product, context: BrowserContext, tmp_path: Path) -> None:
    violations: list[str] = []
    page = watched(context, violations)
    page.set_viewport_size({"width": 1400, "height": 900})
    open_page(page, product.app_url + "/agent/dashboard")
    assert_sign_in_form_laid_out(page, tmp_path / "dashboard-sign-in.png")
    staff_sign_in(page, "supervisor")

    sections = page.get_by_test_id("dash-section")
    expect(sections).to_have_count(6, timeout=TIMEOUT)
    charts = page.get_by_test_id("dash-chart")
    expect(charts.first).to_have_attribute("data-loaded", "true", timeout=TIMEOUT)
    assert charts.count() >= 10
    for i in range(charts.count()):
        expect(charts.nth(i)).to_have_attribute("data-loaded", "true", timeout=TIMEOUT)
    widths = page.eval_on_selector_all("[data-testid=dash-chart]", "els => els.map(e => e.naturalWidth)")
    assert all(w > 0 for w in widths), widths  # every chart decoded as an image under the policy
    chart_box = page.locator("[data-chart=hours]").bounding_box()
    assert chart_box is not None and chart_box["width"] > 250 and chart_box["height"] > 100
    hours = page.locator("[data-testid=dash-table][data-table=hours] tbody tr")
    expect(hours).to_have_count(24)
    waits = page.locator("[data-testid=dash-table][data-table=waits] tbody tr").first
    expect(waits).to_contain_text("Tất cả")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    with page.expect_download(timeout=TIMEOUT) as download:
        page.locator("[data-testid=dash-csv][data-table=hours]").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    lines = saved.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Giờ,Tin nhắn của công dân,Cuộc trò chuyện" and len(lines) == 25
    assert any(line.split(",")[1] not in ("0", "< 5") for line in lines[1:])  # a few weeks of history: busy hours

    page.get_by_test_id("dash-lang").click()
    expect(page.get_by_test_id("dash-apply")).to_have_text("Show")
    expect(page.locator("[data-testid=dash-section][data-section=queue] h2")).to_have_text("Queue", timeout=TIMEOUT)

    page.get_by_test_id("dash-start").fill("2020-01-01")
    page.get_by_test_id("dash-end").fill("2020-01-31")
    page.get_by_test_id("dash-apply").click()
    expect(page.get_by_test_id("dash-note")).to_contain_text("No conversation in this range", timeout=TIMEOUT)
    expect(page.get_by_test_id("dash-empty").first).to_be_visible()
    expect(page.get_by_test_id("dash-error")).to_be_empty()
    page.screenshot(path=str(tmp_path / "dashboard-empty.png"), full_page=True)

    page.get_by_test_id("dash-start").fill(str(dt.date.today() - dt.timedelta(days=400)))
    page.get_by_test_id("dash-end").fill(str(dt.date.today()))
    page.get_by_test_id("dash-apply").click()
    expect(page.get_by_test_id("dash-error")).to_contain_text("the longest is 366 (a year)", timeout=TIMEOUT)
    assert violations == []


def test_editor_sees_the_knowledge_part(product: Product, context: BrowserContext) -> None:
    page = context.new_page()
    open_page(page, product.app_url + "/agent/dashboard")
    staff_sign_in(page, "editor1")
    expect(page.get_by_test_id("dash-section")).to_have_count(2, timeout=TIMEOUT)
    assert page.eval_on_selector_all("[data-testid=dash-section]", "els => els.map(e => e.dataset.section)") == ["answers", "demand"]
