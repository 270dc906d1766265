"""The transition table: what each state may move to, and the 409 for anything else."""

from __future__ import annotations

import pytest

from api.dossiers.states import (
    CLOSED,
    PROCESSING,
    READY,
    RECEIVED,
    RETURNED,
    STATES,
    SUPPLEMENT,
    TRANSITIONS,
    TransitionNotAllowed,
    check_transition,
)


def test_the_whole_loop_is_allowed() -> None:
    path = [RECEIVED, PROCESSING, SUPPLEMENT, PROCESSING, READY, RETURNED, CLOSED]
    for current, target in zip(path, path[1:], strict=False):
        check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"), [(RECEIVED, READY), (RECEIVED, RETURNED), (READY, SUPPLEMENT), (CLOSED, PROCESSING), (SUPPLEMENT, READY)]
)
def test_a_transition_not_in_the_table_is_a_409_naming_the_allowed_ones(current: str, target: str) -> None:
    with pytest.raises(TransitionNotAllowed) as refused:
        check_transition(current, target)
    assert refused.value.status_code == 409
    assert current in refused.value.detail and target in refused.value.detail


def test_an_unknown_state_is_refused() -> None:
    with pytest.raises(TransitionNotAllowed, match="not a dossier state"):
        check_transition(RECEIVED, "lost")


def test_the_table_names_only_known_states_and_closed_is_final() -> None:
    assert set(TRANSITIONS) == set(STATES)
    assert all(set(targets) <= set(STATES) for targets in TRANSITIONS.values())
    assert TRANSITIONS[CLOSED] == ()
