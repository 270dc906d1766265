"""Filling one form in conversation: consent, prefill, asking what is missing, corrections, confirmation.

The state lives in `form_progress` (one row per citizen and form), so leaving and coming back
loses nothing. The Rasa form only keeps the loop going: every answer is passed to `answer()`,
and `question()` says what to ask next (see actions/forms.py and docs/prefill.md).

    flow = FormFlow(templates)
    flow.begin(session=s, subject=sub, form_code="CT01", lang="vi")
    flow.question(session=s, subject=sub, form_code="CT01", lang="vi")     # consent first
    flow.answer(session=s, subject=sub, profile=profile, form_code="CT01", text="/affirm", intent="affirm", lang="vi")
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import NotFound
from api.forms.templates import Field, FormTemplate
from api.forms.texts import say
from api.forms.validation import InvalidValue, validate, validate_row
from db.base import utcnow
from db.identity import ApplicationDraft, Consent, FormProgress
from knowledge.normalize import fold

YES = {"co", "dong y", "vang", "u", "ok", "yes", "agree", "xac nhan", "confirm", "dung", "dung roi"}
NO = {"khong", "khong dong y", "no", "disagree", "sai"}
PAUSE = {"huy", "dung", "tam dung", "dung lai", "de sau", "cancel", "stop", "pause", "later"}
SKIP = {"bo qua", "skip", "khong co", "none"}
END_ROWS = {"xong", "het", "done", "finished", "khong", "none", "khong co"}
CORRECT_VERBS = ("sua lai", "sua", "doi", "chinh sua", "change", "correct", "edit")


@dataclass
class Reply:
    kind: str
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        """The message as it travels in the REST channel's `custom` field."""
        return {"kind": self.kind, "text": self.text, "buttons": self.buttons, "form": self.data}


@dataclass
class Turn:
    replies: list[Reply]
    finished: bool = False  # the Rasa form may stop (confirmed or paused)


def profile_value(profile: dict[str, Any], path: str) -> Any:
    """`household.head_name` → profile["household"]["head_name"]; None when absent."""
    value: Any = profile
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value if value not in ("", [], {}) else None


def identity_values(template: FormTemplate, profile: dict[str, Any]) -> dict[str, Any]:
    """Fields of `template` the profile can fill, with their (validated) values."""
    out: dict[str, Any] = {}
    for f in template.identity_fields():
        value = profile_value(profile, f.identity or "")
        if value is None:
            continue
        try:
            out[f.id] = validate(f, str(value))
        except InvalidValue:
            continue  # an identity value the form would refuse is asked instead
    return out


