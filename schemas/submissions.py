"""Normalising the three shapes of submission (API event, `{bucket, key}`, S3 notification)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from schemas.codec import InvalidEvent, parse_event
from schemas.events import JobSubmitted


def s3_records(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The ObjectCreated records of an AWS S3 event notification (or of a single record)."""
    records = data.get("Records")
    if records is None and "s3" in data:
        records = [data]
    if not isinstance(records, list):
        raise InvalidEvent("INVALID_EVENT", "Records must be a list")
    created = []
    for record in records:
        if not isinstance(record, dict) or not isinstance(record.get("s3"), dict):
            raise InvalidEvent("INVALID_EVENT", "an S3 record without an s3 section")
        if str(record.get("eventName", "ObjectCreated:Put")).startswith("ObjectCreated"):
            created.append(record)
    return created


def _from_s3_record(record: dict[str, Any]) -> JobSubmitted:
    s3 = record["s3"]
    bucket = (s3.get("bucket") or {}).get("name")
    obj = s3.get("object") or {}
    key = obj.get("key")
    if not isinstance(bucket, str) or not isinstance(key, str):
        raise InvalidEvent("INVALID_EVENT", "an S3 record without bucket.name and object.key")
    # Notification keys are URL-encoded with '+' for spaces.
    key = unquote_plus(key)
    return JobSubmitted.new(
        bucket=bucket,
        key=key,
        filename=key.rsplit("/", 1)[-1],
        size=obj.get("size"),
        submitted_at=record.get("eventTime"),
        source="s3-notification",
    )


def normalise_submission(data: Any) -> list[JobSubmitted]:
    """Turn any accepted submission shape into JobSubmitted events (possibly none)."""
    if not isinstance(data, dict):
        raise InvalidEvent("INVALID_EVENT", f"expected a JSON object, got {type(data).__name__}")
    if "schema" in data:
        return [parse_event(JobSubmitted, data)]
    if data.get("Event") == "s3:TestEvent":
        return []
    if "Records" in data or "s3" in data:
        return [_from_s3_record(r) for r in s3_records(data)]
    if "bucket" in data and "key" in data:
        bucket, key = data["bucket"], data["key"]
        if not isinstance(bucket, str) or not isinstance(key, str) or not bucket or not key:
            raise InvalidEvent("INVALID_EVENT", "bucket and key must be non-empty strings")
        fields = {k: data[k] for k in ("job_id", "filename", "size", "force") if k in data}
        fields.setdefault("filename", key.rsplit("/", 1)[-1])
        return [
            parse_event(
                JobSubmitted,
                {
                    "schema": JobSubmitted.SCHEMA,
                    "schema_version": JobSubmitted.VERSION,
                    "bucket": bucket,
                    "key": key,
                    "source": "external",
                    **fields,
                },
            )
        ]
    raise InvalidEvent("UNKNOWN_EVENT", "neither a JobSubmitted, a {bucket, key} nor an S3 record")
