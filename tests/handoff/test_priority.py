from __future__ import annotations

import datetime as dt

from api.handoff.priority import aging_points, aging_thresholds, base_priority, effective_priority

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)


def test_base_rules() -> None:
    assert base_priority(reason="requested") == 1
    assert base_priority(reason="repeated_failure", unanswered=2) == 3
    assert base_priority(reason="negative_feedback", negative_feedback=2) == 4
    assert base_priority(reason="requested", unanswered=9, negative_feedback=9) == 1 + 2 + 2  # both capped
    assert base_priority(reason="requested", vulnerable=True) == 4


def test_aging() -> None:
    assert aging_points(dt.timedelta(minutes=4, seconds=59)) == 0
    assert aging_points(dt.timedelta(minutes=5)) == 1
    assert aging_points(dt.timedelta(hours=2)) == 3
    assert aging_points(dt.timedelta(seconds=-3)) == 0
    assert effective_priority(priority=1, created_at=NOW - dt.timedelta(minutes=11), now=NOW) == 3


def test_sql_thresholds_agree_with_the_python_rule() -> None:
    for minutes in (0, 3, 5, 7, 10, 14, 15, 40):
        created = NOW - dt.timedelta(minutes=minutes)
        points = next((p for before, p in aging_thresholds(NOW) if created <= before), 0)
        assert points == aging_points(NOW - created)
