"""Small talk in the citizen's language; what the assistant does not do counts toward offering a person."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.smalltalk import ActionSmalltalk


def tracker_for(text: str, intent: str, lang: str, failures: float = 0.0) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "metadata": {"lang": lang}}
    return Tracker("c1", {"fallback_count": failures}, latest, [], False, None, {}, "action_listen")


async def test_greetings_are_answered_in_the_citizens_language() -> None:
    for lang, start in (("vi", "Xin chào"), ("en", "Hello")):
        dispatcher = CollectingDispatcher()
        await ActionSmalltalk().run(dispatcher, tracker_for("hi", "greet", lang), {})
        assert dispatcher.messages[0]["text"].startswith(start)


async def test_out_of_scope_asks_for_a_procedure_then_offers_a_person() -> None:
    first, second = CollectingDispatcher(), CollectingDispatcher()
    events = await ActionSmalltalk().run(first, tracker_for("asdfgh", "out_of_scope", "vi"), {})
    assert not first.messages[0]["buttons"]
    assert {"event": "slot", "name": "fallback_count", "value": 1.0, "timestamp": None} in events
    await ActionSmalltalk().run(second, tracker_for("qwerty", "out_of_scope", "vi", failures=1.0), {})
    assert second.messages[0]["buttons"] == [{"title": "Gặp tổng đài viên", "payload": "/request_human"}]
