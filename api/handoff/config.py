"""Settings of the handoff feature (variables ``HELPDESK_HANDOFF__<NAME>``): the `handoff` section of
`api.settings.Settings`, listed in docs/handoff.md."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class HandoffConfig(BaseModel):
    timezone: str = "Asia/Ho_Chi_Minh"
    open_days: list[int] = Field(default=[0, 1, 2, 3, 4], description="weekdays with service, Monday = 0")
    opens_at: dt.time = dt.time(7, 30)
    closes_at: dt.time = dt.time(17, 0)
    holidays_country: str = "VN"
    always_open: bool = Field(default=False, description="ignore hours and holidays (demo and tests)")
    callback_after_s: float = Field(default=600.0, description="offer a callback when the estimated wait exceeds this")
    default_handling_s: float = Field(default=300.0, description="handling time assumed before any ticket is resolved")
    sla_answer_s: float = 60.0
    sla_target: float = 0.8
    stats_window: dt.timedelta = dt.timedelta(hours=1)
    live_url: str = Field(default="", description="empty: live push within one app worker; redis://host:6379/0 fans it out to every worker")
