"""What dossier services need from the app: sessions, the back office, the procedures' processing data.

The app builds one `DossierDesk` (api/app.py) and hands it to the routers (`DeskDep`) and to the actions
(actions/services.py), so both adapters share one core (api/dossiers/service.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import yaml
from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from api.dossiers.backoffice import BackOffice, DemoBackOffice, HttpBackOffice, NoBackOffice
from api.dossiers.config import DossierSettings
from api.dossiers.workdays import add_working_days, public_holidays
from api.errors import NotFound
from api.forms.templates import FormTemplate
from db.base import aware


@dataclass(frozen=True)
class Document:
    id: str
    label: dict[str, str]

    def label_in(self, lang: str) -> str:
        return self.label.get(lang) or self.label["vi"]


@dataclass(frozen=True)
class Procedure:
    form_code: str
    procedure: str
    working_days: int
    office: dict[str, str]
    collect: dict[str, str]
    documents: tuple[Document, ...] = ()

    def document(self, document_id: str) -> Document:
        for document in self.documents:
            if document.id == document_id:
                return document
        known = ", ".join(d.id for d in self.documents)
        raise NotFound(f"document {document_id!r} is not one of {self.form_code}'s: {known}")


def load_procedures(path: Path) -> dict[str, Procedure]:
    raw: dict[str, dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        form_code: Procedure(
            form_code=form_code,
            procedure=str(entry["procedure"]),
            working_days=int(entry["working_days"]),
            office=dict(entry["office"]),
            collect=dict(entry["collect"]),
            documents=tuple(Document(d["id"], {"vi": d["vi"], "en": d.get("en") or d["vi"]}) for d in entry.get("documents", [])),
        )
        for form_code, entry in raw.items()
    }


def make_backoffice(settings: DossierSettings, *, development: bool) -> BackOffice:
    """The configured processing system. The demo office exists in development only: production without
    ``backoffice=http`` refuses submissions (503) instead of pretending to submit."""
    if settings.backoffice == "http":
        return HttpBackOffice(settings.backoffice_url, settings.backoffice_token, timeout_s=settings.backoffice_timeout_s)
    return DemoBackOffice() if development else NoBackOffice()


@dataclass(frozen=True)
class DossierDesk:
    sessions: sessionmaker[Session]
    backoffice: BackOffice
    procedures: dict[str, Procedure]
    templates: dict[str, FormTemplate]
    settings: DossierSettings

    def procedure(self, form_code: str) -> Procedure:
        try:
            return self.procedures[form_code]
        except KeyError:
            raise NotFound(
                f"form {form_code!r} cannot be submitted online yet; it has no entry in {self.settings.procedures_file.name}"
            ) from None

    def local_date(self, moment: dt.datetime) -> dt.date:
        return aware(moment).astimezone(ZoneInfo(self.settings.timezone)).date()

    def expected_on(self, form_code: str, received_at: dt.datetime) -> dt.date:
        """The result date: the procedure's working days after the day of receipt (local), holidays skipped."""
        days = self.procedure(form_code).working_days
        return add_working_days(self.local_date(received_at), days, public_holidays(self.settings.holidays_country))


def get_desk(request: Request) -> DossierDesk:
    return request.app.state.dossiers


DeskDep = Annotated[DossierDesk, Depends(get_desk)]
