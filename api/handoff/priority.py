"""Ticket priority: fixed rules at handoff, plus time waited when the queue is ordered.

Rules (documented in docs/handoff.md):

| rule | points |
|---|---|
| handed off after repeated failures (`repeated_failure`) or two unhelpful answers (`negative_feedback`) | +2 |
| handed off on request (`requested`) | +1 |
| a complaint (`complaint`) | +2 |
| an urgent case (`urgent`) | +3 |
| each unanswerable reply beyond the first, in this conversation | +1, at most +2 |
| each "not helpful" feedback | +1, at most +2 |
| vulnerable citizen (elderly, disability; from the consented profile) | +3 |
| time waited: every `AGING_STEP` (5 minutes) | +1, at most +3 (applied when ordering) |

Higher first; equal priority → longer waiting first.
"""

from __future__ import annotations

import datetime as dt

REASON_POINTS = {"requested": 1, "repeated_failure": 2, "negative_feedback": 2, "complaint": 2, "urgent": 3}
AGING_STEP = dt.timedelta(minutes=5)
AGING_CAP = 3


def base_priority(*, reason: str, unanswered: int = 0, negative_feedback: int = 0, vulnerable: bool = False) -> int:
    """Points fixed when the ticket is created."""
    points = REASON_POINTS.get(reason, 1)
    points += min(max(unanswered - 1, 0), 2)
    points += min(negative_feedback, 2)
    return points + (3 if vulnerable else 0)


def aging_points(waited: dt.timedelta) -> int:
    """+1 for each full `AGING_STEP` waited, capped at `AGING_CAP`."""
    if waited <= dt.timedelta(0):
        return 0
    return min(int(waited / AGING_STEP), AGING_CAP)


def aging_thresholds(now: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """(created at or before, points) pairs, largest first: how SQL adds the aging points with a CASE."""
    return [(now - AGING_STEP * points, points) for points in range(AGING_CAP, 0, -1)]


def effective_priority(*, priority: int, created_at: dt.datetime, now: dt.datetime) -> int:
    return priority + aging_points(now - created_at)
