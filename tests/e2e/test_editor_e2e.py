"""Editors publish and citizens get the new guide: the real Rasa server, the app, a real browser.

Every test runs against two products, each with its own database, index and Rasa server
calling back into it (these tests publish; var/index stays read-only):

- `curated`: a copy of the served index (the curated guides, the real embedding model);
- `full-scale`: the curated guides and 2,611 synthetic national records of realistic size
  (`bench.synthetic`), embedded with the hash model to keep the build short. A publish or a
  reload that is slow with the whole national database shows here.

Nothing is timed against a target (a loaded CI machine is slow): changes must arrive within
a generous bounded wait, and the seconds are printed; bench/publish.py measures them.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from db.models import GuideRow, GuideVersionRow
from db.session import make_engine, make_sessionmaker, session_scope
from knowledge.guides import guide_to_dict
from knowledge.index import IndexMismatch, load_index
from tests.conftest import ROOT
from tests.e2e.conftest import INDEX, Product, full_scale_knowledge, running_product
from tests.e2e.test_browser import page  # noqa: F401  (fixture: a page of the conftest's chromium)

pytestmark = [pytest.mark.e2e]
PY = str(ROOT / ".venv/bin/python")
WAIT_S = 60.0  # bounded and generous: the seconds are printed, and measured by bench/publish.py


@pytest.fixture(scope="module", params=["curated", "full-scale"])
def editable(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    work = tmp_path_factory.mktemp(f"editable-{request.param}")
    if request.param == "full-scale":
        env, before_start = full_scale_knowledge(work), None
    else:
        shutil.copytree(INDEX, work / "index", ignore=shutil.ignore_patterns(".build.lock"))
        env = {"HELPDESK_INDEX_DIR": str(work / "index")}

        def before_start(env: dict[str, str]) -> None:
            store_served_guides(env["HELPDESK_DATABASE_URL"], work / "index")

    env["HELPDESK_LIMITS__SEARCH_PER_ADDRESS"] = "100000/minute"  # searches as fast as the machine serves them, during a publish
    with running_product(work, env=env, seed_demo=True, before_start=before_start) as running:
        yield running


def store_served_guides(url: str, index_dir: Path) -> None:
    """The database holds exactly the guide versions the copied index serves, so a publish re-indexes only its own guide."""
    try:
        served = load_index(index_dir, None)
    except IndexMismatch as exc:
        pytest.fail(f"{exc}: the served index is older than this code")
    engine = make_engine(url)
    with session_scope(make_sessionmaker(engine)) as session:
        for code, item in served.guides.items():
            guide = item.guide
            row = GuideRow(
                code=code, title=guide.title, domain=guide.domain, origin=guide.origin, status="published", current_version=item.version
            )
            session.add(row)
            session.flush()
            data = guide_to_dict(guide)
            session.add(GuideVersionRow(guide_id=row.id, version=item.version, fingerprint=guide.fingerprint(), data=data, source="e2e"))
    engine.dispose()


def bearer(product: Product, username: str) -> dict[str, str]:
    response = httpx.post(f"{product.app_url}/api/auth/token", data={"username": username, "password": f"{username}-demo"}, timeout=10)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def pigeon_guide() -> dict:
    return {
        "code": "9.000001",
        "domain": "Nông nghiệp",
        "agency": "Ủy ban nhân dân cấp xã",
        "source_url": "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=9.000001",
        "vi": {
            "title": "Đăng ký nuôi chim bồ câu đưa thư",
            "summary": "Hộ nuôi chim bồ câu đưa thư đăng ký tại Ủy ban nhân dân cấp xã.",
            "questions": ["Nuôi chim bồ câu đưa thư cần giấy tờ gì?"],
            "steps": ["Nộp tờ khai đăng ký nuôi chim bồ câu đưa thư.", "Nhận giấy xác nhận trong 3 ngày làm việc."],
            "documents": [{"case": "Hộ gia đình", "items": ["Tờ khai đăng ký nuôi chim bồ câu đưa thư", "Căn cước"]}],
            "channels": [{"kind": "in_person", "time": "3 ngày làm việc", "fee": "Miễn phí", "note": ""}],
        },
    }


def to_review(base: str, editor: dict[str, str], guide: dict) -> int:
    detail = httpx.post(f"{base}/api/editor/guides", json={"guide": guide}, headers=editor, timeout=30).json()
    return httpx.post(
        f"{base}/api/editor/guides/{guide['code']}/submit", json={"lock_version": detail["lock_version"]}, headers=editor, timeout=60
    ).json()["lock_version"]


def test_searches_running_during_a_publish_never_fail(editable: Product) -> None:
    base = editable.app_url
    guide = {**pigeon_guide(), "code": "9.000011"}
    guide["vi"] = {**guide["vi"], "title": "Đăng ký nuôi chim yến lấy tổ"}
    lock = to_review(base, bearer(editable, "editor1"), guide)
    failures: list[str] = []
    served = 0
    stop = threading.Event()

    def search_forever() -> None:
        nonlocal served
        with httpx.Client(base_url=base, timeout=30) as client:
            while not stop.is_set():
                response = client.get("/api/search", params={"q": "đăng ký thường trú"})
                if response.status_code != 200 or response.json()["results"][0]["code"] != "1.004222":
                    failures.append(f"{response.status_code} {response.text[:200]}")
                served += 1

    def until_served(count: int) -> None:
        """Searches are counted, not timed: a loaded machine serves fewer per second."""
        deadline = time.monotonic() + WAIT_S
        while served < count and time.monotonic() < deadline:
            time.sleep(0.05)

    editor2 = bearer(editable, "editor2")
    threads = [threading.Thread(target=search_forever) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        until_served(3)  # searching before the publish …
        published = httpx.post(f"{base}/api/editor/guides/9.000011/publish", json={"lock_version": lock}, headers=editor2, timeout=60)
        until_served(served + 10)  # … and after it
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert published.status_code == 200, published.text
    assert served >= 13 and not failures, failures[:3]


def test_a_published_guide_is_answered_in_the_chat(editable: Product) -> None:
    base = editable.app_url
    lock = to_review(base, bearer(editable, "editor1"), pigeon_guide())
    editor2 = bearer(editable, "editor2")
    started = time.monotonic()
    published = httpx.post(f"{base}/api/editor/guides/9.000001/publish", json={"lock_version": lock}, headers=editor2, timeout=60)
    assert published.status_code == 200, published.text
    publish_s, parts = time.monotonic() - started, published.json()["seconds"]
    answered_s = None
    while time.monotonic() - started < WAIT_S:
        response = httpx.post(f"{base}/api/chat/messages", json={"text": "Nuôi chim bồ câu đưa thư cần giấy tờ gì?"}, timeout=30)
        if response.status_code == 429:  # asking again and again hits the per-client limit: wait as told
            time.sleep(float(response.headers.get("Retry-After", "1")))
            continue
        assert response.status_code == 200, response.text
        answers = [m for m in response.json()["messages"] if m["kind"] == "answer" and m["answer"]["status"] == "answered"]
        if answers and answers[0]["answer"]["procedures"][0]["code"] == "9.000001":
            answered_s = time.monotonic() - started
            break
    print(f"\npublish request {publish_s:.2f} s {parts}; answerable through /api/chat/messages after {answered_s} s")
    assert answered_s is not None, f"the published guide was not answered in the chat within {WAIT_S} s"


@pytest.mark.browser
def test_an_editor_edits_and_another_publishes_in_the_console(editable: Product, page: Page) -> None:  # noqa: F811
    def sign_in(username: str) -> None:
        page.goto(editable.app_url + "/editor")
        page.get_by_test_id("login-username").fill(username)
        page.get_by_test_id("login-password").fill(f"{username}-demo")
        page.get_by_test_id("login-submit").click()
        expect(page.get_by_test_id("signed-in-as")).to_contain_text(username)

    sign_in("editor1")
    page.get_by_test_id("new-guide").click()
    form = page.get_by_test_id("guide-editor")
    form.locator('[data-field="code"]').fill("9.000002")
    form.locator('[data-field="vi.title"]').fill("Xin phép thả đèn trời")
    form.locator('[data-field="vi.summary"]').fill("<script>window.pwned=1</script>")
    form.get_by_role("button", name="+ Cách nộp").first.click()
    form.locator('[data-field="vi.channels.0.fee"]').fill("rẻ thôi")
    page.get_by_test_id("btn-save").click()
    errors = page.get_by_test_id("field-errors")
    expect(errors).to_contain_text("vi.channels.0.fee")
    expect(errors).to_contain_text("vi.summary: HTML or script is not allowed")
    assert page.evaluate("window.pwned") is None

    form.locator('[data-field="vi.summary"]').fill("Thả đèn trời dịp lễ hội phải xin phép Ủy ban nhân dân cấp xã.")
    form.locator('[data-field="vi.channels.0.fee"]').fill("Miễn phí")
    form.locator('[data-list="vi.steps"]').fill("Nộp đơn xin phép thả đèn trời.\nNhận văn bản cho phép.")
    page.get_by_test_id("btn-save").click()
    expect(page.get_by_test_id("guide-status")).to_contain_text("Nháp")
    page.get_by_test_id("btn-submit").click()
    expect(page.get_by_test_id("guide-status")).to_contain_text("Chờ duyệt")
    page.get_by_test_id("btn-publish").click()
    expect(page.get_by_test_id("flash")).to_contain_text("another editor")  # four-eyes

    page.get_by_test_id("logout").click()
    sign_in("editor2")
    page.get_by_test_id("filter-q").fill("đèn trời")
    page.get_by_test_id("filter-q").press("Enter")
    page.get_by_test_id("guide-row").filter(has_text="9.000002").click()
    expect(page.get_by_test_id("guide-status")).to_contain_text("Chờ duyệt")
    page.get_by_test_id("btn-publish").click()
    expect(page.get_by_test_id("guide-status")).to_contain_text("Đã đăng")

    result = httpx.get(f"{editable.app_url}/api/search", params={"q": "xin phép thả đèn trời"}, timeout=10).json()
    assert result["status"] == "answered" and result["results"][0]["code"] == "9.000002"
