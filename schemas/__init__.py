"""Pure typed records: events, statuses, the result document, their JSON Schemas."""

from schemas.codec import InvalidEvent, decode_json, encode, parse_event
from schemas.errors import ErrorInfo
from schemas.events import AnalysisCompleted, DeadLetter, JobDeleted, JobSubmitted, Timings
from schemas.export import json_schemas
from schemas.results import AnalysisResult
from schemas.status import JobStatus, can_transition, is_terminal

__all__ = [
    "AnalysisCompleted",
    "AnalysisResult",
    "DeadLetter",
    "ErrorInfo",
    "InvalidEvent",
    "JobDeleted",
    "JobStatus",
    "JobSubmitted",
    "Timings",
    "can_transition",
    "decode_json",
    "encode",
    "is_terminal",
    "json_schemas",
    "parse_event",
]
