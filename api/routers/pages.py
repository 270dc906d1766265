"""Server-rendered web pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")


@router.get("/", response_class=HTMLResponse)
def chat_page(request: Request, lang: str = "vi") -> HTMLResponse:
    return templates.TemplateResponse(request, "chat.html", {"lang": "en" if lang == "en" else "vi"})
