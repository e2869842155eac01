"""Job statuses and the rule that a status never moves backwards."""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    PENDING = "PENDING"
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"


IN_FLIGHT = frozenset({JobStatus.PENDING, JobStatus.QUEUED, JobStatus.RUNNING})
TERMINAL = frozenset({JobStatus.SUCCESS, JobStatus.FAILURE})

_RANK = {
    JobStatus.PENDING: 0,
    JobStatus.QUEUED: 1,
    JobStatus.RUNNING: 2,
    JobStatus.SUCCESS: 3,
    JobStatus.FAILURE: 3,
}


def can_transition(current: JobStatus | None, new: JobStatus, *, forced: bool = False) -> bool:
    """True when `new` is not behind `current` (a forced reanalysis may restart a finished job)."""
    if current is None:
        return True
    if forced and current in TERMINAL:
        return True
    return _RANK[new] > _RANK[current] or (new == current and new not in TERMINAL)


def is_terminal(status: str) -> bool:
    return status in TERMINAL
