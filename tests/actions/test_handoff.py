"""The handoff action names why a person is needed: the ticket's priority depends on it."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff, asks_about_a_procedure
from actions.services import Services
from api.handoff.priority import base_priority
from knowledge.service import KnowledgeService


@pytest.mark.parametrize(("intent", "reason"), [("request_human", "requested"), ("complain", "complaint"), ("urgent", "urgent")])
async def test_reason_follows_the_intent(intent: str, reason: str) -> None:
    dispatcher = CollectingDispatcher()
    await ActionHandoff().run(dispatcher, tracker_for("...", intent, 0.9), {})
    assert dispatcher.messages[0]["custom"]["handoff"]["reason"] == reason


def tracker_for(text: str, intent: str, confidence: float) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence}, "metadata": {"lang": "vi"}}
    return Tracker("c1", {}, latest, [], False, None, {}, "action_listen")


async def test_an_unsure_complaint_is_answered_as_a_question(knowledge: KnowledgeService) -> None:
    dispatcher = CollectingDispatcher()
    await ActionHandoff(Services.of(knowledge=knowledge)).run(
        dispatcher, tracker_for("lệ phí đăng ký thường trú bao nhiêu", "complain", 0.45), {}
    )
    [message] = dispatcher.messages
    assert message["custom"]["kind"] == "answer" and message["custom"]["guide_code"] == "1.004222"


async def test_asking_for_a_person_never_needs_confidence() -> None:
    dispatcher = CollectingDispatcher()
    await ActionHandoff().run(dispatcher, tracker_for("cho tôi gặp người thật", "request_human", 0.2), {})
    assert dispatcher.messages[0]["custom"]["kind"] == "handoff"


def test_urgent_cases_outrank_complaints_and_requests() -> None:
    assert base_priority(reason="urgent") > base_priority(reason="complaint") > base_priority(reason="requested")


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("nộp đơn khiếu nại có mất phí không?", True),
        ("bao lau thi biet ket qua giai quyet to cao", True),
        ("hồ sơ của tôi bị trễ hẹn quá lâu, tôi muốn khiếu nại", False),
        ("cán bộ phường hạch sách, đòi tiền tôi", False),
    ],
)
def test_questions_about_complaint_procedures_are_told_from_complaints(text: str, asks: bool) -> None:
    assert asks_about_a_procedure(text) is asks
