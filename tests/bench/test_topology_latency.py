"""The per-topology benchmark's pure parts (bench/topology_latency.py): topology names, PostgreSQL backends, the table."""

from __future__ import annotations

import argparse

import pytest

from bench.chat_latency import Turn
from bench.topology_latency import merge_backends, parse_topology, summary_table


def test_a_topology_is_workers_x_rasa_servers() -> None:
    assert parse_topology("2x1") == (2, 1)
    assert parse_topology("1X2") == (1, 2)


@pytest.mark.parametrize("value", ["2", "2x", "x1", "0x1", "2x0", "2*1", "ax1", "-1x2"])
def test_anything_else_is_refused_with_the_expected_form(value: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="WORKERSxRASA"):
        parse_topology(value)


def test_backends_are_summed_into_one_postgres_figure_and_a_closed_one_counts_as_zero() -> None:
    cpu = {"app1": 1.5, "postgres:101": 0.25, "postgres:102": 0.5, "postgres:103": -3.0}
    assert merge_backends(cpu) == {"app1": 1.5, "postgres": 0.75}
    assert merge_backends({"stock": 2.0}) == {"stock": 2.0}


def run(turns: int, wall: float, cpu: dict[str, float], load: float, at: float, ms: float = 100.0, ok: bool = True) -> dict:
    return {"turns": [Turn(ms, ok, "answer", "q")] * turns, "wall": wall, "cpu": cpu, "load": load, "at": at}


def test_the_table_has_a_row_per_topology_and_level_with_the_ratio_and_cpu_per_process() -> None:
    results = {
        "2×1": {
            ("ours", 8): [
                run(100, 10.0, {"app1": 2.0, "app2": 2.0, "rasa1": 1.0}, 2.5, at=1.0),
                run(100, 10.0, {"app1": 2.0, "app2": 2.0, "rasa1": 1.0}, 3.0, at=4.0, ok=False),
            ],
            ("stock", 8): [run(50, 10.0, {"stock": 2.5}, 2.0, at=2.0), run(50, 10.0, {"stock": 2.5}, 1.5, at=3.0)],
        }
    }
    header, rule, row = summary_table(results, [8]).splitlines()
    assert header.count("|") == rule.count("|") == row.count("|")
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[:6] == ["2×1", "8", "10.0, 10.0", "100 / 100", "5.0, 5.0", "2.00"]
    assert cells[6] == "app1 20.0 + app2 20.0 + rasa1 10.0 = **50.0**"  # 4 s of app1 over 200 turns
    assert cells[7:] == ["50.0", "100", "2.5, 2.0, 1.5, 3.0"]  # loads in the order the runs were made
