"""Stable error codes shared by the API, the stages and their events."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ErrorInfo(BaseModel):
    """An error as it travels in events and HTTP bodies: `{code, message}`."""

    model_config = ConfigDict(frozen=True)

    code: str
    message: str


OBJECT_NOT_FOUND = "OBJECT_NOT_FOUND"
UNSUPPORTED_FILE_TYPE = "UNSUPPORTED_FILE_TYPE"
FILE_TOO_LARGE = "FILE_TOO_LARGE"
TIME_LIMIT_EXCEEDED = "TIME_LIMIT_EXCEEDED"
INTERNAL_ERROR = "INTERNAL_ERROR"
