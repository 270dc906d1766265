"""Answer procedure questions from the knowledge base, with a citation."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.language import turn_language
from knowledge.answer import Aspect, phrases
from knowledge.provinces import Provinces, default_provinces, where_note
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
    """Finds the procedure (or keeps the current one for a follow-up) and answers what was asked.

    Procedure mentions found by the NLU go to the knowledge service as hints; a province the
    citizen named (now or earlier, the `province` slot) is said with the answer to "where".
    """

    def __init__(self, knowledge: KnowledgeService | None = None, provinces: Provinces | None = None) -> None:
        self._knowledge = knowledge
        self._provinces = provinces

    def name(self) -> str:
        return "action_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        knowledge = self._knowledge or services.knowledge()
        lang = turn_language(tracker)
        message = tracker.latest_message
        text = message.get("text") or ""
        intent = (message.get("intent") or {}).get("name") or ""
        aspect = INTENT_ASPECTS.get(intent)
        entities = message.get("entities") or []
        chosen = next((e.get("value") for e in entities if e.get("entity") == "procedure_code"), None)
        mentions = [str(e["value"]) for e in entities if e.get("entity") == "procedure" and e.get("value")]
        places = [str(e["value"]) for e in entities if e.get("entity") == "province" and e.get("value")]
        current = tracker.get_slot("procedure_code")

        if chosen:
            try:
                reply = knowledge.answer_for(str(chosen), lang, aspect or "overview")
            except GuideNotFound:
                reply = knowledge.ask(text, lang=lang, aspect=aspect)
        else:
            reply = knowledge.ask(text, lang=lang, aspect=aspect, current_code=current, mentions=mentions, places=places)
        place = next(iter(places), None) or tracker.get_slot("province")  # named now, or earlier
        if place and reply.answer["status"] == "answered" and reply.answer.get("aspect") == "where":
            reply = self._with_province(reply, str(place), lang)

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

    def _with_province(self, reply: Reply, place: str, lang: str) -> Reply:
        match = (self._provinces or default_provinces()).resolve(place)
        if match is None:
            return reply
        text = reply.text if reply.text.endswith((".", "!", "?")) else f"{reply.text}."
        return replace(reply, text=f"{text} {where_note(match, lang)}")


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
