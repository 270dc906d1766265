"""Greetings, thanks, questions about the assistant, and out-of-scope messages, in vi or en."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import fallback
from actions.language import turn_language
from knowledge.answer import human_button

TEXTS: dict[str, dict[str, str]] = {
    "greet": {
        "vi": "Xin chào! Tôi là trợ lý ảo của Cổng Dịch vụ công. Bạn cần hỏi về thủ tục nào?",
        "en": "Hello! I am the Public Service Portal's virtual assistant. Which procedure can I help you with?",
    },
    "goodbye": {"vi": "Tạm biệt, chúc bạn một ngày tốt lành!", "en": "Goodbye, have a good day!"},
    "thank": {"vi": "Rất vui được giúp bạn. Bạn còn cần hỏi gì nữa không?", "en": "Glad to help. Anything else?"},
    "affirm": {"vi": "Vâng. Bạn cứ hỏi tiếp nhé.", "en": "All right. Go ahead with your question."},
    "deny": {"vi": "Vâng. Bạn có thể hỏi thủ tục khác bất cứ lúc nào.", "en": "All right. Ask about another procedure any time."},
    "bot_challenge": {
        "vi": "Tôi là trợ lý ảo (không phải người). Tôi trả lời về thủ tục hành chính: các bước, giấy tờ, lệ phí, thời gian, nơi nộp, "
        "luôn kèm nguồn. Khi cần, tôi chuyển bạn cho tổng đài viên.",
        "en": "I am a virtual assistant, not a person. I answer questions about administrative procedures (steps, documents, fees, "
        "time, where to apply), always with the source, and I can pass you to a person.",
    },
    "out_of_scope": {
        "vi": "Xin lỗi, tôi chỉ hỗ trợ về thủ tục hành chính và dịch vụ công. Bạn muốn hỏi thủ tục nào?",
        "en": "Sorry, I can only help with administrative procedures and public services. Which procedure are you asking about?",
    },
}


class ActionSmalltalk(Action):
    def name(self) -> str:
        return "action_smalltalk"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        lang = turn_language(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "out_of_scope"
        events: list[EventType] = [SlotSet("lang", lang)]
        if intent not in TEXTS or intent == "out_of_scope":  # not something the assistant does: a failure
            counted, offer = fallback.failed(tracker)
            if offer:
                dispatcher.utter_message(text=fallback.OFFER[lang], buttons=[human_button(lang)])
            else:
                dispatcher.utter_message(text=TEXTS["out_of_scope"][lang])
            return events + counted
        dispatcher.utter_message(text=TEXTS[intent][lang])
        return events
