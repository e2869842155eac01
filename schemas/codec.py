"""Decoding raw topic values into events; anything malformed raises `InvalidEvent`."""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from pydantic import ValidationError

from schemas.events import Event

E = TypeVar("E", bound=Event)


class InvalidEvent(ValueError):
    """A value that is not a valid event; `code` names why, for the dead-letter topic."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def decode_json(raw: bytes | str | None) -> Any:
    if raw is None or raw in (b"", ""):
        raise InvalidEvent("EMPTY_EVENT", "the event has no value")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidEvent("UNDECODABLE_EVENT", f"not JSON: {exc}") from None


def parse_event(model: type[E], data: Any) -> E:
    """Validate `data` as `model`, accepting the current and the previous schema version."""
    if not isinstance(data, dict):
        raise InvalidEvent("INVALID_EVENT", f"expected a JSON object, got {type(data).__name__}")
    if data.get("schema") != model.SCHEMA:
        raise InvalidEvent("WRONG_SCHEMA", f"expected schema {model.SCHEMA!r}")
    version = data.get("schema_version")
    if version not in model.ACCEPTED_VERSIONS:
        raise InvalidEvent(
            "UNSUPPORTED_SCHEMA_VERSION",
            f"{model.SCHEMA} version {version!r} not in {sorted(model.ACCEPTED_VERSIONS)}",
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidEvent("INVALID_EVENT", f"{where}: {first['msg']}") from None


def encode(event: Event) -> bytes:
    return orjson.dumps(event.to_dict())
