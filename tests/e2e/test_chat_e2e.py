"""Full turns through our API, the real Rasa 3.6 server and the actions executed by rasa-sdk in the app."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import Product

pytestmark = pytest.mark.e2e
RESIDENCE = "1.004222"


def say(product: Product, text: str, conversation_id: str | None = None, lang: str | None = None) -> dict:
    response = httpx.post(
        f"{product.app_url}/api/chat/messages", json={"conversation_id": conversation_id, "text": text, "lang": lang}, timeout=30
    )
    response.raise_for_status()
    return response.json()


def answer_of(turn: dict) -> dict:
    [message] = [m for m in turn["messages"] if m["kind"] == "answer"]
    return message


def test_health_reports_everything_up(product: Product) -> None:
    body = httpx.get(f"{product.app_url}/api/health/ready", timeout=10).json()
    assert body["status"] == "ok", body


def test_residence_question_gets_a_cited_answer(product: Product) -> None:
    message = answer_of(say(product, "Thủ tục đăng ký thường trú cần những giấy tờ gì?"))
    answer = message["answer"]
    assert answer["status"] == "answered"
    assert answer["procedures"][0]["code"] == RESIDENCE
    assert answer["guide"]["documents"] and answer["guide"]["source_url"].startswith("https://")


@pytest.mark.parametrize(
    ("first", "follow_up", "lang"),
    [
        ("thủ tục đăng ký thường trú như thế nào", "còn lệ phí thì sao?", None),
        ("thu tuc dang ky thuong tru nhu the nao", "con le phi thi sao", None),
        ("How do I register my permanent residence?", "and how much does it cost?", None),
    ],
)
def test_follow_ups_keep_the_procedure(product: Product, first: str, follow_up: str, lang: str | None) -> None:
    turn = say(product, first, lang=lang)
    assert answer_of(turn)["answer"]["procedures"][0]["code"] == RESIDENCE
    second = answer_of(say(product, follow_up, turn["conversation_id"]))
    assert second["answer"]["procedures"][0]["code"] == RESIDENCE
    assert second["answer"]["aspect"] == "fee"
    assert "10" in second["text"]


def test_english_replies_in_english(product: Product) -> None:
    message = answer_of(say(product, "How much does permanent residence registration cost?"))
    assert message["text"].startswith("Fee for Permanent residence registration")


def test_slots_and_events_travel_between_rasa_and_the_sdk(product: Product) -> None:
    """Slots set by our rasa-sdk action land in Rasa 3.6's tracker; metadata reaches the action."""
    turn = say(product, "How much is permanent residence registration?")
    tracker = httpx.get(
        f"{product.rasa_url}/conversations/{turn['conversation_id']}/tracker", params={"token": product.rasa_token}, timeout=10
    ).json()
    assert tracker["slots"]["procedure_code"] == RESIDENCE
    assert tracker["slots"]["lang"] == "en"
    metadata = tracker["latest_message"]["metadata"]
    assert metadata["lang"] == "en" and set(metadata) == {"lang", "request_id"}  # the turn's id reaches the actions (api/logs.py)
    actions = [e.get("name") for e in tracker["events"] if e["event"] == "action"]
    assert "action_answer" in actions


@pytest.mark.parametrize("text", ["🙂🙂", "<script>alert(1)</script>", "SELECT * FROM users;", "x" * 2000, "Wie beantrage ich einen Pass?"])
def test_odd_messages_get_a_sensible_reply(product: Product, text: str) -> None:
    turn = say(product, text)
    assert turn["messages"], "every message gets a reply"
    assert all(m["text"] for m in turn["messages"])


def test_small_talk_in_both_languages(product: Product) -> None:
    assert "Xin chào" in say(product, "xin chào")["messages"][0]["text"]
    assert "Hello" in say(product, "hello")["messages"][0]["text"]


def test_asking_for_a_person_hands_off(product: Product) -> None:
    turn = say(product, "cho tôi gặp tổng đài viên")
    assert turn["state"] == "waiting"
    # from now on only people answer: the bot stays silent
    assert say(product, "alo?", turn["conversation_id"])["messages"] == []


PASSPORT = "1.001456"


def test_a_new_topic_replaces_the_current_procedure(product: Product) -> None:
    first = say(product, "đăng ký thường trú cần giấy tờ gì")
    assert answer_of(first)["answer"]["procedures"][0]["code"] == RESIDENCE
    second = answer_of(say(product, "còn làm hộ chiếu thì lệ phí bao nhiêu", first["conversation_id"]))
    assert (second["answer"]["procedures"][0]["code"], second["answer"]["aspect"]) == (PASSPORT, "fee")
    third = answer_of(say(product, "mất bao lâu", first["conversation_id"]))
    assert (third["answer"]["procedures"][0]["code"], third["answer"]["aspect"]) == (PASSPORT, "time")


def test_the_language_follows_the_citizen_mid_conversation(product: Product) -> None:
    from knowledge.language import detect_language

    first = say(product, "thu tuc dang ky thuong tru")
    assert detect_language(answer_of(first)["text"]) == "vi"
    second = answer_of(say(product, "how long does it take?", first["conversation_id"]))
    assert second["answer"]["procedures"][0]["code"] == RESIDENCE and second["answer"]["aspect"] == "time"
    assert detect_language(second["text"]) == "en"


def test_an_ambiguous_question_gets_buttons_and_a_choice_answers_it(product: Product) -> None:
    turn = say(product, "cấp lại")
    message = answer_of(turn)
    assert message["answer"]["status"] == "clarify" and len(message["buttons"]) >= 2
    chosen = message["buttons"][0]
    answer = answer_of(say(product, chosen["payload"], turn["conversation_id"]))
    assert answer["answer"]["status"] == "answered"
    assert answer["answer"]["procedures"][0]["code"] in chosen["payload"]


@pytest.mark.parametrize("messages", [("asdfgh", "???"), ("thủ tục xyzabc qwerty", "hmm")])
def test_two_failures_offer_a_person_and_accepting_hands_off(product: Product, messages: tuple[str, str]) -> None:
    """Noise and questions the knowledge base cannot answer both count: rephrase first, then a person."""
    first = say(product, messages[0])
    assert first["state"] == "bot" and first["messages"]
    second = say(product, messages[1], first["conversation_id"])
    [button] = [b for m in second["messages"] for b in m["buttons"] if b["payload"] == "/request_human"]
    assert say(product, button["payload"], first["conversation_id"])["state"] == "waiting"


def test_rasa_never_sees_personal_numbers_outside_forms(product: Product) -> None:
    turn = say(product, "mất CCCD số 001203004567, gọi 0912345678, làm lại thế nào")
    tracker = httpx.get(
        f"{product.rasa_url}/conversations/{turn['conversation_id']}/tracker", params={"token": product.rasa_token}, timeout=10
    ).json()
    seen = tracker["latest_message"]["text"]
    assert "001203004567" not in seen and "0912345678" not in seen and "[số định danh]" in seen
