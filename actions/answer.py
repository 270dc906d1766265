"""Answer procedure questions from the knowledge base, with a citation."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.language import turn_language
from knowledge.answer import Aspect, phrases
from knowledge.service import GuideNotFound, KnowledgeService, Reply

INTENT_ASPECTS: dict[str, Aspect] = {
    "ask_fee": "fee",
    "ask_documents": "documents",
    "ask_time": "time",
    "ask_steps": "steps",
    "ask_where": "where",
    "ask_online": "online",
}
FALLBACKS_BEFORE_HUMAN = 2


class ActionAnswer(Action):
    """Finds the procedure (or keeps the current one for a follow-up) and answers what was asked."""

    def __init__(self, knowledge: KnowledgeService | None = None) -> None:
        self._knowledge = knowledge

    def name(self) -> str:
        return "action_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        knowledge = self._knowledge or services.knowledge()
        lang = turn_language(tracker)
        message = tracker.latest_message
        intent = (message.get("intent") or {}).get("name") or ""
        aspect = INTENT_ASPECTS.get(intent)
        chosen = next((e.get("value") for e in message.get("entities", []) if e.get("entity") == "procedure_code"), None)
        current = tracker.get_slot("procedure_code")

        if chosen:
            try:
                reply = knowledge.answer_for(str(chosen), lang, aspect or "overview")
            except GuideNotFound:
                reply = knowledge.ask(message.get("text") or "", lang=lang, aspect=aspect)
        else:
            reply = knowledge.ask(message.get("text") or "", lang=lang, aspect=aspect, current_code=current)

        events: list[EventType] = [SlotSet("lang", lang)]
        status = reply.answer["status"]
        if status == "unanswerable":
            failures = int(tracker.get_slot("fallback_count") or 0) + 1
            events.append(SlotSet("fallback_count", float(failures)))
            if failures >= FALLBACKS_BEFORE_HUMAN:
                reply = _offer_human(reply, lang)
        else:
            events.append(SlotSet("fallback_count", 0.0))
        if reply.guide_code:
            events.append(SlotSet("procedure_code", reply.guide_code))
        dispatcher.utter_message(json_message=to_payload(reply))
        return events


def to_payload(reply: Reply) -> dict[str, Any]:
    """What travels to the chat API in the REST channel's `custom` field.

    The text rides inside it: Rasa's REST channel would send `text` and `custom` as two messages.
    """
    return {
        "kind": "answer",
        "text": reply.text,
        "answer": reply.answer,
        "buttons": reply.buttons,
        "guide_code": reply.guide_code,
        "guide_version": reply.guide_version,
    }


def _offer_human(reply: Reply, lang: str) -> Reply:
    text = (
        "I still cannot find a guide for this. Would you like to talk to a person?"
        if lang == "en"
        else "Tôi vẫn chưa tìm được hướng dẫn phù hợp. Bạn có muốn gặp tổng đài viên không?"
    )
    return Reply(text, {**reply.answer, "offer_human": True}, [{"title": phrases(lang)["human"], "payload": "/request_human"}])
