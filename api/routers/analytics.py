"""The analytics API under /api/analytics: the dashboard's figures as tables, each table as CSV, charts as SVG.

Supervisors and admins see every section; editors the knowledge sections (answers, demand);
agents get 403, anyone without a staff token 401. Figures come from personal data only in
aggregate, with small cells shown as "< 5" (api/analytics/tables.py). A range is at most 366 days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from sqlalchemy import select

from api.analytics import charts, figures
from api.analytics.data import VN, Filters, InvalidPeriod, Period, load
from api.analytics.tables import as_json, suppress, to_csv
from api.auth.staff import CurrentStaff, Forbidden, require_role
from api.deps import SessionDep
from api.handoff.runtime import HandoffConfigDep
from api.handoff.skills import SKILLS
from db.base import utcnow
from db.models import GuideRow
from db.staff import StaffUser

router = APIRouter(prefix="/api/analytics", tags=["analytics"])
DEFAULT_DAYS = 28
KNOWLEDGE_ROLES = ("supervisor", "editor")
SERVICE_ROLES = ("supervisor",)
TableKey = Literal[tuple(figures.TABLE_SECTIONS)]  # type: ignore[valid-type]
ChartKey = Literal[tuple(charts.CHARTS)]  # type: ignore[valid-type]
Cell = str | float | int | None


class ColumnOut(BaseModel):
    key: str
    kind: str
    label: str


class TableOut(BaseModel):
    key: str
    title: str
    note: str
    columns: list[ColumnOut]
    rows: list[dict[str, Cell]]
    chart: bool


class SectionOut(BaseModel):
    key: str
    title: str
    tables: list[TableOut]


class DashboardOut(BaseModel):
    start: dt.date
    end: dt.date
    queue: str | None
    domain: str | None
    queues: list[str]
    domains: list[str]
    retained_included: bool  # counts of purged conversations are in the totals (no filter set)
    empty: bool  # no conversation and no form in the range
    sections: list[SectionOut]


@dataclass(frozen=True)
class Query_:
    period: Period
    filters: Filters
    lang: str


def query(
    start: Annotated[dt.date | None, Query(description=f"first day (Vietnam date); default {DEFAULT_DAYS - 1} days before `end`")] = None,
    end: Annotated[dt.date | None, Query(description="last day (Vietnam date), included; default today")] = None,
    queue: Annotated[Literal[SKILLS] | None, Query(description="only conversations handed to this queue")] = None,  # type: ignore[valid-type]
    domain: Annotated[str | None, Query(max_length=200, description="only conversations answered from guides of this domain")] = None,
    lang: Annotated[Literal["vi", "en"], Query(description="language of titles and column labels")] = "vi",
) -> Query_:
    last = end or utcnow().astimezone(VN).date()
    first = start or last - dt.timedelta(days=DEFAULT_DAYS - 1)
    try:
        period = Period.of(first, last)
    except InvalidPeriod as exc:  # a 422 in FastAPI's documented shape, like any other bad parameter
        raise RequestValidationError([{"type": "value_error", "loc": ("query", "start"), "msg": exc.detail, "input": str(first)}]) from exc
    return Query_(period=period, filters=Filters(queue=queue, domain=domain or None), lang=lang)


QueryDep = Annotated[Query_, Depends(query)]


def _dashboard(names: tuple[str, ...], q: Query_, session: Any, config: Any) -> DashboardOut:
    data = load(session=session, period=q.period, filters=q.filters)
    sections = []
    for name in names:
        tables = [suppress(t) for t in figures.section(name, data, config)]
        out = [TableOut(**as_json(t, q.lang), chart=t.key in charts.CHARTS) for t in tables]
        sections.append(SectionOut(key=name, title=figures.SECTIONS[name][q.lang == "en"], tables=out))
    domains = sorted({d for d in session.scalars(select(GuideRow.domain).distinct()) if d})
    return DashboardOut(start=q.period.start, end=q.period.end, queue=q.filters.queue, domain=q.filters.domain, queues=list(SKILLS),
                        domains=domains, retained_included=not q.filters.any, empty=not (data.conversations or data.forms or data.retained),
                        sections=sections)  # fmt: skip


@router.get("/knowledge")
def knowledge(
    q: QueryDep, session: SessionDep, config: HandoffConfigDep, _user: Annotated[StaffUser, Depends(require_role(*KNOWLEDGE_ROLES))]
) -> DashboardOut:
    """Answer quality (status mix, helpful rate, per procedure with the guide versions cited) and demand (top
    procedures, busiest hours in Vietnam time, languages, typed without diacritics, quality by language and diacritics)."""
    return _dashboard(figures.KNOWLEDGE, q, session, config)


@router.get("/service")
def service(
    q: QueryDep, session: SessionDep, config: HandoffConfigDep, _user: Annotated[StaffUser, Depends(require_role(*SERVICE_ROLES))]
) -> DashboardOut:
    """Containment and handoffs by reason, satisfaction, the queue (waits, SLA, abandoned, callbacks, occupancy), form prefill."""
    return _dashboard(tuple(s for s in figures.SECTIONS if s not in figures.KNOWLEDGE), q, session, config)


def _one_table(key: str, q: Query_, session: Any, config: Any, user: StaffUser) -> Any:
    section = figures.TABLE_SECTIONS[key]
    roles = KNOWLEDGE_ROLES if section in figures.KNOWLEDGE else SERVICE_ROLES
    if not user.has_role(*roles):
        raise Forbidden(f"the table {key} needs the role {' or '.join(roles)}; you have {', '.join(user.roles) or 'none'}")
    data = load(session=session, period=q.period, filters=q.filters)
    return suppress(next(t for t in figures.section(section, data, config) if t.key == key))


@router.get("/tables/{table}.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def table_csv(table: TableKey, q: QueryDep, session: SessionDep, config: HandoffConfigDep, user: CurrentStaff) -> Response:
    """One table as CSV (UTF-8 with BOM, for spreadsheets); cells starting with = + - @ are escaped with an apostrophe."""
    body = "\ufeff" + to_csv(_one_table(table, q, session, config, user), q.lang)
    name = f"{table}_{q.period.start}_{q.period.end}.csv"
    return Response(body, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/charts/{table}.svg", response_class=Response, responses={200: {"content": {"image/svg+xml": {}}}})
def chart_svg(table: ChartKey, q: QueryDep, session: SessionDep, config: HandoffConfigDep, user: CurrentStaff) -> Response:
    """One table's chart as SVG (no script, no external resource); an empty range draws "no data"."""
    return Response(charts.render(_one_table(table, q, session, config, user), q.lang), media_type="image/svg+xml")
