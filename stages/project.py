"""The projector: an analysis outcome into JobResults, JobMetadata and Redis, then the
per-job completion event that wakes waiting status requests."""

from __future__ import annotations

import asyncio
import itertools
import logging

from schemas.clock import parse_iso, utc_iso
from schemas.codec import decode_json, parse_event
from schemas.events import AnalysisCompleted
from schemas.status import JobStatus
from stages.resources import Resources

log = logging.getLogger(__name__)


def hop_ms(event: AnalysisCompleted, projected_at: str) -> dict[str, float]:
    """Milliseconds between the wall-clock marks the stages stamped on the way."""
    marks = [("submitted_at", event.timings.submitted_at), ("queued_at", event.timings.queued_at),
             ("started_at", event.timings.started_at), ("finished_at", event.timings.finished_at),
             ("projected_at", projected_at)]
    known = [(name, parse_iso(value)) for name, value in marks if value]
    return {
        f"{a}->{b}": round((tb - ta).total_seconds() * 1000, 2)
        for (a, ta), (b, tb) in itertools.pairwise(known)
    }


class Projector:
    def __init__(self, res: Resources) -> None:
        self._res = res

    async def handle(self, raw: bytes | None) -> dict[str, float]:
        """Apply one completion; idempotent (a redelivered event changes nothing)."""
        event = parse_event(AnalysisCompleted, decode_json(raw))
        return await self.apply(event)

    async def apply(self, event: AnalysisCompleted, *, publish: bool = True) -> dict[str, float]:
        res, job_id = self._res, event.job_id
        if await res.cache.tombstone(job_id):
            log.info("%s: deleted, completion ignored", job_id)
            return {}
        now = utc_iso()
        hops = hop_ms(event, now)
        stamped = event.model_copy(update={
            "timings": event.timings.model_copy(update={"projected_at": now}),
        })
        if event.status == JobStatus.SUCCESS and event.result is not None:
            await res.jobs.put_result(job_id, event.result, event.analyzed_at)
        if await res.jobs.record_completion(stamped, now):
            if event.status == JobStatus.SUCCESS and event.result is not None:
                _, deleted = await asyncio.gather(res.cache.set_result(job_id, event.result),
                                                  res.cache.tombstone(job_id))
            else:
                _, deleted = await asyncio.gather(res.cache.delete_result(job_id),
                                                  res.cache.tombstone(job_id))
        else:
            deleted = await res.cache.tombstone(job_id)
        if deleted:  # deleted while we wrote: undo
            await res.jobs.delete(job_id)
            await res.cache.delete_result(job_id)
            return {}
        if publish:
            await res.cache.publish_completion(job_id, event.status.value)
        return hops
