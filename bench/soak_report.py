"""The soak's figures: latency percentiles, errors and memory per kind of request, as Markdown tables.

Pure functions over the samples `bench/soak.py` records, so they are tested on their own (tests/bench/test_soak.py).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Sample:
    kind: str
    status: int  # 0: no response (transport error or time-out)
    ms: float
    at: float  # seconds since the load started
    error: str | None = None


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile by linear interpolation between closest ranks (numpy's default, `linear`)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    lo = int(rank)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (rank - lo)


def summarize(samples: Iterable[Sample], seconds: float) -> dict[str, dict[str, float]]:
    """Per kind: requests, rate a second, p50/p95/p99/max latency in ms and errors."""
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_kind[sample.kind].append(sample)
    out = {}
    for kind, rows in sorted(by_kind.items()):
        ms = [s.ms for s in rows]
        out[kind] = {
            "requests": len(rows),
            "per_s": len(rows) / seconds if seconds else float("nan"),
            "p50_ms": percentile(ms, 50),
            "p95_ms": percentile(ms, 95),
            "p99_ms": percentile(ms, 99),
            "max_ms": max(ms),
            "errors": sum(s.error is not None for s in rows),
        }
    return out


def per_window(samples: Iterable[Sample], kind: str, begin: float, width: float = 60.0) -> list[dict[str, float]]:
    """p50 and p95 of one kind per `width` seconds from `begin`: latency that drifts shows as rising rows."""
    windows: dict[int, list[float]] = defaultdict(list)
    for sample in samples:
        if sample.kind == kind and sample.at >= begin:
            windows[int((sample.at - begin) // width)].append(sample.ms)
    return [
        {"from_s": n * width, "requests": len(ms), "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95)}
        for n, ms in sorted(windows.items())
    ]


def error_counts(samples: Iterable[Sample]) -> Counter[tuple[str, str]]:
    return Counter((s.kind, s.error) for s in samples if s.error is not None)


def change_pct(start: float, end: float) -> float:
    return (end - start) / start * 100 if start else float("nan")


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table; floats with one decimal."""
    cell = lambda v: f"{v:.1f}" if isinstance(v, float) else str(v)  # noqa: E731
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def log_levels(path: Path) -> dict[str, int]:
    """Lines per level in the app's JSON log (lines that are not JSON, e.g. a traceback, count as "text")."""
    counts: Counter[str] = Counter()
    for line in path.read_text(errors="replace").splitlines() if path.exists() else []:
        try:
            counts[json.loads(line).get("level", "?")] += 1
        except (json.JSONDecodeError, AttributeError):
            counts["text"] += 1
    return dict(counts)


def report(result: dict) -> str:
    s = result["summary"]
    parts = [
        f"Measured {result['measured_s']:.0f} s after a {result['config']['warmup']:.0f} s warm-up "
        f"(the last {result['drained_s']:.0f} s: no new arrivals, the conversations under way finish); "
        f"{result['chat_turns']} chat turns.",
        table(
            ["kind", "requests", "per s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"],
            [
                [k, v["requests"], f"{v['per_s']:.2f}", v["p50_ms"], v["p95_ms"], v["p99_ms"], v["max_ms"], v["errors"]]
                for k, v in s.items()
            ],
        ),
        table(["kind", "error", "count"], [[e["kind"], e["error"], e["count"]] for e in result["errors"]])
        if result["errors"]
        else "Errors: 0.",
        table(
            ["process", "RSS start MiB", "RSS end MiB", "RSS max MiB", "change %", "CPU s", "CPU ms per chat turn"],
            [
                [
                    name,
                    r["start_mib"],
                    r["end_mib"],
                    r["max_mib"],
                    r["change_pct"],
                    result["cpu"][name]["cpu_s"],
                    result["cpu"][name]["ms_per_chat_turn"],
                ]
                for name, r in result["rss"].items()
            ],
        ),
        "Chat turns per minute:\n\n"
        + table(
            ["from s", "turns", "p50 ms", "p95 ms"],
            [[w["from_s"], w["requests"], w["p50_ms"], w["p95_ms"]] for w in result["chat_turn_per_minute"]],
        ),
        "App log lines by level: " + ", ".join(f"{k} {v}" for k, v in sorted(result["log_levels"].items())),
    ]
    return "\n\n".join(parts)
