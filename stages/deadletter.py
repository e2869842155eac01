"""Building dead-letter events for values an agent could not decode, validate or process."""

from __future__ import annotations

from schemas.clock import utc_iso
from schemas.codec import encode
from schemas.events import DeadLetter

MAX_PAYLOAD_CHARS = 64 * 1024


def dead_letter(*, agent: str, topic: str, raw: bytes | None, code: str, reason: str,
                partition: int | None, offset: int | None) -> bytes:
    payload = (raw or b"").decode("utf-8", "replace")[:MAX_PAYLOAD_CHARS]
    return encode(DeadLetter.new(
        reason=reason[:2000], code=code, source_topic=topic, agent=agent, payload=payload,
        partition=partition, offset=offset, failed_at=utc_iso(),
    ))
