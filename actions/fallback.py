"""The two-stage fallback: the first message not understood asks to rephrase, the next offers a person.

"Not understood" is a question the knowledge base cannot answer, or a message outside what the
assistant does (noise, weather, jokes). Any understood answer resets the count.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

FAILURES_BEFORE_HUMAN = 2
OFFER = {
    "vi": "Tôi vẫn chưa hiểu được yêu cầu của bạn. Bạn có muốn gặp tổng đài viên không?",
    "en": "I still cannot help with this. Would you like to talk to a person?",
}


def failed(tracker: Tracker) -> tuple[list[EventType], bool]:
    """The events that count one more failure, and whether it is time to offer a person."""
    failures = int(tracker.get_slot("fallback_count") or 0) + 1
    return [SlotSet("fallback_count", float(failures))], failures >= FAILURES_BEFORE_HUMAN


def succeeded() -> list[EventType]:
    return [SlotSet("fallback_count", 0.0)]
