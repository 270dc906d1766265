"""Staleness: a published guide nobody reviewed for too long, or whose national record changed since."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from db.base import aware
from db.editorial import GuideEditorial, SourceRecord
from db.models import GuideRow, GuideVersionRow


@dataclass(frozen=True)
class Staleness:
    reviewed_at: dt.datetime | None
    reasons: list[str]

    @property
    def stale(self) -> bool:
        return bool(self.reasons)


def last_review(state: GuideEditorial | None, published: GuideVersionRow | None) -> dt.datetime | None:
    """The last editor review, else the date the guide's facts were last checked (its `updated_at`), else its version's date."""
    if state is not None and state.reviewed_at is not None:
        return aware(state.reviewed_at)
    if published is None:
        return None
    checked = published.data.get("updated_at")
    if checked:
        return dt.datetime.combine(dt.date.fromisoformat(checked), dt.time(), tzinfo=dt.UTC)
    return aware(published.created_at)


def staleness(
    *,
    row: GuideRow,
    state: GuideEditorial | None,
    published: GuideVersionRow | None,
    source: SourceRecord | None,
    now: dt.datetime,
    stale_after: dt.timedelta,
) -> Staleness:
    """Reasons: ``not_reviewed`` (older than `stale_after`), ``source_changed`` (the national record moved on)."""
    if row.status != "published":
        return Staleness(None, [])
    reviewed = last_review(state, published)
    reasons = []
    if reviewed is None or now - reviewed > stale_after:
        reasons.append("not_reviewed")
    if source is not None and reviewed is not None and aware(source.changed_at) > reviewed:
        reasons.append("source_changed")
    elif (
        published is not None
        and published.source.startswith("tthc:")
        and state is not None
        and state.reviewed_at is not None
        and aware(published.created_at) > aware(state.reviewed_at)
    ):
        reasons.append("source_changed")  # an import replaced the reviewed text
    return Staleness(reviewed, reasons)
