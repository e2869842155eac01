"""The API's use cases: submit an upload, wait for a job, list, delete. No HTTP here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from infra.adapters.kafka import PublishError
from ingest_api import metrics
from ingest_api.bootstrap import Services
from ingest_api.errors import NotFound, ServiceUnavailable
from ingest_api.upload import ReceivedFile
from schemas.clock import parse_iso
from schemas.clock import utc_iso as now_iso
from schemas.codec import encode
from schemas.events import JobDeleted, JobSubmitted
from schemas.filetype import object_key
from schemas.status import IN_FLIGHT, JobStatus

log = logging.getLogger(__name__)

MAX_WAIT_S = 300.0
STALE_PENDING_S = 60.0
_HIDDEN = {"list_pk", "analysis_ids", "timings_json"}


@dataclass(frozen=True)
class Outcome:
    """An answer for the HTTP layer: a status code and either a JSON body or raw JSON bytes."""

    status: int
    body: dict[str, Any] | None = None
    raw: bytes | None = None


def public_job(item: dict[str, Any]) -> dict[str, Any]:
    """A JobMetadata item as clients see it."""
    job = {k: v for k, v in item.items() if k not in _HIDDEN}
    if "timings_json" in item:
        job["timings"] = orjson.loads(item["timings_json"])
    return job


async def _discard(svc: Services, upload: ReceivedFile) -> None:
    if upload.temp_key:
        await svc.store.delete(upload.temp_key)


async def _answer_existing(svc: Services, job: dict[str, Any]) -> Outcome:
    """A second upload of known bytes: answer from what exists, never analyse again."""
    job_id = job["job_id"]
    if job["status"] == JobStatus.SUCCESS:
        results = await svc.jobs.get_result(job_id)
        if results is not None:
            await svc.cache.set_result(job_id, results)
            return Outcome(200, {"job_id": job_id, "status": "SUCCESS", "from_cache": False,
                                 "results": results})
    if job["status"] == JobStatus.FAILURE:
        return Outcome(200, {"job_id": job_id, "status": "FAILURE", "error": job.get("error")})
    return Outcome(202, {"job_id": job_id, "celery_id": job.get("celery_id"),
                         "status": job["status"]})


async def submit_upload(svc: Services, upload: ReceivedFile) -> Outcome:
    """Cache hit → 200; known job → its state; else claim, store, publish → 202."""
    try:
        return await _submit(svc, upload)
    finally:
        await _discard(svc, upload)  # a large upload's temporary object, whatever happened


async def _submit(svc: Services, upload: ReceivedFile) -> Outcome:
    job_id = upload.job_id
    cached = await svc.cache.get_result_raw(job_id)
    if cached is not None:
        metrics.JOBS.labels("cache_hit").inc()
        head = orjson.dumps({"job_id": job_id, "status": "SUCCESS", "from_cache": True})
        return Outcome(200, raw=head[:-1] + b',"results":' + cached + b"}")
    key = object_key(job_id, upload.ext)
    celery_id = str(uuid.uuid4())
    at = now_iso()
    job = {
        "job_id": job_id, "status": JobStatus.PENDING.value, "filename": upload.filename,
        "bucket": svc.store.bucket, "key": key, "size": upload.size,
        "content_type": upload.content_type, "source": "api", "celery_id": celery_id,
        "created_at": at, "updated_at": at, "submitted_at": at,
    }
    if not await svc.jobs.claim_new(job):
        existing = await svc.jobs.get(job_id)
        if existing is None:  # deleted between the claim and the read
            raise ServiceUnavailable("the job changed while it was being claimed; retry")
        if not (_stale_claim(existing) and await svc.jobs.take_over(
                job_id, existing["celery_id"], celery_id, at)):
            metrics.JOBS.labels("existing").inc()
            return await _answer_existing(svc, existing)
        key = existing.get("key", key)
    await _store_and_publish(svc, upload, key, celery_id, at)
    metrics.JOBS.labels("submitted").inc()
    return Outcome(202, {"job_id": job_id, "celery_id": celery_id, "status": "PENDING"})


def _stale_claim(job: dict[str, Any]) -> bool:
    """PENDING for longer than any submitter takes: its API process died mid-submit."""
    if job["status"] != JobStatus.PENDING or "celery_id" not in job:
        return False
    age = datetime.now(UTC) - parse_iso(str(job.get("updated_at") or job.get("created_at")))
    return age.total_seconds() > STALE_PENDING_S


async def _store_and_publish(svc: Services, upload: ReceivedFile, key: str, celery_id: str,
                             at: str) -> None:
    """Object first, then the event; on any failure the claim is undone, nothing half-written."""
    job_id = upload.job_id
    try:
        if upload.temp_key:
            await svc.store.copy(upload.temp_key, key)
        else:
            assert upload.data is not None
            await svc.store.put(key, upload.data, upload.content_type)
        await svc.cache.clear_tombstone(job_id)
        event = JobSubmitted.new(
            job_id=job_id, bucket=svc.store.bucket, key=key, filename=upload.filename,
            size=upload.size, content_type=upload.content_type, celery_id=celery_id,
            submitted_at=at, source="api",
        )
        await svc.producer.send(svc.settings.topic_submitted, job_id, encode(event))
    except BaseException as exc:
        await _undo_claim(svc, job_id, celery_id, key)
        if isinstance(exc, PublishError):
            metrics.JOBS.labels("publish_failed").inc()
            raise ServiceUnavailable(
                "the job could not be queued (event broker unavailable); retry",
                code="QUEUE_UNAVAILABLE",
            ) from exc
        raise


async def _undo_claim(svc: Services, job_id: str, celery_id: str, key: str) -> None:
    """Best effort, and never hiding why the submit failed. The object goes only with our own
    claim: a submitter that took the claim over has written the same key and needs it."""
    try:
        if await svc.jobs.release_claim(job_id, celery_id):
            await svc.store.delete(key)
    except Exception:
        log.exception("%s: could not undo the claim; it turns stale and is taken over", job_id)


async def _terminal_answer(svc: Services, job: dict[str, Any],
                           results: dict[str, Any] | None = None) -> Outcome:
    body = public_job(job)
    if job["status"] == JobStatus.SUCCESS:
        body["results"] = results or await svc.jobs.get_result(job["job_id"])
    return Outcome(200, body)


async def _read(svc: Services, job_id: str,
                hint: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The job, and its results read alongside when the completion event said SUCCESS."""
    if hint != JobStatus.SUCCESS:
        return await svc.jobs.get(job_id), None
    job, results = await asyncio.gather(svc.jobs.get(job_id), svc.jobs.get_result(job_id))
    return job, results


