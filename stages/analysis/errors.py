"""Coded errors raised by the analysis engine; the code and message are user-facing."""

from __future__ import annotations

NO_TEMPERATURE_COLUMN = "NO_TEMPERATURE_COLUMN"
EMPTY_FILE = "EMPTY_FILE"
UNSUPPORTED_FILE_TYPE = "UNSUPPORTED_FILE_TYPE"
FILE_TYPE_MISMATCH = "FILE_TYPE_MISMATCH"
CORRUPT_FILE = "CORRUPT_FILE"
UNSAFE_FILE = "UNSAFE_FILE"
FILE_TOO_LARGE = "FILE_TOO_LARGE"
TOO_MANY_COLUMNS = "TOO_MANY_COLUMNS"
NOT_ENOUGH_DATA = "NOT_ENOUGH_DATA"
COLUMN_NOT_FOUND = "COLUMN_NOT_FOUND"
INVALID_OPTION = "INVALID_OPTION"
FILE_NOT_FOUND = "FILE_NOT_FOUND"
ANALYSIS_FAILED = "ANALYSIS_FAILED"  # unexpected; the cause is chained for the logs


class AnalysisError(Exception):
    """A failure the user can act on, with a stable code; never carries a traceback."""

    def __init__(self, code: str, message: str, retriable: bool = False) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retriable = retriable

    def to_dict(self) -> dict[str, str]:
        """The `{"code", "message"}` body used by the CLI and the pipeline."""
        return {"code": self.code, "message": self.message}
