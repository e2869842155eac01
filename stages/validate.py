"""The validate stage: normalise a submission, check the object, claim the job, queue the task."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.clock import utc_iso
from schemas.codec import InvalidEvent, decode_json, encode
from schemas.errors import ErrorInfo
from schemas.events import AnalysisCompleted, JobSubmitted, Timings
from schemas.filetype import CONTENT_TYPES, SNIFF_BYTES, extension, object_key, sniff
from schemas.status import IN_FLIGHT, JobStatus
from schemas.submissions import normalise_submission
from stages.resources import Resources

log = logging.getLogger(__name__)

QueueTask = Callable[[str, str, str], Awaitable[None]]  # (job_id, s3_key, celery_id)
Publish = Callable[[str, bytes], Awaitable[None]]  # (job_id, AnalysisCompleted bytes)


@dataclass(frozen=True)
class Checked:
    """A submission whose object exists and looks like a file the engine reads."""

    job_id: str
    size: int
    ext: str
    content_type: str


class Rejected(InvalidEvent):
    """The object is missing or unusable; the job (if claimed) fails with this code."""


async def _sha256_of(res: Resources, bucket: str, key: str) -> str:
    """Hash the object as it streams; large chunks are hashed off the event loop."""
    digest = hashlib.sha256()
    loop = asyncio.get_running_loop()
    async for chunk in res.store.chunks(key, bucket=bucket):
        if len(chunk) >= 256 * 1024:
            await loop.run_in_executor(None, digest.update, chunk)
        else:
            digest.update(chunk)
    return digest.hexdigest()


async def check_object(res: Resources, sub: JobSubmitted) -> Checked:
    size = await res.store.size(sub.key, bucket=sub.bucket)
    if size is None:
        raise Rejected("OBJECT_NOT_FOUND", f"s3://{sub.bucket}/{sub.key} does not exist")
    if size == 0:
        raise Rejected("EMPTY_FILE", "the file is empty")
    if size > res.settings.max_upload_bytes:
        raise Rejected("FILE_TOO_LARGE", f"{size} bytes is over the limit")
    head = await res.store.read_range(sub.key, 0, SNIFF_BYTES - 1, bucket=sub.bucket)
    tail = b""
    if head.startswith(b"PK") and size > SNIFF_BYTES:
        tail = await res.store.read_range(sub.key, size - SNIFF_BYTES, size - 1, bucket=sub.bucket)
    kind = sniff(head, tail)
    if kind is None:
        raise Rejected("UNSUPPORTED_FILE_TYPE", "the file is not a CSV/text, XLSX or XLS file")
    job_id = sub.job_id or await _sha256_of(res, sub.bucket, sub.key)
    return Checked(job_id, size, extension(kind, sub.filename or sub.key), CONTENT_TYPES[kind])


class Validator:
    """Turns one raw value of `weather.jobs.submitted` into queued analyses."""

    def __init__(self, res: Resources, queue_task: QueueTask, publish: Publish,
                 analysis_version: int) -> None:
        self._res, self._queue, self._publish = res, queue_task, publish
        self._version = analysis_version
        # In flight for longer than a task may run: its task was lost; a forced replay rescues it.
        self._stale_after_s = res.settings.analysis_time_limit * 2

    async def handle(self, raw: bytes | None) -> list[str]:
        """Process every submission in the value; returns what happened to each (for logs)."""
        outcomes = []
        for sub in normalise_submission(decode_json(raw)):
            outcomes.append(await self.submit(sub))
        return outcomes

    async def submit(self, sub: JobSubmitted) -> str:
        res = self._res
        if sub.job_id and await res.cache.tombstone(sub.job_id):
            return f"{sub.job_id}: deleted, ignored"
        # The API checked these bytes' type and size as they streamed and wrote the object
        # itself: one conditional write moves its claim on (the latency path: one call).
        if (sub.source == "api" and sub.job_id and sub.celery_id
                and await res.jobs.queue(sub.job_id, sub.celery_id, utc_iso())):
            await self._queue(sub.job_id, sub.key, sub.celery_id)
            return f"{sub.job_id}: queued"
        job = await res.jobs.get(sub.job_id) if sub.job_id else None
        claimed_by_api = (
            sub.source == "api" and job is not None and job.get("celery_id") == sub.celery_id
            and job["status"] in (JobStatus.PENDING, JobStatus.QUEUED)
        )
        try:
            checked = await check_object(res, sub)
        except Rejected as exc:
            if claimed_by_api and job is not None:
                await self._fail(job, ErrorInfo(code=exc.code, message=exc.message))
                return f"{sub.job_id}: rejected ({exc.code})"
            raise
        job_id = checked.job_id
        if sub.job_id is None:
            if await res.cache.tombstone(job_id):
                return f"{job_id}: deleted, ignored"
            job = await res.jobs.get(job_id)
        if claimed_by_api:
            assert sub.celery_id is not None
            if await res.jobs.queue(job_id, sub.celery_id, utc_iso()):
                await self._queue(job_id, sub.key, sub.celery_id)
                return f"{job_id}: queued"
            return f"{job_id}: claim moved on, ignored"
        return await self._claim_other(sub, checked, job)

    async def _claim_other(self, sub: JobSubmitted, checked: Checked,
                           job: dict[str, Any] | None) -> str:
        """External events and replays: create the job, or reanalyse a finished one."""
        res, job_id, celery_id, at = self._res, checked.job_id, str(uuid.uuid4()), utc_iso()
        if job is None:
            key = object_key(job_id, checked.ext)
            if sub.bucket != res.store.bucket or sub.key != key:
                await res.store.copy(sub.key, key, source_bucket=sub.bucket)
            created = await res.jobs.claim_new({
                "job_id": job_id, "status": JobStatus.QUEUED.value, "celery_id": celery_id,
                "filename": sub.filename, "bucket": res.store.bucket, "key": key,
                "size": checked.size, "content_type": checked.content_type,
                "source": sub.source, "created_at": at, "updated_at": at,
                "submitted_at": sub.submitted_at or at, "queued_at": at,
            })
            if created:
                await self._queue(job_id, key, celery_id)
                return f"{job_id}: new job queued"
            job = await res.jobs.get(job_id)
            if job is None:
                return f"{job_id}: vanished while claiming, ignored"
        stale_before = utc_iso(datetime.now(UTC) - timedelta(seconds=self._stale_after_s))
        stuck = job["status"] in IN_FLIGHT and str(job.get("updated_at", "")) < stale_before
        if job["status"] in IN_FLIGHT and not (sub.force and stuck):
            return f"{job_id}: already {job['status']}, ignored"
        if not sub.force and job.get("analysis_version") == self._version:
            return f"{job_id}: already analysed with version {self._version}, ignored"
        if await res.jobs.requeue(job_id, celery_id, at, sub.source, stale_before):
            await self._queue(job_id, job["key"], celery_id)
            return f"{job_id}: requeued"
        return f"{job_id}: changed meanwhile, ignored"

    async def _fail(self, job: dict[str, Any], error: ErrorInfo) -> None:
        """A claimed job whose object is unusable fails through the normal completion path."""
        at = utc_iso()
        event = AnalysisCompleted.new(
            job_id=job["job_id"], status=JobStatus.FAILURE, error=error,
            analysis_version=self._version, analyzed_at=at, analysis_id=job.get("celery_id"),
            timings=Timings(submitted_at=job.get("submitted_at"), finished_at=at),
            **{k: job.get(k) for k in ("bucket", "key", "filename", "size", "content_type",
                                       "source", "created_at")},
        )
        await self._publish(job["job_id"], encode(event))
