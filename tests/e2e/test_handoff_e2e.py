"""The handoff through the real Rasa server and app: Rasa paused and resumed, and two browser pages
(a citizen and an agent) exchanging messages live."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, WebSocket, expect

from tests.e2e.conftest import Product, running_product

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def staffed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    """The product with the demo staff accounts (data/demo/staff.yaml) and the call center always open."""
    with running_product(tmp_path_factory.mktemp("handoff"), env={"HELPDESK_HANDOFF__ALWAYS_OPEN": "true"}, seed_demo=True) as running:
        yield running


def test_rasa_is_paused_while_a_person_owns_the_chat(staffed: Product) -> None:
    app, rasa = httpx.Client(base_url=staffed.app_url, timeout=30), httpx.Client(base_url=staffed.rasa_url, timeout=30)
    paused = lambda cid: rasa.get(f"/conversations/{cid}/tracker", params={"token": staffed.rasa_token}).json()["paused"]  # noqa: E731
    say = lambda text, cid=None: app.post("/api/chat/messages", json={"conversation_id": cid, "text": text}).raise_for_status().json()  # noqa: E731

    cid = say("Lệ phí đăng ký thường trú là bao nhiêu?")["conversation_id"]
    handoff = say("tôi muốn gặp tổng đài viên", cid)
    assert handoff["state"] == "waiting" and handoff["messages"][0]["kind"] == "handoff"
    assert paused(cid) is True
    assert say("alo, có ai không?", cid)["messages"] == []

    token = app.post("/api/auth/token", data={"username": "agent1", "password": "agent1-demo"}).json()["access_token"]
    staff = {"Authorization": f"Bearer {token}"}
    ticket = app.post("/api/agent/tickets/next", headers=staff).json()
    assert ticket["conversation_id"] == cid and ticket["skill"] == "residence"
    assert app.post(f"/api/agent/tickets/{ticket['id']}/resolve", json={"disposition": "answered"}, headers=staff).status_code == 200
    assert paused(cid) is False
    again = say("Đăng ký tạm trú cần giấy tờ gì?", cid)
    assert again["state"] == "bot" and again["messages"][0]["sender"] == "bot" and again["messages"][0]["kind"] == "answer"


@pytest.fixture
def two_pages(browser: Browser) -> Iterator[tuple[Page, Page]]:  # noqa: F811
    citizen, agent = browser.new_context(), browser.new_context()
    yield citizen.new_page(), agent.new_page()
    citizen.close()
    agent.close()


@pytest.mark.browser
def test_citizen_and_agent_chat_live(staffed: Product, two_pages: tuple[Page, Page]) -> None:
    citizen, agent = two_pages
    sockets: list[WebSocket] = []
    citizen.on("websocket", lambda ws: sockets.append(ws))
    agent_sockets: list[WebSocket] = []
    agent.on("websocket", lambda ws: agent_sockets.append(ws))

    citizen.goto(staffed.app_url + "/")
    citizen.get_by_test_id("chat-input").fill("Đăng ký thường trú cần giấy tờ gì?")
    citizen.keyboard.press("Enter")
    expect(citizen.get_by_test_id("answer-card").last).to_be_visible(timeout=20_000)
    citizen.get_by_test_id("welcome").get_by_test_id("chat-button").last.click()  # "Gặp tổng đài viên"
    status = citizen.get_by_test_id("chat-status")
    expect(status).to_have_attribute("data-state", "waiting", timeout=20_000)
    expect(status).to_contain_text("vị trí số 1", timeout=10_000)

    agent.goto(staffed.app_url + "/agent")
    agent.get_by_test_id("login-username").fill("agent1")
    agent.get_by_test_id("login-password").fill("agent1-demo")
    agent.get_by_test_id("login-submit").click()
    expect(agent.locator("[data-queue='residence/vi'] [data-testid='queue-waiting']")).to_have_text("1", timeout=10_000)
    agent.get_by_test_id("claim-next").click()
    expect(agent.get_by_test_id("ticket-summary")).to_contain_text("Đăng ký thường trú cần giấy tờ gì?")
    expect(agent.get_by_test_id("agent-log")).to_contain_text("Đăng ký thường trú cần giấy tờ gì?")
    expect(agent.get_by_test_id("assist")).to_contain_text("1.004222")
    expect(status).to_have_attribute("data-state", "agent", timeout=10_000)

    agent.get_by_test_id("agent-input").fill("Chào bạn, tôi là Lan, tổng đài viên.")
    agent.get_by_test_id("agent-send").click()
    pushed = citizen.locator("[data-testid='chat-message'][data-sender='agent']")
    expect(pushed.last).to_contain_text("Chào bạn, tôi là Lan", timeout=10_000)
    assert any(ws.url.endswith("/ws") for ws in sockets), [ws.url for ws in sockets]
    # the agent's socket opens with a single-use ticket, never with the bearer token in its URL
    assert [ws.url.split("?")[1].split("=")[0] for ws in agent_sockets] == ["ticket"], [ws.url for ws in agent_sockets]

    bot_messages = citizen.locator("[data-testid='chat-message'][data-sender='bot']")
    bots_before = bot_messages.count()
    citizen.get_by_test_id("chat-input").fill("Cảm ơn chị, cho tôi hỏi thêm về lệ phí")
    citizen.keyboard.press("Enter")
    expect(agent.locator("[data-testid='agent-message'][data-sender='citizen']").last).to_contain_text("hỏi thêm về lệ phí", timeout=10_000)
    citizen.wait_for_timeout(1000)
    assert bot_messages.count() == bots_before  # the bot stayed silent

    agent.get_by_test_id("resolve").click()
    rating = citizen.get_by_test_id("rating-form")
    expect(rating).to_be_visible(timeout=10_000)
    rating.get_by_test_id("rating-star").nth(4).click()
    rating.get_by_role("button", name="Gửi đánh giá").click()
    expect(rating).to_contain_text("Cảm ơn bạn đã đánh giá", timeout=10_000)
    expect(status).to_have_attribute("data-state", "bot")
