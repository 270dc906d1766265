"""The capacity model's arithmetic (bench/capacity.py, docs/scale.md) on figures small enough to check by hand."""

from __future__ import annotations

import json

import pytest

from api.handoff.eta import service_level
from bench.capacity import Load, Measured, Policy, agent_slots, live_trackers, main, plan, replicas

MEASURED = Measured(app_cpu_ms_per_turn=20.0, rasa_cpu_ms_per_turn=15.0, app_rss_mib=512.0, rasa_rss_mib=768.0)


def test_peak_turns_follow_the_day_the_peak_and_the_turns() -> None:
    load = Load(conversations_per_day=240_000, turns_per_conversation=3.0, peak_factor=6.0)
    assert load.mean_conversations_per_hour() == 10_000
    assert load.peak_conversations_per_hour() == 60_000
    assert load.peak_turns_per_s() == pytest.approx(50.0)  # 60,000 × 3 / 3,600


def test_replicas_cover_the_cores_at_the_target_utilisation_and_never_fewer_than_two() -> None:
    policy = Policy(cpu_utilisation=0.5)
    assert replicas(100.0, 20.0, policy) == 4  # 2 cores of work at 50 % each
    assert replicas(101.0, 20.0, policy) == 5
    assert replicas(1.0, 20.0, policy) == 2  # one replica may be lost


def test_agent_slots_are_the_fewest_that_meet_the_service_level() -> None:
    policy = Policy(handling_s=180.0, answer_within_s=20.0, service_target=0.8)
    slots = agent_slots(200.0, policy)  # 200 an hour × 180 s = 10 Erlangs: the textbook example needs 14
    assert slots == 14
    assert service_level(slots - 1, 10.0, 180.0, 20.0) < 0.8 <= service_level(slots, 10.0, 180.0, 20.0)
    assert agent_slots(0.0, policy) == 0


@pytest.mark.parametrize(
    ("live_s", "expected"),
    [(1800.0, 5_000), (3600.0, 10_000), (86_400.0, 100_000), (2 * 86_400.0, 200_000)],
)
def test_live_trackers_within_an_hour_a_day_and_beyond(live_s: float, expected: int) -> None:
    load = Load(conversations_per_day=100_000, peak_factor=2.4)  # peak hour: 10,000 conversations
    assert live_trackers(load, live_s) == expected


def test_plan_adds_up() -> None:
    load = Load(conversations_per_day=240_000, turns_per_conversation=3.0, peak_factor=6.0, handoff_rate=0.01)
    result = plan(load, MEASURED, Policy(cpu_utilisation=0.5))
    assert result.app_cores == pytest.approx(1.0) and result.rasa_cores == pytest.approx(0.75)
    assert (result.app_replicas, result.rasa_replicas) == (2, 2)
    assert result.app_memory_gib == pytest.approx(1.0) and result.rasa_memory_gib == pytest.approx(1.5)
    assert result.db_writes_per_s == pytest.approx(150.0)
    assert result.handoffs_peak_hour == pytest.approx(600.0)
    assert result.agents == -(-result.agent_slots // 3) and result.service_level >= 0.8


def test_the_command_prints_the_table_and_the_figures(tmp_path, capsys) -> None:
    measured = tmp_path / "measured.json"
    measured.write_text(json.dumps({"app_cpu_ms_per_turn": 20.0, "rasa_cpu_ms_per_turn": 15.0, "app_rss_mib": 512, "rasa_rss_mib": 768, "other": 1}))
    main(["--measured", str(measured), "--conversations", "1000000"])
    out = capsys.readouterr().out
    assert "| peak chat turns/s | 463 | derived |" in out
    assert '"agents":' in out
