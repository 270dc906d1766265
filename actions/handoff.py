"""Hand the conversation to a person (the call-center queue builds on this)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer
from actions.language import turn_language
from actions.services import UsesServices
from knowledge.aspects import detect_aspect

# A message the NLU takes for a complaint or an urgent case goes to a person, unless the NLU is
# unsure, or the "complaint" is a question about a procedure ("nộp đơn khiếu nại có mất phí không?",
# "bao lâu thì biết kết quả tố cáo?"): the knowledge base answers those (8 of the 85 dev questions
# went to a person before). Explicit requests for a person always go.
SURE_ENOUGH_TO_HAND_OFF = 0.6
QUESTION_ASPECTS = {"fee", "time", "where", "steps", "online", "conditions"}  # "hồ sơ" is in many real complaints


def asks_about_a_procedure(text: str) -> bool:
    return text.rstrip().endswith("?") or detect_aspect(text) in QUESTION_ASPECTS


TEXTS = {
    "vi": "Tôi đang chuyển bạn tới tổng đài viên. Vui lòng chờ trong giây lát, nội dung trò chuyện đã được chuyển kèm.",
    "en": "I am passing you to a call-center agent. Please wait a moment; they will see this conversation.",
}


class ActionHandoff(UsesServices, Action):
    """Hands the chat to a person, or answers (with the knowledge service) when the NLU is unsure."""

    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        lang = turn_language(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        confidence = float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)
        text = tracker.latest_message.get("text") or ""
        unsure = intent in ("complain", "urgent") and confidence < SURE_ENOUGH_TO_HAND_OFF
        if unsure or (intent == "complain" and asks_about_a_procedure(text)):
            return await ActionAnswer(self.services).run(dispatcher, tracker, domain)
        reason = {"complain": "complaint", "urgent": "urgent"}.get(intent or "", "requested")
        dispatcher.utter_message(json_message={"kind": "handoff", "text": TEXTS[lang], "handoff": {"reason": reason}})
        return [SlotSet("lang", lang)]


class ActionDefaultFallback(UsesServices, Action):
    """Core fallback (no rule applies): treat the message as a question for the knowledge base."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        return await ActionAnswer(self.services).run(dispatcher, tracker, domain)
