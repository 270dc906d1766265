"""Erlang C against textbook values and an independent reference (the closed formula, summed in log space)."""

from __future__ import annotations

import math

import pytest

from api.handoff.eta import average_speed_of_answer, erlang_c, estimate_wait, service_level


def erlang_c_reference(servers: int, traffic: float) -> float:
    """The closed formula with every term as a logarithm: log(A^k / k!) = k·log A − lgamma(k + 1)."""
    logs = [k * math.log(traffic) - math.lgamma(k + 1) for k in range(servers)]
    logs.append(servers * math.log(traffic) - math.lgamma(servers + 1) + math.log(servers / (servers - traffic)))
    top = max(logs)
    weights = [math.exp(x - top) for x in logs]
    return weights[-1] / sum(weights)


# The classic worked example (callcentrehelper.com "Erlang C formula – made simple"):
# 100 calls in 30 minutes, 180 s handling time → A = 10 Erlangs.
@pytest.mark.parametrize(
    ("agents", "p_wait", "asa", "sl20"),
    [(11, 0.6821, 122.8, 0.3896), (12, 0.4494, 40.4, 0.6402), (13, 0.2853, 17.1, 0.7956), (14, 0.1741, 7.8, 0.8884)],
)
def test_textbook_example(agents: int, p_wait: float, asa: float, sl20: float) -> None:
    assert erlang_c(agents, 10.0) == pytest.approx(p_wait, abs=5e-5)
    assert average_speed_of_answer(agents, 10.0, 180.0) == pytest.approx(asa, abs=0.05)
    assert service_level(agents, 10.0, 180.0, 20.0) == pytest.approx(sl20, abs=5e-5)


@pytest.mark.parametrize(("servers", "traffic"), [(1, 0.5), (2, 1.5), (5, 4.2), (30, 25.0), (150, 140.0), (800, 760.0), (1800, 1736.0)])
def test_matches_the_erlang_b_reference(servers: int, traffic: float) -> None:
    assert erlang_c(servers, traffic) == pytest.approx(erlang_c_reference(servers, traffic), rel=1e-9)


def test_a_national_call_center_does_not_overflow() -> None:
    """Thousands of chat slots (docs/scale.md): a probability, not NaN, falling as slots are added."""
    waits = [erlang_c(servers, 1736.0) for servers in (1740, 1760, 1800, 1900)]
    assert all(0.0 < w < 1.0 for w in waits) and waits == sorted(waits, reverse=True)


def test_single_server_is_the_mm1_utilisation() -> None:
    assert erlang_c(1, 0.7) == pytest.approx(0.7)  # M/M/1: P(wait) = ρ


def test_edges() -> None:
    assert erlang_c(3, 0.0) == 0.0
    assert erlang_c(3, 3.0) == 1.0 and math.isinf(average_speed_of_answer(3, 3.5, 60))
    with pytest.raises(ValueError, match="at least one server"):
        erlang_c(0, 1.0)


def test_wait_grows_with_position_and_shrinks_with_agents() -> None:
    base = dict(arrival_rate=1 / 120, handling_time=300.0)
    assert estimate_wait(position=1, servers=0, **base) is None
    first, third = estimate_wait(position=1, servers=3, **base), estimate_wait(position=3, servers=3, **base)
    assert first is not None and third is not None and third == pytest.approx(first + 2 * 300.0 / 3)
    more = estimate_wait(position=3, servers=6, **base)
    assert more is not None and more < third
    overloaded = estimate_wait(position=2, servers=1, arrival_rate=1 / 60, handling_time=300.0)
    assert overloaded == pytest.approx(300.0 + 300.0)
