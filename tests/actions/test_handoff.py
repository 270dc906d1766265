"""The handoff action names why a person is needed: the ticket's priority depends on it."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff
from api.handoff.priority import base_priority


@pytest.mark.parametrize(("intent", "reason"), [("request_human", "requested"), ("complain", "complaint"), ("urgent", "urgent")])
async def test_reason_follows_the_intent(intent: str, reason: str) -> None:
    tracker = Tracker(
        "c1", {}, {"text": "...", "intent": {"name": intent}, "metadata": {"lang": "vi"}}, [], False, None, {}, "action_listen"
    )
    dispatcher = CollectingDispatcher()
    await ActionHandoff().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["custom"]["handoff"]["reason"] == reason


def test_urgent_cases_outrank_complaints_and_requests() -> None:
    assert base_priority(reason="urgent") > base_priority(reason="complaint") > base_priority(reason="requested")
