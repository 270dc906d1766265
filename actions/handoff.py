"""Hand the conversation to a person (the call-center queue builds on this)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import turn_language

TEXTS = {
    "vi": "Tôi đang chuyển bạn tới tổng đài viên. Vui lòng chờ trong giây lát, nội dung trò chuyện đã được chuyển kèm.",
    "en": "I am passing you to a call-center agent. Please wait a moment; they will see this conversation.",
}


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        lang = turn_language(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        reason = {"complain": "complaint", "urgent": "urgent"}.get(intent or "", "requested")
        dispatcher.utter_message(json_message={"kind": "handoff", "text": TEXTS[lang], "handoff": {"reason": reason}})
        return [SlotSet("lang", lang)]


class ActionDefaultFallback(Action):
    """Core fallback (no rule applies): treat the message as a question for the knowledge base."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        from actions.answer import ActionAnswer

        return await ActionAnswer().run(dispatcher, tracker, domain)
