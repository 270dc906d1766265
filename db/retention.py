"""What stays of purged rows: anonymous daily counts (api.retention writes them before it deletes).

One row is a count (and a sum, for durations) of one metric on one day, optionally for one
procedure; the figure for a day is the sum of its rows (each purge run appends its own), plus what
the live tables still hold. No row names a person, a conversation or a phone number.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow


class RetainedStat(Base):
    """`metric` with `key` (and `procedure`, when the metric is per procedure), e.g.
    ("answers", "1.004222", "answered"), ("handoffs", None, "requested"), ("wait_s", None, "residence")."""

    __tablename__ = "retained_stats"
    __table_args__ = (Index("ix_retained_stats_metric_day", "metric", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, doc="UTC day of the counted event")
    metric: Mapped[str] = mapped_column(String(32))
    procedure: Mapped[str | None] = mapped_column(String(64), nullable=True, doc="guide code, for per-procedure metrics")
    key: Mapped[str] = mapped_column(String(64), default="")
    count: Mapped[int] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Float, default=0.0, doc="sum of the counted durations (seconds), 0 for plain counts")
    purged_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
