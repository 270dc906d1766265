"""Estimated wait in the queue, from the Erlang C model (M/M/N queue).

estimate_wait(position=3, servers=4, arrival_rate=0.01, handling_time=300.0)  # seconds
"""

from __future__ import annotations

import math


def erlang_c(servers: int, traffic: float) -> float:
    """Probability that an arrival has to wait (Erlang C).

        P_w = (A^N / N!) · N/(N − A)  /  ( Σ_{k=0}^{N−1} A^k / k!  +  (A^N / N!) · N/(N − A) )

    with N servers (agent chat slots) and offered traffic A = λ · AHT in Erlangs.
    Returns 1.0 when A ≥ N (the queue grows without bound), 0.0 when there is no traffic.
    Computed through Erlang B's recursion, B(k) = A·B(k−1) / (k + A·B(k−1)), then
    C = N·B / (N − A·(1 − B)): every step stays in [0, 1], so a national call center's
    thousands of slots do not overflow (A^k / k! does beyond A ≈ 700).
    """
    if servers <= 0:
        raise ValueError(f"servers is {servers}; Erlang C needs at least one server")
    if traffic <= 0:
        return 0.0
    if traffic >= servers:
        return 1.0
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = traffic * blocking / (k + traffic * blocking)
    return servers * blocking / (servers - traffic * (1.0 - blocking))


def average_speed_of_answer(servers: int, traffic: float, handling_time: float) -> float:
    """Mean wait of a new arrival (ASA) in seconds: W_q = P_w · AHT / (N − A); infinite when A ≥ N."""
    if traffic >= servers:
        return math.inf
    return erlang_c(servers, traffic) * handling_time / (servers - traffic)


def service_level(servers: int, traffic: float, handling_time: float, target_s: float) -> float:
    """Share of arrivals answered within `target_s`: SL = 1 − P_w · e^(−(N − A) · t / AHT)."""
    if traffic >= servers:
        return 0.0
    return 1.0 - erlang_c(servers, traffic) * math.exp(-(servers - traffic) * target_s / handling_time)


def estimate_wait(*, position: int, servers: int, arrival_rate: float, handling_time: float) -> float | None:
    """Seconds until the citizen at `position` (1 = next) is likely answered; None without servers.

    The head of the queue waits the Erlang C average speed of answer for the current traffic
    (A = arrival_rate · handling_time); each citizen ahead adds AHT / N, the mean time between two
    departures when all N servers are busy. When traffic exceeds capacity (A ≥ N) only the
    position term counts, on top of one full handling time.
    """
    if servers <= 0:
        return None
    traffic = arrival_rate * handling_time
    ahead = max(position - 1, 0) * handling_time / servers
    if traffic >= servers:
        return handling_time + ahead
    return average_speed_of_answer(servers, traffic, handling_time) + ahead
