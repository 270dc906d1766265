"""Dossiers in the chat: "where is my application?" and submitting a confirmed form (with explicit confirmation).

Thin adapters over `api.dossiers.service`; who is signed in comes only from the signed token in the
message metadata (as in actions/forms.py), never from typed text or the Rasa sender id.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import select

from actions.forms import _identity
from actions.language import turn_language
from actions.services import UsesServices
from api.dossiers import service
from api.dossiers.backoffice import BackOfficeUnavailable
from api.dossiers.desk import DossierDesk
from api.dossiers.states import READY, SUPPLEMENT, label
from api.dossiers.texts import say, show_date
from api.errors import DomainError, NotFound
from api.forms.drafts import get_draft
from db.dossiers import Dossier
from db.identity import ApplicationDraft


def _send(dispatcher: CollectingDispatcher, kind: str, text: str, buttons: list[dict[str, str]] | None = None, **data: Any) -> None:
    dispatcher.utter_message(json_message={"kind": kind, "text": text, "buttons": buttons or [], **data})


def _entity(tracker: Tracker, name: str) -> str | None:
    entities = (tracker.latest_message or {}).get("entities") or []
    return next((str(e.get("value")) for e in entities if e.get("entity") == name and e.get("value")), None)


def status_summary(dossiers: list[Dossier], desk: DossierDesk, lang: str) -> tuple[str, list[dict[str, str]]]:
    """The citizen's dossiers as one message: each with its state and date, a supplement's reason and documents,
    where to collect a ready result; a button to supplement each dossier that waits for one."""
    if not dossiers:
        return say("none", lang), []
    lines, buttons = [say("list", lang, n=len(dossiers))], []
    for dossier in dossiers:
        view = service.dossier_json(dossier, desk, lang)
        line = say(
            "item",
            lang,
            code=dossier.code,
            title=view["title"],
            state=label(dossier.state, lang),
            expected=show_date(dossier.expected_on, lang),
        )
        if dossier.state == SUPPLEMENT and view["supplement"]:
            supplement = view["supplement"]
            reason = (supplement.get("reason") or "").rstrip(".") + "."
            line += say("item_reason", lang, reason=reason, documents="; ".join(supplement.get("documents") or []))
            buttons.append({"title": say("supplement_button", lang, code=dossier.code), "payload": f"dossier-supplement:{dossier.code}"})
        if dossier.state == READY and view["collect"]:
            line += say("item_collect", lang, collect=view["collect"])
        lines.append(line)
    return "\n".join(lines), buttons


class ActionDossierStatus(UsesServices, Action):
    """ "Where is my application?": the signed-in citizen's dossiers, or how to look one up without signing in."""

    def name(self) -> str:
        return "action_dossier_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        desk, lang = self.services.dossier_desk(), turn_language(tracker)
        identity = _identity(tracker, self.services.forms_runtime())
        if identity is None:
            _send(dispatcher, "dossier_lookup", say("login_or_lookup", lang))
            return []
        with desk.sessions() as session:
            text, buttons = status_summary(service.citizen_dossiers(session=session, subject=identity[0]), desk, lang)
        _send(dispatcher, "dossier_list", text, buttons)
        return []


class ActionSubmitApplication(UsesServices, Action):
    """Submit a confirmed form: the first call asks for explicit confirmation (a button carrying
    `submit_confirmed`), the second submits, idempotently per draft."""

    def name(self) -> str:
        return "action_submit_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        desk, lang = self.services.dossier_desk(), turn_language(tracker)
        identity = _identity(tracker, self.services.forms_runtime())
        if identity is None:
            _send(dispatcher, "login_required", say("login_or_lookup", lang))
            return []
        subject = identity[0]
        with desk.sessions.begin() as session:
            draft_id = _entity(tracker, "application_id") or session.scalar(
                select(ApplicationDraft.id)
                .where(ApplicationDraft.subject == subject, ApplicationDraft.status == "draft")
                .order_by(ApplicationDraft.created_at.desc())
                .limit(1)
            )
            if draft_id is None:
                _send(dispatcher, "text", say("no_draft", lang))
                return []
            if _entity(tracker, "submit_confirmed") != "yes":
                self._ask_confirmation(dispatcher, session, desk, subject, draft_id, lang)
                return []
            try:
                dossier, created = service.submit_draft(
                    session=session, desk=desk, subject=subject, draft_id=draft_id, conversation_id=tracker.sender_id, lang=lang
                )
            except (service.AlreadySubmitted, service.IncompleteDraft, BackOfficeUnavailable, NotFound) as exc:
                _send(dispatcher, "text", say("refused", lang, reason=exc.detail))
                return []
            if created:
                text = say("submitted", lang, code=dossier.code, expected=show_date(dossier.expected_on, lang))
            else:
                text = say("already", lang, code=dossier.code, state=label(dossier.state, lang))
            _send(dispatcher, "dossier_submitted", text, dossier={"code": dossier.code, "state": dossier.state})
        return []

    def _ask_confirmation(
        self, dispatcher: CollectingDispatcher, session: Any, desk: DossierDesk, subject: str, draft_id: str, lang: str
    ) -> None:
        try:
            draft = get_draft(session=session, subject=subject, draft_id=draft_id)
            procedure = desk.procedure(draft.form_code)
        except DomainError as exc:
            _send(dispatcher, "text", say("refused", lang, reason=exc.detail))
            return
        template = desk.templates.get(draft.form_code)
        title = template.title_in(lang) if template else draft.form_code
        payload = f'/submit_application{{"application_id":"{draft.id}","submit_confirmed":"yes"}}'
        buttons = [{"title": say("confirm_yes", lang), "payload": payload}, {"title": say("confirm_no", lang), "payload": "/deny"}]
        office = procedure.office.get(lang) or procedure.office["vi"]
        _send(dispatcher, "submit_confirm", say("confirm", lang, title=title, office=office, days=procedure.working_days), buttons)
