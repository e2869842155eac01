"""Events: versions, decoding, the JSON Schema export; statuses never move backwards."""

from __future__ import annotations

import hashlib

import orjson
import pytest

from schemas import (
    AnalysisCompleted,
    DeadLetter,
    InvalidEvent,
    JobDeleted,
    JobStatus,
    JobSubmitted,
    can_transition,
    decode_json,
    encode,
    json_schemas,
    parse_event,
)

JOB = hashlib.sha256(b"x").hexdigest()


def test_every_event_carries_schema_and_version() -> None:
    event = JobSubmitted.new(job_id=JOB, bucket="b", key="uploads/x.csv")
    data = orjson.loads(encode(event))
    assert data["schema"] == "weather.JobSubmitted"
    assert data["schema_version"] == JobSubmitted.VERSION
    assert parse_event(JobSubmitted, data) == event


def test_previous_version_is_accepted_with_defaults() -> None:
    v1 = {"schema": "weather.AnalysisCompleted", "schema_version": 1, "job_id": JOB,
          "status": "SUCCESS", "result": {"num_records": 3}, "analyzed_at": "2024-01-01T00:00:00Z"}
    event = parse_event(AnalysisCompleted, v1)
    assert event.analysis_id is None
    assert event.effective_analysis_id == f"{JOB}@2024-01-01T00:00:00Z"
    submitted = parse_event(JobSubmitted, {"schema": "weather.JobSubmitted", "schema_version": 1,
                                           "bucket": "b", "key": "k"})
    assert (submitted.source, submitted.force) == ("api", False)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"schema": "weather.JobSubmitted", "schema_version": 99, "bucket": "b", "key": "k"},
         "UNSUPPORTED_SCHEMA_VERSION"),
        ({"schema": "weather.Other", "schema_version": 1}, "WRONG_SCHEMA"),
        ({"schema": "weather.JobSubmitted", "schema_version": 2, "bucket": "b", "key": "k",
          "job_id": "not-a-sha"}, "INVALID_EVENT"),
        ([1, 2], "INVALID_EVENT"),
    ],
)
def test_invalid_events_raise_with_a_code(data: object, code: str) -> None:
    with pytest.raises(InvalidEvent) as info:
        parse_event(JobSubmitted, data)
    assert info.value.code == code


@pytest.mark.parametrize(("raw", "code"), [(b"", "EMPTY_EVENT"), (None, "EMPTY_EVENT"),
                                           (b"\xff{nope", "UNDECODABLE_EVENT")])
def test_undecodable_values(raw: bytes | None, code: str) -> None:
    with pytest.raises(InvalidEvent) as info:
        decode_json(raw)
    assert info.value.code == code


def test_json_schema_export_names_every_event_and_the_result() -> None:
    schemas = json_schemas()
    assert set(schemas) == {"weather.JobSubmitted", "weather.AnalysisCompleted",
                            "weather.JobDeleted", "weather.DeadLetter", "weather.AnalysisResult"}
    assert "schema" in schemas["weather.JobSubmitted"]["properties"]
    orjson.dumps(schemas)  # JSON-serialisable


def test_tombstone_and_dead_letter_round_trip() -> None:
    tomb = JobDeleted.new(job_id=JOB, deleted_at="2024-01-01T00:00:00Z")
    assert parse_event(JobDeleted, decode_json(encode(tomb))) == tomb
    dead = DeadLetter.new(reason="r", code="C", source_topic="t", agent="a", payload="p",
                          failed_at="2024-01-01T00:00:00Z")
    assert parse_event(DeadLetter, decode_json(encode(dead))).code == "C"


@pytest.mark.parametrize(
    ("current", "new", "forced", "ok"),
    [
        (None, JobStatus.PENDING, False, True),
        (JobStatus.PENDING, JobStatus.QUEUED, False, True),
        (JobStatus.QUEUED, JobStatus.RUNNING, False, True),
        (JobStatus.RUNNING, JobStatus.SUCCESS, False, True),
        (JobStatus.RUNNING, JobStatus.QUEUED, False, False),
        (JobStatus.SUCCESS, JobStatus.RUNNING, False, False),
        (JobStatus.SUCCESS, JobStatus.FAILURE, False, False),
        (JobStatus.SUCCESS, JobStatus.QUEUED, True, True),
        (JobStatus.QUEUED, JobStatus.PENDING, True, False),
    ],
)
def test_status_never_moves_backwards(current: JobStatus | None, new: JobStatus, forced: bool,
                                      ok: bool) -> None:
    assert can_transition(current, new, forced=forced) is ok
