"""A dossier's states and the transitions the one-stop office may make (docs/dossiers.md).

check_transition("processing", "result_ready")        # fine
check_transition("received", "returned")              # TransitionNotAllowed (a 409)
"""

from __future__ import annotations

from api.errors import Conflict

RECEIVED, PROCESSING, SUPPLEMENT, READY, RETURNED, CLOSED = (
    "received",
    "processing",
    "supplement_requested",
    "result_ready",
    "returned",
    "closed",
)
STATES = (RECEIVED, PROCESSING, SUPPLEMENT, READY, RETURNED, CLOSED)

# From each state, the states it may move to. `returned`: the result was handed to the citizen;
# `closed`: finished without a result (withdrawn, refused) or after the result was returned.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    RECEIVED: (PROCESSING, SUPPLEMENT, CLOSED),
    PROCESSING: (SUPPLEMENT, READY, CLOSED),
    SUPPLEMENT: (PROCESSING, CLOSED),
    READY: (RETURNED, CLOSED),
    RETURNED: (CLOSED,),
    CLOSED: (),
}

LABELS = {
    RECEIVED: {"vi": "Đã tiếp nhận", "en": "Received"},
    PROCESSING: {"vi": "Đang xử lý", "en": "Being processed"},
    SUPPLEMENT: {"vi": "Cần bổ sung hồ sơ", "en": "Supplement requested"},
    READY: {"vi": "Đã có kết quả", "en": "Result ready"},
    RETURNED: {"vi": "Đã trả kết quả", "en": "Result returned"},
    CLOSED: {"vi": "Đã kết thúc", "en": "Closed"},
}


class TransitionNotAllowed(Conflict):
    """A status change the table does not allow from the dossier's current state (409)."""


def allowed(current: str) -> tuple[str, ...]:
    return TRANSITIONS.get(current, ())


def check_transition(current: str, target: str) -> None:
    if target not in STATES:
        raise TransitionNotAllowed(f"{target!r} is not a dossier state; states are {', '.join(STATES)}")
    if target not in allowed(current):
        options = ", ".join(allowed(current)) or "none (it is closed)"
        raise TransitionNotAllowed(f"a dossier in state {current!r} cannot move to {target!r}; from {current!r} it may move to {options}")


def label(state: str, lang: str) -> str:
    names = LABELS.get(state, {"vi": state, "en": state})
    return names.get(lang) or names["vi"]
