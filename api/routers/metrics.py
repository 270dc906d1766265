"""`GET /metrics`: the Prometheus exposition of this process (api/metrics.py; docs/operations.md).

Development serves it to anyone. Production hides it (404) unless ``HELPDESK_METRICS__TOKEN`` is set
(then ``Authorization: Bearer <token>`` is required, 401 otherwise) or ``HELPDESK_METRICS__PUBLIC=true``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import MetricsDep, SettingsDep
from api.errors import NotFound, Unauthorized
from api.metrics import may_scrape

router = APIRouter(tags=["operations"], include_in_schema=False)


@router.get("/metrics")
def metrics(settings: SettingsDep, metrics: MetricsDep, authorization: Annotated[str | None, Header()] = None) -> Response:
    allowed = may_scrape(config=settings.metrics, development=settings.development, authorization=authorization)
    if allowed is None:
        raise NotFound("Not Found")  # what any unknown path answers
    if not allowed:
        raise Unauthorized("send Authorization: Bearer <HELPDESK_METRICS__TOKEN>")
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
