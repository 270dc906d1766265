"""Answer procedure questions from the knowledge base, with a citation."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import fallback
from actions.language import turn_language
from actions.services import NO_SERVICES, Services, UsesServices
from knowledge.answer import Aspect, human_button
from knowledge.provinces import Provinces, default_provinces, where_note
from knowledge.service import GuideNotFound, Reply

INTENT_ASPECTS: dict[str, Aspect] = {
    "ask_fee": "fee",
    "ask_documents": "documents",
    "ask_time": "time",
    "ask_steps": "steps",
    "ask_where": "where",
    "ask_online": "online",
}


class ActionAnswer(UsesServices, Action):
    """Finds the procedure (or keeps the current one for a follow-up) and answers what was asked.

    Procedure mentions found by the NLU go to the knowledge service as hints; a province the
    citizen named (now or earlier, the `province` slot) is said with the answer to "where".
    """

    def __init__(self, services: Services = NO_SERVICES, provinces: Provinces | None = None) -> None:
        super().__init__(services)
        self._provinces = provinces

    def name(self) -> str:
        return "action_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        knowledge = self.services.knowledge()
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

        with self.services.search_timer():
            if chosen:
                try:
                    reply = knowledge.answer_for(str(chosen), lang, aspect or "overview")
                except GuideNotFound:
                    reply = knowledge.ask(text, lang=lang, aspect=aspect)
            else:
                reply = knowledge.ask(
                    text, lang=lang, aspect=aspect, current_code=current, mentions=mentions, places=places, asks_law=intent == "ask_law"
                )
        place = next(iter(places), None) or tracker.get_slot("province")  # named now, or earlier
        if place and reply.answer["status"] == "answered" and reply.answer.get("aspect") == "where":
            reply = self._with_province(reply, str(place), lang)

        events: list[EventType] = [SlotSet("lang", lang)]
        status = reply.answer["status"]
        if status == "unanswerable":
            counted, offer = fallback.failed(tracker)
            events += counted
            if offer:
                # What the refusal knows (field, agency, legal basis) stays; the offer is added to it.
                reply = Reply(f"{reply.text}\n\n{fallback.OFFER[lang]}", {**reply.answer, "offer_human": True}, [human_button(lang)])
        else:
            events += fallback.succeeded()
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
