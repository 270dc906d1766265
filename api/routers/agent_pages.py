"""The agent console at /agent, the supervisor view at /agent/supervisor and the dashboard at /agent/dashboard (server-rendered, plain JS)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.routers.pages import templates

router = APIRouter(include_in_schema=False)


@router.get("/agent", response_class=HTMLResponse)
def agent_console(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "agent.html", {"lang": "vi", "view": "console"})


@router.get("/agent/supervisor", response_class=HTMLResponse)
def supervisor_view(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "agent_supervisor.html", {"lang": "vi", "view": "supervisor"})


@router.get("/agent/dashboard", response_class=HTMLResponse)
def dashboard(request: Request) -> HTMLResponse:
    """Figures for supervisors and admins (editors: the knowledge part), from /api/analytics (static/dashboard.js)."""
    return templates.TemplateResponse(request, "agent_dashboard.html", {"lang": "vi", "view": "dashboard"})