async def job_status(svc: Services, job_id: str, wait_s: float) -> Outcome:
    """Answer at once when terminal; otherwise wait on the completion feed until `wait_s`."""
    deadline = time.monotonic() + max(0.0, min(wait_s, MAX_WAIT_S))
    metrics.WAITING.inc()
    hint = ""
    try:
        while True:
            # Register before reading, so a completion between the read and the wait counts.
            with svc.hub.waiter(job_id) as woken:
                job, results = await _read(svc, job_id, hint)
                if job is None:
                    raise NotFound(f"no job {job_id}")
                if job["status"] not in IN_FLIGHT:
                    return await _terminal_answer(svc, job, results)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return Outcome(202, public_job(job))
                await asyncio.wait([woken], timeout=remaining)
                hint = woken.result() if woken.done() else ""
    finally:
        metrics.WAITING.dec()


async def list_jobs(svc: Services, limit: int, status: str | None,
                    cursor: str | None) -> Outcome:
    items, next_cursor = await svc.jobs.list_jobs(limit, status, cursor)
    return Outcome(200, {"jobs": [public_job(i) for i in items], "next_cursor": next_cursor})


async def delete_job(svc: Services, job_id: str) -> Outcome:
    """Tombstone first (so in-flight stages drop the job), then remove object, items, cache."""
    job = await svc.jobs.get(job_id)
    if job is None:
        raise NotFound(f"no job {job_id}")
    at = now_iso()
    await svc.cache.add_tombstone(job_id, at)
    event = JobDeleted.new(job_id=job_id, deleted_at=at, key=job.get("key"))
    await svc.producer.send(svc.settings.topic_deleted, job_id, encode(event))
    if job.get("key") and job.get("bucket", svc.store.bucket) == svc.store.bucket:
        await svc.store.delete(job["key"])
    await svc.jobs.delete(job_id)
    with contextlib.suppress(Exception):
        await svc.cache.delete_result(job_id)
        await svc.cache.publish_completion(job_id, "DELETED")  # waiters answer 404 now
    metrics.JOBS.labels("deleted").inc()
    return Outcome(200, {"job_id": job_id, "deleted": True})
