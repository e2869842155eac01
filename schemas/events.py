"""Past-tense events on the Kafka topics, each stamped with `schema` and `schema_version`.

Consumers accept the current and the previous version: fields are only ever added, with
defaults, so a previous-version event parses into the current model.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from schemas.errors import ErrorInfo
from schemas.status import JobStatus

JOB_ID_PATTERN = r"^[0-9a-f]{64}$"
SubmissionSource = Literal["api", "external", "s3-notification", "replay"]


class Event(BaseModel):
    """Base of every event: its name and version travel with it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    SCHEMA: ClassVar[str]
    VERSION: ClassVar[int]
    ACCEPTED_VERSIONS: ClassVar[frozenset[int]]

    schema_: str = Field(alias="schema")
    schema_version: int

    @classmethod
    def new(cls, **fields: Any) -> Self:
        """Build the current version of this event."""
        return cls.model_validate({"schema": cls.SCHEMA, "schema_version": cls.VERSION, **fields})

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


class JobSubmitted(Event):
    """A file to analyse. v1 had no `source`/`force`/`celery_id`; v2 adds them."""

    SCHEMA = "weather.JobSubmitted"
    VERSION = 2
    ACCEPTED_VERSIONS = frozenset({1, 2})

    job_id: str | None = Field(None, pattern=JOB_ID_PATTERN)
    bucket: str = Field(min_length=1)
    key: str = Field(min_length=1)
    filename: str | None = None
    size: int | None = Field(None, ge=0)
    content_type: str | None = None
    celery_id: str | None = None
    submitted_at: str | None = None
    source: SubmissionSource = "api"
    force: bool = False
    replayed_at: str | None = None


class Timings(BaseModel):
    """Seconds spent in each step of one analysis, and the wall-clock marks between hops."""

    model_config = ConfigDict(extra="allow", frozen=True)

    download_s: float | None = None
    analysis_s: float | None = None
    total_s: float | None = None
    submitted_at: str | None = None
    queued_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None


class AnalysisCompleted(Event):
    """The outcome of one analysis. v1 had no `analysis_id`/`timings`/job fields; v2 adds them.

    It carries the job's fields too, so replaying the topic into empty tables rebuilds them.
    """

    SCHEMA = "weather.AnalysisCompleted"
    VERSION = 2
    ACCEPTED_VERSIONS = frozenset({1, 2})

    job_id: str = Field(pattern=JOB_ID_PATTERN)
    status: Literal[JobStatus.SUCCESS, JobStatus.FAILURE]
    result: dict[str, Any] | None = None
    error: ErrorInfo | None = None
    analysis_version: int | None = None
    analyzed_at: str
    analysis_id: str | None = None
    timings: Timings = Timings()
    bucket: str | None = None
    key: str | None = None
    filename: str | None = None
    size: int | None = None
    content_type: str | None = None
    source: str | None = None
    created_at: str | None = None

    @property
    def effective_analysis_id(self) -> str:
        """v1 events have no analysis id: their analysis time identifies them."""
        return self.analysis_id or f"{self.job_id}@{self.analyzed_at}"


class JobDeleted(Event):
    """A tombstone: replays must not bring the job back."""

    SCHEMA = "weather.JobDeleted"
    VERSION = 1
    ACCEPTED_VERSIONS = frozenset({1})

    job_id: str = Field(pattern=JOB_ID_PATTERN)
    deleted_at: str
    key: str | None = None


class DeadLetter(Event):
    """An event that could not be decoded, validated or processed, with the reason."""

    SCHEMA = "weather.DeadLetter"
    VERSION = 1
    ACCEPTED_VERSIONS = frozenset({1})

    reason: str
    code: str
    source_topic: str
    agent: str
    payload: str = Field(description="the original value, decoded as UTF-8 with replacement")
    partition: int | None = None
    offset: int | None = None
    failed_at: str


EVENT_TYPES: tuple[type[Event], ...] = (JobSubmitted, AnalysisCompleted, JobDeleted, DeadLetter)