class FormFlow:
    def __init__(self, templates: dict[str, FormTemplate], today: dt.date | None = None) -> None:
        self.templates = templates
        self._today = today

    def template(self, form_code: str) -> FormTemplate:
        try:
            return self.templates[form_code]
        except KeyError:
            raise NotFound(f"form {form_code!r} does not exist; forms are {', '.join(sorted(self.templates))}") from None

    # ---- state ------------------------------------------------------------------------------
    def progress(self, *, session: Session, subject: str, form_code: str) -> FormProgress | None:
        return session.scalar(select(FormProgress).where(FormProgress.subject == subject, FormProgress.form_code == form_code))

    def begin(self, *, session: Session, subject: str, form_code: str, lang: str, profile: dict[str, Any]) -> list[Reply]:
        """Open (or resume) the citizen's progress on a form; returns the greeting."""
        template = self.template(form_code)
        progress = self.progress(session=session, subject=subject, form_code=form_code)
        if progress is not None:
            filled = sum(1 for v in progress.values.values() if v.get("value") not in (None, []))
            return [Reply("text", say("resumed", lang, title=template.title_in(lang), n=filled), data={"form_code": form_code})]
        progress = FormProgress(subject=subject, form_code=form_code, stage="filling", values={})
        session.add(progress)
        consent = self.active_consent(session=session, subject=subject, form_code=form_code)
        if consent is not None:
            self._prefill(progress, template, profile, consent)
        elif identity_values(template, profile):
            progress.stage = "consent"
        self._advance(progress, template)
        session.flush()
        return [Reply("text", say("started", lang, title=template.title_in(lang)), data={"form_code": form_code})]

    def active_consent(self, *, session: Session, subject: str, form_code: str) -> Consent | None:
        return session.scalar(
            select(Consent)
            .where(Consent.subject == subject, Consent.form_code == form_code, Consent.granted.is_(True), Consent.revoked_at.is_(None))
            .order_by(Consent.id.desc())
        )

    def revoke_consent(self, *, session: Session, subject: str, consent_id: int) -> Consent:
        """Revoke; identity values already in an unfinished form of that kind are removed (asked instead)."""
        consent = session.get(Consent, consent_id)
        if consent is None or consent.subject != subject:
            raise NotFound(f"consent {consent_id} does not exist")
        if consent.revoked_at is None:
            consent.revoked_at = utcnow()
        progress = self.progress(session=session, subject=subject, form_code=consent.form_code)
        if progress is not None:
            progress.values = {k: v for k, v in progress.values.items() if v.get("source") != "identity"}
            progress.consent_id = None
            if progress.stage != "consent":
                progress.stage, progress.current = "filling", None
                self._advance(progress, self.template(consent.form_code))
        session.flush()
        return consent

    # ---- what to ask ------------------------------------------------------------------------
    def question(self, *, session: Session, subject: str, form_code: str, lang: str, profile: dict[str, Any]) -> Reply:
        template = self.template(form_code)
        progress = self.progress(session=session, subject=subject, form_code=form_code)
        if progress is None:
            raise NotFound(f"no {form_code} form in progress")
        if progress.stage == "consent":
            labels = [template.field(f).label_in(lang) for f in identity_values(template, profile)]
            return Reply(
                "consent",
                say("consent", lang, title=template.title_in(lang), fields=", ".join(labels)),
                [{"title": say("agree", lang), "payload": "/affirm"}, {"title": say("disagree", lang), "payload": "/deny"}],
                {"form_code": form_code, "fields": list(identity_values(template, profile))},
            )
        if progress.stage == "filling" and progress.current:
            rows = (progress.values.get(progress.current) or {}).get("value")
            if isinstance(rows, list) and rows:
                data = {"form_code": form_code, "field": progress.current, "type": "table"}
                return Reply("form_question", say("ask_row", lang, n=len(rows)), data=data)
            return self._ask(template.field(progress.current), lang, form_code)
        filled = {k: v for k, v in progress.values.items() if v.get("value") not in (None, [])}
        from_identity = sum(1 for v in filled.values() if v.get("source") == "identity")
        return Reply(
            "form_summary",
            say("summary", lang, title=template.title_in(lang), n=len(filled), k=from_identity),
            [{"title": say("confirm", lang), "payload": "/affirm"}],
            {"form_code": form_code},
        )

    def _ask(self, f: Field, lang: str, form_code: str) -> Reply:
        text = say("ask", lang, label=f.label_in(lang))
        if f.help:
            text += " " + (f.help.get(lang) or f.help["vi"])
        if not f.required and f.type != "table":
            text += say("ask_optional", lang)
        buttons = [{"title": o, "payload": o} for o in f.options] if f.type == "choice" else []
        return Reply("form_question", text, buttons, {"form_code": form_code, "field": f.id, "type": f.type})

    # ---- answers ----------------------------------------------------------------------------
    def answer(
        self, *, session: Session, subject: str, profile: dict[str, Any], form_code: str, text: str, intent: str | None, lang: str
    ) -> Turn:
        template = self.template(form_code)
        progress = self.progress(session=session, subject=subject, form_code=form_code)
        if progress is None:
            raise NotFound(f"no {form_code} form in progress")
        key = fold(text).strip(" .!?")
        if key in PAUSE:
            return Turn([Reply("text", say("paused", lang), data={"form_code": form_code})], finished=True)
        if progress.stage == "consent":
            return Turn(self._consent(session, progress, template, profile, key, intent, lang))
        target = self._correction_target(template, key)
        if target is not None or (progress.stage == "confirm" and key.startswith(CORRECT_VERBS)):
            if target is None:
                return Turn([Reply("text", say("unknown_field", lang))])
            progress.stage, progress.current = "filling", target.id
            if target.type == "table":  # a table is typed again from its first row
                progress.values = {**progress.values, target.id: {"value": [], "source": "citizen", "open": True}}
            session.flush()
            return Turn([Reply("text", say("correcting", lang, label=target.label_in(lang)))])
        if progress.stage == "confirm":
            if intent == "affirm" or key in YES:
                return Turn([self._confirm(session, progress, template, lang)], finished=True)
            return Turn([Reply("text", say("which_field", lang))])
        return Turn(self._fill(session, progress, template, text, key, lang))

    def _consent(
        self,
        session: Session,
        progress: FormProgress,
        template: FormTemplate,
        profile: dict[str, Any],
        key: str,
        intent: str | None,
        lang: str,
    ) -> list[Reply]:
        if intent == "affirm" or key in YES:
            granted = True
        elif intent == "deny" or key in NO:
            granted = False
        else:
            return [Reply("text", say("consent_again", lang))]
        consent = Consent(
            subject=progress.subject, form_code=template.code, fields=list(identity_values(template, profile)), granted=granted
        )
        session.add(consent)
        session.flush()
        progress.stage = "filling"
        if granted:
            self._prefill(progress, template, profile, consent)
        self._advance(progress, template)
        session.flush()
        if granted:
            return [Reply("text", say("prefilled", lang, n=len(consent.fields)), data={"form_code": template.code})]
        return [Reply("text", say("no_consent", lang), data={"form_code": template.code})]

    def _prefill(self, progress: FormProgress, template: FormTemplate, profile: dict[str, Any], consent: Consent) -> None:
        values = dict(progress.values)
        for field_id, value in identity_values(template, profile).items():
            if field_id in consent.fields and field_id not in values:
                values[field_id] = {"value": value, "source": "identity"}
        progress.values, progress.consent_id = values, consent.id

    def _fill(self, session: Session, progress: FormProgress, template: FormTemplate, text: str, key: str, lang: str) -> list[Reply]:
        f = template.field(progress.current or "")
        values = dict(progress.values)
        replies: list[Reply] = []
        if f.type == "table":
            rows = list((values.get(f.id) or {}).get("value") or [])
            if key in END_ROWS:
                values[f.id] = {"value": rows, "source": "citizen"}
                progress.values = values
                self._advance(progress, template, after=f.id)
            else:
                try:
                    rows.append(validate_row(f, text, row_number=len(rows) + 1, today=self._today))
                except InvalidValue as exc:
                    return [
                        Reply("form_error", say("invalid", lang, label=f.label_in(lang), reason=exc.reason(lang)), data={"field": f.id})
                    ]
                values[f.id] = {"value": rows, "source": "citizen", "open": True}
                progress.values = values  # the question that follows says the row was saved
        else:
            if not f.required and key in SKIP:
                values[f.id] = {"value": None, "source": "citizen"}
            else:
                try:
                    values[f.id] = {"value": validate(f, text, today=self._today), "source": "citizen"}
                except InvalidValue as exc:
                    return [
                        Reply("form_error", say("invalid", lang, label=f.label_in(lang), reason=exc.reason(lang)), data={"field": f.id})
                    ]
            progress.values = values
            self._advance(progress, template, after=f.id)
        session.flush()
        return replies

    def _advance(self, progress: FormProgress, template: FormTemplate, after: str | None = None) -> None:
        """Ask the next field still missing (a table being filled stays current); the summary when none is."""
        current = progress.values.get(progress.current or "") or {}
        if after is None and progress.current and current.get("open"):
            return
        missing = [f.id for f in template.asked_fields() if f.id not in progress.values]
        if progress.stage == "consent":
            return
        progress.current = missing[0] if missing else None
        progress.stage = "filling" if missing else "confirm"

    def _correction_target(self, template: FormTemplate, key: str) -> Field | None:
        verb = next((v for v in CORRECT_VERBS if key.startswith(v + " ")), None)
        if verb is None:
            return None
        wanted = key[len(verb) :].strip(" :")
        best: tuple[int, Field] | None = None
        for f in template.fields:
            for label in f.label.values():
                folded = fold(label)
                if wanted == folded or wanted == f.id:
                    return f
                if len(wanted.split()) <= 8 and (wanted in folded or (len(folded) >= 5 and folded in wanted)):
                    score = -abs(len(folded) - len(wanted))
                    if best is None or score > best[0]:
                        best = (score, f)
        return best[1] if best else None

    def _confirm(self, session: Session, progress: FormProgress, template: FormTemplate, lang: str) -> Reply:
        values = []
        for f in template.fields:
            entry = progress.values.get(f.id)
            if entry and entry.get("value") not in (None, []):
                values.append({"field": f.id, "label": f.label["vi"], "value": entry["value"], "source": entry["source"]})
        draft = ApplicationDraft(subject=progress.subject, form_code=template.code, values=values)
        session.add(draft)
        session.delete(progress)
        session.flush()
        submit = {"title": say("submit", lang), "payload": f'/submit_application{{"application_id":"{draft.id}"}}'}  # docs/dossiers.md
        return Reply(
            "form_done",
            say("done", lang, title=template.title_in(lang), id=draft.id[:8]),
            [submit],
            data={"form_code": template.code, "application_id": draft.id},
        )
