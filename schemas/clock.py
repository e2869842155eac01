"""The one timestamp format of events and items: ISO-8601 UTC with microseconds and `Z`."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_iso(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
