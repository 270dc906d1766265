"""A verdict typed in the chat: thanked for in the citizen's language, its polarity passed on to the app."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import ActionFeedback, helpful_from_text


def tracker(text: str, lang: str | None) -> Tracker:
    latest = {"text": text, "intent": {"name": "give_feedback"}, "metadata": {"lang": lang} if lang else {}}
    return Tracker("c1", {"lang": None}, latest, [], False, None, {}, "action_listen")


@pytest.mark.parametrize(
    ("text", "lang", "helpful"),
    [
        ("câu trả lời này không đúng", "vi", False),
        ("cau tra loi nay khong huu ich", "vi", False),
        ("hướng dẫn này rất hữu ích", "vi", True),
        ("that helped", "en", True),
        ("the answer is not helpful", None, False),  # no language sent: detected
        ("I have some feedback about your answer", "en", None),
    ],
)
async def test_the_verdict_and_the_language(text: str, lang: str | None, helpful: bool | None) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionFeedback().run(dispatcher, tracker(text, lang), {})
    [message] = dispatcher.messages
    payload = message["custom"]
    assert payload["kind"] == "feedback" and payload["feedback"] == {"helpful": helpful}
    expected_lang = lang or "en"
    assert ("Cảm ơn" in payload["text"]) == (expected_lang == "vi")
    assert {"event": "slot", "name": "lang", "value": expected_lang, "timestamp": None} in events


@pytest.mark.parametrize(
    ("text", "helpful"),
    [
        ("thông tin này đã lỗi thời", False),
        ("hướng dẫn không chi tiết", False),
        ("That’s not helpful", False),
        ("the fee you gave is wrong", False),
        ("câu trả lời rõ ràng, dễ hiểu", True),
        ("spot on", True),
        ("bảo hiểm y tế", None),  # "tế" folds to "te", which alone is not "tệ"
        ("góp ý cho trợ lý", None),
    ],
)
def test_polarity_from_the_words_negative_ones_first(text: str, helpful: bool | None) -> None:
    assert helpful_from_text(text) is helpful
