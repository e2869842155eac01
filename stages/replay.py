"""`weather-replay`: resubmit past submissions for reanalysis, or rebuild the DynamoDB/Redis
projections from `weather.jobs.completed` (and tombstones from `weather.jobs.deleted`)."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from datetime import UTC, datetime, timedelta

from infra.adapters.kafka import EventProducer, read_topic
from infra.settings import Settings, load_settings
from schemas.clock import utc_iso
from schemas.codec import InvalidEvent, decode_json, encode, parse_event
from schemas.events import AnalysisCompleted, JobDeleted, JobSubmitted
from schemas.submissions import normalise_submission
from stages.project import Projector
from stages.resources import open_resources

_RELATIVE = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_since(value: str, now: datetime | None = None) -> int:
    """`2024-05-01`, `2024-05-01T12:00:00Z` or a relative `30m`/`2h`/`7d` → epoch ms."""
    match = _RELATIVE.match(value.strip())
    if match:
        moment = (now or datetime.now(UTC)) - timedelta(**{_UNITS[match[2]]: float(match[1])})
    else:
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a time: {value!r}") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _identity(sub: JobSubmitted) -> str:
    return sub.job_id or f"s3://{sub.bucket}/{sub.key}"


async def resubmit(settings: Settings, since_ms: int | None, job: str | None,
                   force: bool) -> int:
    """Republish the latest submission of each job (source="replay"); returns the count."""
    latest: dict[str, JobSubmitted] = {}
    async for record in read_topic(settings, settings.topic_submitted, since_ms=since_ms):
        try:
            subs = normalise_submission(decode_json(record.value))
        except InvalidEvent:
            continue  # it went to the DLQ the first time too
        for sub in subs:
            if job is None or sub.job_id == job:
                latest[_identity(sub)] = sub
    at = utc_iso()
    async with EventProducer.connect(settings) as producer:
        for sub in latest.values():
            event = sub.model_copy(update={
                "source": "replay", "force": force, "replayed_at": at,
                "schema_version": JobSubmitted.VERSION,
            })
            await producer.send(settings.topic_submitted, sub.job_id, encode(event))
    return len(latest)


async def rebuild(settings: Settings, job: str | None) -> tuple[int, int]:
    """Re-apply every completion, then the tombstones, to the (possibly empty) projections.

    A tombstone wins over the completions before it; a completion after it (the file was
    uploaded again) wins over the tombstone.
    """
    tombstones: dict[str, str] = {}
    async for record in read_topic(settings, settings.topic_deleted):
        try:
            tomb = parse_event(JobDeleted, decode_json(record.value))
        except InvalidEvent:
            continue
        if job is None or tomb.job_id == job:
            tombstones[tomb.job_id] = max(tomb.deleted_at, tombstones.get(tomb.job_id, ""))
    applied = 0
    async with open_resources(settings) as res:
        projector = Projector(res)
        async for record in read_topic(settings, settings.topic_completed):
            try:
                event = parse_event(AnalysisCompleted, decode_json(record.value))
            except InvalidEvent:
                continue
            if job is not None and event.job_id != job:
                continue
            deleted_at = tombstones.get(event.job_id)
            if deleted_at is not None:
                if event.analyzed_at <= deleted_at:
                    continue
                del tombstones[event.job_id]
                await res.cache.clear_tombstone(event.job_id)
            await projector.apply(event)
            applied += 1
        for job_id, deleted_at in tombstones.items():
            await res.cache.add_tombstone(job_id, deleted_at)
    return applied, len(tombstones)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="weather-replay", description=__doc__)
    parser.add_argument("--since", type=parse_since, metavar="TIME",
                        help="only submissions from TIME (ISO-8601, or 30m / 2h / 7d ago)")
    parser.add_argument("--job", metavar="JOB_ID", help="only this job")
    parser.add_argument("--force", action="store_true",
                        help="reanalyse even jobs already analysed with the current engine")
    parser.add_argument("--completed", action="store_true",
                        help="rebuild JobMetadata/JobResults/Redis from weather.jobs.completed")
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.completed:
        applied, deleted = asyncio.run(rebuild(settings, args.job))
        print(f"applied {applied} completion(s), {deleted} tombstone(s)")
    else:
        count = asyncio.run(resubmit(settings, args.since, args.job, args.force))
        print(f"republished {count} submission(s)" + (" (forced)" if args.force else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
