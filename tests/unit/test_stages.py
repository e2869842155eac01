"""Pure parts of the stages: hop latencies, agent lag/stuck detection, replay's --since."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from schemas import AnalysisCompleted, Timings
from stages.monitor import AgentProgress
from stages.project import hop_ms
from stages.replay import parse_since

JOB = "a" * 64


def test_hop_latencies_between_stamped_marks() -> None:
    event = AnalysisCompleted.new(
        job_id=JOB, status="SUCCESS", analyzed_at="2024-01-01T00:00:01Z",
        timings=Timings(submitted_at="2024-01-01T00:00:00.000000Z",
                        queued_at="2024-01-01T00:00:00.010000Z",
                        started_at="2024-01-01T00:00:00.015000Z",
                        finished_at="2024-01-01T00:00:00.100000Z"),
    )
    hops = hop_ms(event, "2024-01-01T00:00:00.105000Z")
    assert hops == {"submitted_at->queued_at": 10.0, "queued_at->started_at": 5.0,
                    "started_at->finished_at": 85.0, "finished_at->projected_at": 5.0}


def test_agent_lag_and_stuck_detection() -> None:
    state = AgentProgress("validate")
    state.processed_one(("t", 0), 9)
    state.update_lag({("t", 0): 10})
    assert state.lag == 0 and not state.stuck(0.0)
    state.update_lag({("t", 0): 15})
    assert state.lag == 5
    assert state.lag_since is not None
    state.lag_since = time.time() - 100
    assert state.stuck(60.0)
    state.processed_one(("t", 0), 14)
    state.update_lag({("t", 0): 15})
    assert state.lag == 0 and not state.stuck(60.0)
    snapshot = state.snapshot(60.0)
    assert snapshot["processed"] == 2 and snapshot["stuck"] is False


def test_replay_since_accepts_iso_and_relative_times() -> None:
    now = datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert parse_since("2h", now) == int(datetime(2024, 5, 1, 10, tzinfo=UTC).timestamp() * 1000)
    assert parse_since("2024-05-01T00:00:00Z") == int(
        datetime(2024, 5, 1, tzinfo=UTC).timestamp() * 1000)
    assert parse_since("2024-05-01") == parse_since("2024-05-01T00:00:00+00:00")
    with pytest.raises(Exception, match="not a time"):
        parse_since("yesterday-ish")
