"""Actions as thin adapters: trackers from JSON fixtures, the real knowledge service over a test index."""

from __future__ import annotations

import json
from pathlib import Path

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer
from actions.services import Services
from knowledge.service import KnowledgeService

FIXTURES = Path(__file__).parent / "fixtures"


def tracker_from(name: str, **latest: object) -> Tracker:
    state = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    state["latest_message"].update(latest)
    return Tracker.from_dict(state)


async def test_follow_up_answers_the_fee_of_the_current_procedure(knowledge: KnowledgeService) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer(Services.of(knowledge=knowledge)).run(dispatcher, tracker_from("fee_follow_up.json"), {})
    [message] = dispatcher.messages
    payload = message["custom"]
    assert payload["answer"]["status"] == "answered" and payload["guide_code"] == "1.004222"
    assert payload["answer"]["aspect"] == "fee" and "Lệ phí" in payload["text"]
    assert {"event": "slot", "name": "procedure_code", "value": "1.004222", "timestamp": None} in events


async def test_second_unanswerable_offers_a_person(knowledge: KnowledgeService) -> None:
    tracker = tracker_from("fee_follow_up.json", text="kể chuyện cười về mèo đi", intent={"name": "nlu_fallback"})
    tracker.slots["fallback_count"] = 1.0
    tracker.slots["procedure_code"] = None
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer(Services.of(knowledge=knowledge)).run(dispatcher, tracker, {})
    payload = dispatcher.messages[0]["custom"]
    assert payload["answer"]["status"] == "unanswerable" and payload["answer"]["offer_human"]
    assert payload["buttons"] == [{"title": "Gặp tổng đài viên", "payload": "/request_human"}]
    assert payload["text"].endswith("Bạn có muốn gặp tổng đài viên không?") and len(payload["text"]) > 80  # the refusal's text kept
    assert {"event": "slot", "name": "fallback_count", "value": 2.0, "timestamp": None} in events


async def test_a_clarify_choice_answers_the_chosen_procedure(knowledge: KnowledgeService) -> None:
    tracker = tracker_from(
        "fee_follow_up.json",
        text='/choose_procedure{"procedure_code":"1.004194"}',
        intent={"name": "choose_procedure"},
        entities=[{"entity": "procedure_code", "value": "1.004194"}],
    )
    dispatcher = CollectingDispatcher()
    await ActionAnswer(Services.of(knowledge=knowledge)).run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["custom"]["guide_code"] == "1.004194"


async def test_a_procedure_mention_is_passed_as_a_hint(knowledge: KnowledgeService) -> None:
    tracker = tracker_from(
        "fee_follow_up.json",
        text="lệ phí làm căn cước",
        entities=[{"entity": "procedure", "start": 7, "end": 19, "value": "làm căn cước", "extractor": "RegexEntityExtractor"}],
    )
    tracker.slots["procedure_code"] = None
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer(Services.of(knowledge=knowledge)).run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["custom"]["guide_code"] == "1.014061"
    assert {"event": "slot", "name": "procedure_code", "value": "1.014061", "timestamp": None} in events


async def test_where_to_apply_names_the_province_a_former_name_now_belongs_to(knowledge: KnowledgeService) -> None:
    tracker = tracker_from(
        "fee_follow_up.json",
        text="tôi ở Quảng Nam thì làm ở đâu",
        intent={"name": "ask_where"},
        entities=[{"entity": "province", "start": 6, "end": 15, "value": "Quảng Nam", "extractor": "RegexEntityExtractor"}],
    )
    dispatcher = CollectingDispatcher()
    await ActionAnswer(Services.of(knowledge=knowledge)).run(dispatcher, tracker, {})
    payload = dispatcher.messages[0]["custom"]
    assert payload["guide_code"] == "1.004222" and payload["answer"]["aspect"] == "where"
    assert payload["text"].startswith("Nơi thực hiện Đăng ký thường trú:")
    assert payload["text"].endswith("Lưu ý: Quảng Nam nay thuộc Đà Nẵng (từ 1/7/2025), nên bạn làm tại cơ quan nêu trên ở Đà Nẵng.")


async def test_the_province_slot_serves_a_later_question(knowledge: KnowledgeService) -> None:
    tracker = tracker_from("fee_follow_up.json", text="làm ở đâu", intent={"name": "ask_where"})
    tracker.slots["province"] = "sai gon"
    dispatcher = CollectingDispatcher()
    await ActionAnswer(Services.of(knowledge=knowledge)).run(dispatcher, tracker, {})
    payload = dispatcher.messages[0]["custom"]
    assert payload["guide_code"] == "1.004222"
    assert payload["text"].endswith("Ở TP. Hồ Chí Minh (gồm cả Bình Dương, Bà Rịa – Vũng Tàu cũ), bạn làm tại cơ quan nêu trên.")


async def test_the_province_is_said_only_with_where_to_apply(knowledge: KnowledgeService) -> None:
    tracker = tracker_from("fee_follow_up.json", entities=[{"entity": "province", "value": "Đà Nẵng"}])
    dispatcher = CollectingDispatcher()
    await ActionAnswer(Services.of(knowledge=knowledge)).run(dispatcher, tracker, {})
    assert "Đà Nẵng" not in dispatcher.messages[0]["custom"]["text"]


async def test_an_id_number_in_the_question_is_neither_repeated_nor_kept(knowledge: KnowledgeService) -> None:
    tracker = tracker_from(
        "fee_follow_up.json",
        text="CCCD số 001203004567 bị mất thì làm lại thế nào",
        intent={"name": "ask_procedure"},
        entities=[{"entity": "id_number", "start": 8, "end": 20, "value": "001203004567", "extractor": "RegexEntityExtractor"}],
    )
    tracker.slots["procedure_code"] = None
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer(Services.of(knowledge=knowledge)).run(dispatcher, tracker, {})
    assert "001203004567" not in json.dumps([dispatcher.messages, events], ensure_ascii=False)


async def test_a_refused_question_about_the_law_is_told_so(knowledge: KnowledgeService) -> None:
    tracker = tracker_from("fee_follow_up.json", text="giá vàng hôm nay bao nhiêu", intent={"name": "ask_law"}, entities=[])
    tracker.slots["procedure_code"] = None
    dispatcher = CollectingDispatcher()
    await ActionAnswer(Services.of(knowledge=knowledge)).run(dispatcher, tracker, {})
    answer = dispatcher.messages[0]["custom"]["answer"]
    assert (answer["status"], answer["question_kind"]) == ("unanswerable", "law")
