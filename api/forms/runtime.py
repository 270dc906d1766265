"""What the form actions need from the app process: sessions, the secret, the templates.

The app builds one and hands it to the actions through their executor (actions/services.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from api.forms.flow import FormFlow
from api.forms.templates import FormTemplate


@dataclass(frozen=True)
class FormsRuntime:
    sessions: sessionmaker[Session]
    secret: str
    flow: FormFlow

    @property
    def templates(self) -> dict[str, FormTemplate]:
        return self.flow.templates


def get_flow(request: Request) -> FormFlow:
    return request.app.state.forms.flow


FlowDep = Annotated[FormFlow, Depends(get_flow)]
