"""A citizen's verdict on the last answer, typed in the chat ("câu trả lời này không đúng", "that helped").

The action thanks the citizen and emits ``{"kind": "feedback", "feedback": {"helpful": …}}``; the app
records it against the conversation's latest answer, like the feedback buttons do (api/chat/turns.py).
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import turn_language
from knowledge.normalize import fold

# Matched on folded text (no diacritics, lower case), so "không đúng", "khong dung" and "ko đúng" agree.
# Negative cues are tried first: "không hữu ích" contains the positive "hữu ích".
_NEGATIVE = re.compile(
    r"\b(?:(?:khong|ko|k|chua|chang|cha) (?:dung|chinh xac|huu ich|ro|lien quan|giup|hieu|chi tiet|tot|hay)|sai|vo ich|kho hieu|loi thoi|cu r(?:oi)?"
    r"|thieu|lan man|nham|(?:rat|qua) te|te qua|wrong|incorrect|inaccurate|unhelpful|useless|outdated|out of date|confusing"
    r"|irrelevant|no help|not (?:helpful|useful|correct|accurate|clear|right|relevant|what i)"
    r"|(?:didn't|did not|doesn't|does not) (?:help|match|answer))\b"
)
_POSITIVE = re.compile(
    r"\b(?:huu ich|dung roi|chinh xac|ro rang|de (?:hieu|lam)|chi tiet|hay (?:qua|lam|do|ghe)|tot|chuan|tuyet|xong roi|lam duoc roi|giup (?:\w+ )?nhieu"
    r"|helpful|helped|useful|great|good|clear|perfect|exactly|correct|accurate|spot on|solved)\b"
)

TEXTS = {
    True: {
        "vi": "Cảm ơn bạn đã đánh giá! Rất vui vì câu trả lời có ích cho bạn.",
        "en": "Thank you for the feedback! Glad the answer helped.",
    },
    False: {
        "vi": "Cảm ơn bạn đã góp ý, tôi đã ghi nhận để hướng dẫn được xem lại. Bạn có thể hỏi lại theo cách khác, "
        "hoặc nhờ gặp tổng đài viên.",
        "en": "Thank you for telling me; it has been noted so that the guide is reviewed. You can rephrase your question, "
        "or ask for a person.",
    },
    None: {
        "vi": "Cảm ơn bạn đã góp ý! Câu trả lời vừa rồi có hữu ích với bạn không?",
        "en": "Thank you for the feedback! Was the last answer helpful?",
    },
}


def helpful_from_text(text: str) -> bool | None:
    """True for praise, False for a complaint about the answer, None when the words say neither."""
    folded = fold(text).replace("’", "'")
    if _NEGATIVE.search(folded):
        return False
    if _POSITIVE.search(folded):
        return True
    return None


class ActionFeedback(Action):
    def name(self) -> str:
        return "action_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        lang = turn_language(tracker)
        helpful = helpful_from_text(tracker.latest_message.get("text") or "")
        dispatcher.utter_message(json_message={"kind": "feedback", "text": TEXTS[helpful][lang], "feedback": {"helpful": helpful}})
        return [SlotSet("lang", lang)]
