"""Capacity model (docs/scale.md): how many app and Rasa replicas, how much PostgreSQL and Redis, and how many
call-center agents a daily load needs, from figures measured on this machine.

    .venv/bin/python -m bench.capacity --measured /tmp/scale/scale.json [--conversations 1000000]
        [--turns 4] [--peak 10] [--handoff-rate 0.05] [--out docs-table.md]

`--measured` is a JSON of the `Measured` fields (CPU ms per turn per process, resident memory per process) from
the topology benchmark (docs/scale.md names the run); every other input is an assumption, printed with the
result so that a reader can disagree with it.
The arithmetic is here, as pure functions, so that it is tested and the docs' tables are regenerated
rather than typed.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from api.handoff.eta import average_speed_of_answer, service_level

HOUR_S = 3600.0


@dataclass(frozen=True)
class Load:
    """The demand: a day's conversations, how long they are, how peaky the day is, how many need a person."""

    conversations_per_day: int = 1_000_000
    turns_per_conversation: float = 4.0  # the benchmark's conversations have 2-4 citizen turns
    peak_factor: float = 10.0  # the peak hour carries this many times the day's mean hour
    handoff_rate: float = 0.05  # share of conversations handed to a person
    conversation_minutes: float = 5.0  # from the first to the last turn: how long a tracker is live

    def mean_conversations_per_hour(self) -> float:
        return self.conversations_per_day / 24.0

    def peak_conversations_per_hour(self) -> float:
        return self.mean_conversations_per_hour() * self.peak_factor

    def peak_turns_per_s(self) -> float:
        return self.peak_conversations_per_hour() * self.turns_per_conversation / HOUR_S

    def peak_handoffs_per_hour(self) -> float:
        return self.peak_conversations_per_hour() * self.handoff_rate


@dataclass(frozen=True)
class Measured:
    """Per-turn CPU and per-process memory, from the topology benchmark on this machine."""

    app_cpu_ms_per_turn: float
    rasa_cpu_ms_per_turn: float
    app_rss_mib: float
    rasa_rss_mib: float
    tracker_kib_per_conversation: float = 20.0  # Rasa's tracker of a 3-4 turn conversation (docs/reliability.md)
    db_rows_per_turn: float = 3.0  # the citizen's message, the bot's reply, the conversation's update
    db_kib_per_turn: float = 2.0  # those rows with their indexes


@dataclass(frozen=True)
class Policy:
    """How hard replicas are run and how the call center is held to its service level."""

    cpu_utilisation: float = 0.6  # target CPU of a replica at the peak: room for bursts and a lost node
    cores_per_replica: float = 1.0  # one process = one core (one interpreter lock)
    handling_s: float = 300.0  # agent handling time of one chat (HELPDESK_HANDOFF__DEFAULT_HANDLING_S)
    chats_per_agent: int = 3  # concurrent chats of one agent (staff_users.capacity default)
    answer_within_s: float = 60.0  # service level: answered within … (HELPDESK_HANDOFF__SLA_ANSWER_S)
    service_target: float = 0.8  # … for this share of handoffs (HELPDESK_HANDOFF__SLA_TARGET)
    tracker_expiry_s: float = 86_400.0  # Redis record_exp of bot/endpoints.redis.yml
    retention_days: int = 90  # conversations kept in PostgreSQL (docs/privacy.md)


def replicas(turns_per_s: float, cpu_ms_per_turn: float, policy: Policy) -> int:
    """Processes that serve `turns_per_s` at the policy's utilisation; at least two (one may be lost)."""
    cores = turns_per_s * cpu_ms_per_turn / 1000.0
    return max(2, math.ceil(cores / (policy.cpu_utilisation * policy.cores_per_replica)))


def agent_slots(handoffs_per_hour: float, policy: Policy) -> int:
    """The fewest chat slots (Erlang C servers) that answer `service_target` of handoffs within `answer_within_s`."""
    traffic = handoffs_per_hour / HOUR_S * policy.handling_s  # Erlangs: chats in progress at once, on average
    if traffic <= 0:
        return 0
    slots = math.floor(traffic) + 1
    while service_level(slots, traffic, policy.handling_s, policy.answer_within_s) < policy.service_target:
        slots += 1
    return slots


def live_trackers(load: Load, live_s: float) -> int:
    """Trackers in Redis at the peak: the conversations started within `live_s` (a tracker lives from the first turn
    until `record_exp` after the last). Within an hour, the peak hour's rate; up to a day, the peak hour plus the rest
    of the day at its own mean rate; beyond a day, whole days."""
    day_s = 24 * HOUR_S
    peak_hour = load.peak_conversations_per_hour()
    if live_s <= HOUR_S:
        return math.ceil(peak_hour / HOUR_S * live_s)
    if live_s <= day_s:
        rest_rate = max(load.conversations_per_day - peak_hour, 0.0) / (day_s - HOUR_S)
        return math.ceil(peak_hour + rest_rate * (live_s - HOUR_S))
    return math.ceil(load.conversations_per_day * live_s / day_s)


@dataclass(frozen=True)
class Plan:
    peak_turns_per_s: float
    app_cores: float
    rasa_cores: float
    app_replicas: int
    rasa_replicas: int
    app_memory_gib: float
    rasa_memory_gib: float
    redis_trackers_live: int
    redis_memory_gib: float
    db_writes_per_s: float
    db_storage_gib: float
    handoffs_peak_hour: float
    agent_slots: int
    agents: int
    service_level: float
    average_wait_s: float


