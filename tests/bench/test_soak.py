"""The soak's figures (bench/soak_report.py) and how it judges a chat turn (bench/soak.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from api.chat.turns import UNAVAILABLE
from bench.soak import turn_error, turns_per_conversation
from bench.soak_report import Sample, change_pct, error_counts, log_levels, per_window, percentile, summarize, table


@pytest.mark.parametrize("p", [0, 25, 50, 95, 99, 100])
@pytest.mark.parametrize("values", [[7.0], [3.0, 1.0], [5.0, 1.0, 9.0, 2.0, 8.0, 4.0, 30.0, 6.0, 7.0, 3.0, 120.0]])
def test_percentiles_match_numpy(values: list[float], p: float) -> None:
    assert percentile(values, p) == pytest.approx(float(np.percentile(values, p)))


def test_no_values_have_no_percentile() -> None:
    assert math.isnan(percentile([], 50))


def test_summary_per_kind_counts_requests_rate_and_errors() -> None:
    samples = [Sample("search", 200, float(ms), at=1.0) for ms in range(1, 101)]
    samples += [
        Sample("chat turn", 200, 40.0, 2.0),
        Sample("chat turn", 503, 5.0, 3.0, "HTTP 503"),
        Sample("chat turn", 0, 30000.0, 4.0, "ReadTimeout"),
    ]
    summary = summarize(samples, seconds=50)
    assert list(summary) == ["chat turn", "search"]
    assert summary["search"]["requests"] == 100 and summary["search"]["per_s"] == 2.0 and summary["search"]["errors"] == 0
    assert summary["search"]["p50_ms"] == pytest.approx(50.5) and summary["search"]["max_ms"] == 100.0
    assert summary["chat turn"]["errors"] == 2 and summary["chat turn"]["max_ms"] == 30000.0
    assert error_counts(samples) == {("chat turn", "HTTP 503"): 1, ("chat turn", "ReadTimeout"): 1}


def test_latency_per_window_starts_at_the_measured_window() -> None:
    samples = [Sample("chat turn", 200, 999.0, at=5.0)]  # warm-up: left out
    samples += [Sample("chat turn", 200, 10.0, at=30.0 + t) for t in range(60)] + [Sample("search", 200, 500.0, at=40.0)]
    samples += [Sample("chat turn", 200, 80.0, at=95.0), Sample("chat turn", 200, 120.0, at=100.0)]
    windows = per_window(samples, "chat turn", begin=30.0)
    assert [(w["from_s"], w["requests"], w["p50_ms"]) for w in windows] == [(0.0, 60, 10.0), (60.0, 2, 100.0)]


def test_memory_change_is_relative_to_the_start() -> None:
    assert change_pct(500.0, 550.0) == pytest.approx(10.0)
    assert change_pct(500.0, 490.0) == pytest.approx(-2.0)


def test_tables_are_markdown_with_one_decimal() -> None:
    assert table(["kind", "p50 ms"], [["search", 12.345], ["chat turn", 7]]).splitlines() == [
        "| kind | p50 ms |",
        "|---|---|",
        "| search | 12.3 |",
        "| chat turn | 7 |",
    ]


def test_log_levels_count_json_lines_and_the_rest(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("\n".join([json.dumps({"level": "INFO"}), json.dumps({"level": "WARNING"}), json.dumps({"level": "INFO"}), "Traceback"]))
    assert log_levels(log) == {"INFO": 2, "WARNING": 1, "text": 1}
    assert log_levels(tmp_path / "missing.log") == {}


def reply(text: str, sender: str = "bot") -> dict[str, str]:
    return {"text": text, "sender": sender, "kind": "text"}


def test_a_turn_is_wrong_when_the_bot_is_unavailable_silent_or_in_the_wrong_state() -> None:
    assert turn_error({"state": "bot", "messages": [reply("Chào bạn!")]}, "bot") is None
    assert turn_error({"state": "bot", "messages": [reply(UNAVAILABLE["vi"], "system")]}, "bot") == "assistant unavailable notice"
    assert turn_error({"state": "bot", "messages": []}, "bot") == "no reply in a chat the bot owns"
    assert turn_error({"state": "bot", "messages": [reply("…")]}, "waiting") == "state bot, expected waiting"
    assert turn_error({"state": "waiting", "messages": [reply("Đang chuyển…", "system")]}, "waiting") is None


def test_conversations_open_at_the_rate_that_gives_the_turn_rate() -> None:
    plain = turns_per_conversation(0)
    assert 2 <= plain <= 4
    # one conversation in 20 is a three-turn handoff
    assert turns_per_conversation(20) == pytest.approx((19 * plain + 3) / 20)
