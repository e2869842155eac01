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
    """Re-apply tombstones, then every completion, to the (possibly empty) tables and cache."""
    async with open_resources(settings) as res:
        deleted = 0
        async for record in read_topic(settings, settings.topic_deleted):
            try:
                tomb = parse_event(JobDeleted, decode_json(record.value))
            except InvalidEvent:
                continue
            if job is None or tomb.job_id == job:
                await res.cache.add_tombstone(tomb.job_id, tomb.deleted_at)
                deleted += 1
        projector, applied = Projector(res), 0
        async for record in read_topic(settings, settings.topic_completed):
            try:
                event = parse_event(AnalysisCompleted, decode_json(record.value))
            except InvalidEvent:
                continue
            if job is None or event.job_id == job:
                await projector.apply(event)
                applied += 1
    return applied, deleted


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
