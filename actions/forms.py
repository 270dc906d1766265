"""Form filling in the chat: start a form, ask, validate each answer, wrap up.

Thin adapters over `api.forms.flow.FormFlow`. Who is signed in comes only from the signed,
short-lived token the app puts in the message metadata (`identity`), verified here; the
Rasa sender id and typed text are never trusted for it. Values never go into slots: the
one slot `form_answer` carries the citizen's latest answer to `FormFlow.answer()` and is
emptied again, so the form keeps asking until the flow says it is finished.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.language import turn_language
from actions.services import UsesServices
from api.errors import Unauthorized
from api.forms.flow import Reply
from api.forms.runtime import FormsRuntime
from api.forms.templates import FormTemplate
from api.forms.texts import say
from api.identity.session import session_from_actions_token
from db.identity import CitizenSession, FormProgress
from knowledge.normalize import fold


def _identity(tracker: Tracker, runtime: FormsRuntime) -> tuple[str, dict[str, Any]] | None:
    """(subject, profile) of the verified sign-in behind this message, or None."""
    token = ((tracker.latest_message or {}).get("metadata") or {}).get("identity")
    if not token:
        return None
    with runtime.sessions() as session:
        try:
            row: CitizenSession = session_from_actions_token(session=session, token=token, secret=runtime.secret)
        except Unauthorized:
            return None
        return row.subject, dict(row.profile)


def _send(dispatcher: CollectingDispatcher, replies: list[Reply]) -> None:
    for reply in replies:
        dispatcher.utter_message(json_message=reply.payload())


def choose_form(templates: dict[str, FormTemplate], text: str, entity: str | None, procedure_code: str | None) -> str | None:
    """The form asked for: a button's entity, a keyword in the message, or the procedure being discussed."""
    if entity in templates:
        return entity
    folded = fold(text)
    for template in templates.values():
        if any(fold(k) in folded for k in (template.code, *template.keywords)):
            return template.code
    if procedure_code:
        return next((t.code for t in templates.values() if procedure_code in t.procedures), None)
    return None


class ActionStartForm(UsesServices, Action):
    """Checks the sign-in and which form; sets `form_ready` so the rules start the form (or not)."""

    def name(self) -> str:
        return "action_start_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        runtime = self.services.forms_runtime()
        lang = turn_language(tracker)
        not_ready = [SlotSet("form_ready", False), SlotSet("lang", lang)]
        identity = _identity(tracker, runtime)
        if identity is None:
            _send(dispatcher, [Reply("login_required", say("login_required", lang))])
            return not_ready
        subject, profile = identity
        message = tracker.latest_message or {}
        entity = next((e.get("value") for e in message.get("entities", []) if e.get("entity") == "form_code"), None)
        code = choose_form(runtime.templates, message.get("text") or "", entity, tracker.get_slot("procedure_code"))
        with runtime.sessions.begin() as session:
            if code is None:  # "continue my form": the one left half-filled, if there is exactly one
                unfinished = session.query(FormProgress.form_code).filter(FormProgress.subject == subject).all()
                code = unfinished[0][0] if len(unfinished) == 1 else None
            if code is None:
                buttons = [
                    {"title": t.title_in(lang), "payload": f'/start_form{{"form_code":"{t.code}"}}'} for t in runtime.templates.values()
                ]
                _send(dispatcher, [Reply("form_choice", say("which_form", lang), buttons)])
                return not_ready
            _send(dispatcher, runtime.flow.begin(session=session, subject=subject, form_code=code, lang=lang, profile=profile))
        return [SlotSet("form_code", code), SlotSet("form_ready", True), SlotSet("form_answer", None), SlotSet("lang", lang)]


class ActionAskFormAnswer(UsesServices, Action):
    """The form's question: consent, the next missing field, or the summary to confirm."""

    def name(self) -> str:
        return "action_ask_form_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        runtime = self.services.forms_runtime()
        lang = turn_language(tracker)
        identity = _identity(tracker, runtime)
        if identity is None:
            _send(dispatcher, [Reply("text", say("signed_out", lang))])
            return []
        subject, profile = identity
        with runtime.sessions.begin() as session:
            reply = runtime.flow.question(
                session=session, subject=subject, form_code=tracker.get_slot("form_code"), lang=lang, profile=profile
            )
        _send(dispatcher, [reply])
        return []


class ValidateApplicationForm(UsesServices, FormValidationAction):
    """Each answer goes to the flow; the slot is emptied until the flow says the form is finished."""

    def name(self) -> str:
        return "validate_application_form"

    async def validate_form_answer(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "form_answer":
            return {"form_answer": None}  # the message that activated the form is not an answer
        runtime = self.services.forms_runtime()
        lang = turn_language(tracker)
        identity = _identity(tracker, runtime)
        if identity is None:
            _send(dispatcher, [Reply("text", say("signed_out", lang))])
            return {"form_answer": "signed_out"}
        subject, profile = identity
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        with runtime.sessions.begin() as session:
            turn = runtime.flow.answer(
                session=session,
                subject=subject,
                profile=profile,
                form_code=tracker.get_slot("form_code"),
                text=str(slot_value or ""),
                intent=intent,
                lang=lang,
            )
        _send(dispatcher, turn.replies)
        return {"form_answer": "finished" if turn.finished else None}


class ActionFormDone(Action):
    """After the form: clear the loop's slot so the next form starts clean (progress stays in the DB)."""

    def name(self) -> str:
        return "action_form_done"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return [SlotSet("form_answer", None), SlotSet("form_ready", False)]
