"""What the form actions need from the app process: sessions, the secret, the templates.

rasa-sdk builds actions with no arguments, so the app registers this at start-up
(like actions/services.py does for the knowledge service); tests pass their own.
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


_runtime: FormsRuntime | None = None


def provide(runtime: FormsRuntime | None) -> None:
    global _runtime
    _runtime = runtime


def get() -> FormsRuntime:
    if _runtime is None:
        raise RuntimeError("the forms runtime is not set up; the app registers it at start-up (api/app.py)")
    return _runtime


def get_flow(request: Request) -> FormFlow:
    return request.app.state.forms.flow


FlowDep = Annotated[FormFlow, Depends(get_flow)]
