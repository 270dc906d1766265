"""Actions as thin adapters: trackers from JSON fixtures, the real knowledge service over a test index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer
from knowledge.index import load_index
from knowledge.search import Searcher
from knowledge.service import KnowledgeService
from knowledge.terms import TermList
from tests.conftest import TEST_EMBEDDER

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def knowledge(index_dir: Path) -> KnowledgeService:
    return KnowledgeService(Searcher(load_index(index_dir, TEST_EMBEDDER.name), TEST_EMBEDDER, TermList(())))


def tracker_from(name: str, **latest: object) -> Tracker:
    state = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    state["latest_message"].update(latest)
    return Tracker.from_dict(state)


async def test_follow_up_answers_the_fee_of_the_current_procedure(knowledge: KnowledgeService) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer(knowledge).run(dispatcher, tracker_from("fee_follow_up.json"), {})
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
    events = await ActionAnswer(knowledge).run(dispatcher, tracker, {})
    payload = dispatcher.messages[0]["custom"]
    assert payload["answer"]["status"] == "unanswerable" and payload["answer"]["offer_human"]
    assert payload["buttons"] == [{"title": "Gặp tổng đài viên", "payload": "/request_human"}]
    assert {"event": "slot", "name": "fallback_count", "value": 2.0, "timestamp": None} in events


async def test_a_clarify_choice_answers_the_chosen_procedure(knowledge: KnowledgeService) -> None:
    tracker = tracker_from(
        "fee_follow_up.json",
        text='/choose_procedure{"procedure_code":"1.004194"}',
        intent={"name": "choose_procedure"},
        entities=[{"entity": "procedure_code", "value": "1.004194"}],
    )
    dispatcher = CollectingDispatcher()
    await ActionAnswer(knowledge).run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["custom"]["guide_code"] == "1.004194"