def plan(load: Load, measured: Measured, policy: Policy) -> Plan:
    turns = load.peak_turns_per_s()
    app_n = replicas(turns, measured.app_cpu_ms_per_turn, policy)
    rasa_n = replicas(turns, measured.rasa_cpu_ms_per_turn, policy)
    trackers = live_trackers(load, load.conversation_minutes * 60.0 + policy.tracker_expiry_s)
    slots = agent_slots(load.peak_handoffs_per_hour(), policy)
    traffic = load.peak_handoffs_per_hour() / HOUR_S * policy.handling_s
    turns_per_day = load.conversations_per_day * load.turns_per_conversation
    return Plan(
        peak_turns_per_s=turns,
        app_cores=turns * measured.app_cpu_ms_per_turn / 1000.0,
        rasa_cores=turns * measured.rasa_cpu_ms_per_turn / 1000.0,
        app_replicas=app_n,
        rasa_replicas=rasa_n,
        app_memory_gib=app_n * measured.app_rss_mib / 1024.0,
        rasa_memory_gib=rasa_n * measured.rasa_rss_mib / 1024.0,
        redis_trackers_live=trackers,
        redis_memory_gib=trackers * measured.tracker_kib_per_conversation / 1024.0 / 1024.0,
        db_writes_per_s=turns * measured.db_rows_per_turn,
        db_storage_gib=turns_per_day * policy.retention_days * measured.db_kib_per_turn / 1024.0 / 1024.0,
        handoffs_peak_hour=load.peak_handoffs_per_hour(),
        agent_slots=slots,
        agents=math.ceil(slots / policy.chats_per_agent) if slots else 0,
        service_level=service_level(slots, traffic, policy.handling_s, policy.answer_within_s) if slots else 1.0,
        average_wait_s=average_speed_of_answer(slots, traffic, policy.handling_s) if slots else 0.0,
    )


def table(load: Load, measured: Measured, policy: Policy, result: Plan) -> str:
    rows = [
        ("conversations a day", f"{load.conversations_per_day:,}", "assumption"),
        ("turns per conversation", f"{load.turns_per_conversation:g}", "assumption"),
        ("peak hour", f"{load.peak_factor:g}× the mean hour = {load.peak_conversations_per_hour():,.0f} conversations", "assumption"),
        ("peak chat turns/s", f"{result.peak_turns_per_s:,.0f}", "derived"),
        ("app CPU per turn", f"{measured.app_cpu_ms_per_turn:.1f} ms → {result.app_cores:.1f} cores at the peak", "measured"),
        ("Rasa CPU per turn", f"{measured.rasa_cpu_ms_per_turn:.1f} ms → {result.rasa_cores:.1f} cores at the peak", "measured"),
        (
            f"app replicas (1 core, ≤ {policy.cpu_utilisation:.0%} CPU)",
            f"{result.app_replicas} ({result.app_memory_gib:.0f} GiB RSS)",
            "derived",
        ),
        (
            f"Rasa replicas (1 core, ≤ {policy.cpu_utilisation:.0%} CPU)",
            f"{result.rasa_replicas} ({result.rasa_memory_gib:.0f} GiB RSS)",
            "derived",
        ),
        (
            "Redis: live trackers",
            f"{result.redis_trackers_live:,} × {measured.tracker_kib_per_conversation:g} KiB = {result.redis_memory_gib:.1f} GiB",
            "derived",
        ),
        ("PostgreSQL writes at the peak", f"{result.db_writes_per_s:,.0f} rows/s", "derived"),
        (f"PostgreSQL storage ({policy.retention_days} days kept)", f"{result.db_storage_gib:,.0f} GiB", "derived"),
        ("handoffs in the peak hour", f"{result.handoffs_peak_hour:,.0f} ({load.handoff_rate:.0%} of conversations)", "assumption"),
        (
            "agents at the peak (Erlang C)",
            f"{result.agents:,} ({result.agent_slots:,} chat slots, {policy.chats_per_agent} each)",
            "derived",
        ),
        (
            "service level",
            f"{result.service_level:.1%} within {policy.answer_within_s:g} s, mean wait {result.average_wait_s:.1f} s",
            "derived",
        ),
    ]
    lines = ["| quantity | value | source |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {source} |" for name, value, source in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--measured", type=Path, required=True, help="JSON with the Measured fields")
    parser.add_argument("--conversations", type=int, default=Load.conversations_per_day)
    parser.add_argument("--turns", type=float, default=Load.turns_per_conversation)
    parser.add_argument("--peak", type=float, default=Load.peak_factor)
    parser.add_argument("--handoff-rate", type=float, default=Load.handoff_rate)
    parser.add_argument("--tracker-expiry-s", type=float, default=Policy.tracker_expiry_s)
    args = parser.parse_args(argv)
    fields = set(Measured.__dataclass_fields__)
    measured = Measured(**{k: v for k, v in json.loads(args.measured.read_text()).items() if k in fields})
    load = Load(args.conversations, args.turns, args.peak, args.handoff_rate)
    policy = Policy(tracker_expiry_s=args.tracker_expiry_s)
    result = plan(load, measured, policy)
    print(table(load, measured, policy, result))
    print()
    print(json.dumps({"load": asdict(load), "measured": asdict(measured), "policy": asdict(policy), "plan": asdict(result)}, indent=2))


if __name__ == "__main__":
    main()
