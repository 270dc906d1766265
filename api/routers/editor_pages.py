"""The editor console at /editor: one server-rendered page, behaviour in /static/editor.js."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")


@router.get("/editor", response_class=HTMLResponse)
def editor_console(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "editor.html", {"lang": "vi"})
