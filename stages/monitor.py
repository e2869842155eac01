"""Per-agent progress: processed count, last-processed time, lag, and whether it is stuck."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any


@dataclass
class AgentProgress:
    """Updated by the agent on every event; read by the heartbeat timer and the web view."""

    name: str
    processed: int = 0
    dead_lettered: int = 0
    last_processed_at: float | None = None
    last_offsets: dict[tuple[str, int], int] = field(default_factory=dict)
    lag: int = 0
    lag_since: float | None = None  # when lag was first seen without progress
    hop_ms: deque[float] = field(default_factory=lambda: deque(maxlen=1000))

    def processed_one(self, tp: tuple[str, int] | None, offset: int | None) -> None:
        self.processed += 1
        self.last_processed_at = time.time()
        if tp is not None and offset is not None:
            self.last_offsets[tp] = offset

    def update_lag(self, highwaters: dict[tuple[str, int], int]) -> None:
        """Lag = events behind the high-water mark on the partitions this agent has processed."""
        lag = 0
        for tp, high in highwaters.items():
            done = self.last_offsets.get(tp)
            if done is not None:
                lag += max(0, high - done - 1)
        self.lag = lag
        now = time.time()
        if lag == 0:
            self.lag_since = None
        elif self.lag_since is None or (
            self.last_processed_at is not None and self.last_processed_at > self.lag_since
        ):
            self.lag_since = now

    def stuck(self, after_s: float) -> bool:
        """Lag that has not moved for `after_s` seconds: the agent consumes nothing."""
        return self.lag_since is not None and time.time() - self.lag_since > after_s

    def snapshot(self, stuck_after_s: float) -> dict[str, Any]:
        hops = sorted(self.hop_ms)
        return {
            "processed": self.processed,
            "dead_lettered": self.dead_lettered,
            "last_processed_at": self.last_processed_at,
            "lag": self.lag,
            "stuck": self.stuck(stuck_after_s),
            "beat_at": time.time(),
            "hop_ms_p50": hops[len(hops) // 2] if hops else None,
            "hop_ms_p99": hops[int(len(hops) * 0.99)] if hops else None,
        }
