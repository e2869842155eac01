"""Each adapter against its real server (S3Proxy, dynalite, Redis, Kafka)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator

import orjson
import pytest
import redis.asyncio as aioredis

from infra.adapters.cache import COMPLETIONS_CHANNEL, CompletionHub, ResultCache
from infra.adapters.jobs_table import InvalidCursor, JobsTable
from infra.adapters.kafka import EventProducer, read_topic
from infra.adapters.s3 import PART_SIZE, ObjectStore
from infra.settings import Settings
from schemas import AnalysisCompleted, ErrorInfo, Timings
from schemas.clock import utc_iso

pytestmark = pytest.mark.integration


def _job_id() -> str:
    return hashlib.sha256(os.urandom(16)).hexdigest()


@pytest.fixture
async def store(stack: Settings) -> AsyncIterator[ObjectStore]:
    async with ObjectStore.connect(stack) as s:
        await s.ensure_bucket()
        yield s


@pytest.fixture
async def jobs(stack: Settings) -> AsyncIterator[JobsTable]:
    async with JobsTable.connect(stack) as t:
        await t.ensure_tables()
        yield t


@pytest.fixture
async def cache(stack: Settings) -> AsyncIterator[ResultCache]:
    async with ResultCache.connect(stack) as c:
        yield c


async def test_s3_multipart_write_copy_read_delete(store: ObjectStore) -> None:
    key, dest = f"tmp/{uuid.uuid4().hex}", f"tmp/{uuid.uuid4().hex}.csv"
    data = os.urandom(PART_SIZE + 1234)  # two parts
    writer = store.writer(key)
    for i in range(0, len(data), 100_000):
        await writer.write(data[i:i + 100_000])
    await writer.complete("text/csv")
    await store.copy(key, dest)
    assert await store.size(dest) == len(data)
    assert await store.read_range(dest, 10, 19) == data[10:20]
    streamed = b"".join([chunk async for chunk in store.chunks(dest)])
    assert hashlib.sha256(streamed).digest() == hashlib.sha256(data).digest()
    await store.delete(key)
    await store.delete(dest)
    assert await store.size(dest) is None


async def test_s3_aborted_upload_leaves_nothing(store: ObjectStore) -> None:
    key = f"tmp/{uuid.uuid4().hex}"
    writer = store.writer(key)
    await writer.write(os.urandom(PART_SIZE + 1))
    await writer.abort()
    assert await store.size(key) is None


def _completion(job_id: str, aid: str, at: str, status: str = "SUCCESS") -> AnalysisCompleted:
    return AnalysisCompleted.new(
        job_id=job_id, status=status, result={"num_records": 1} if status == "SUCCESS" else None,
        error=ErrorInfo(code="CORRUPT_FILE", message="bad") if status == "FAILURE" else None,
        analysis_version=1, analyzed_at=at, analysis_id=aid,
        timings=Timings(finished_at=at), bucket="b", key=f"uploads/{job_id}.csv",
        filename="f.csv", size=10, content_type="text/csv", source="api", created_at=at,
    )


async def test_job_claims_and_transitions_are_conditional(jobs: JobsTable) -> None:
    job_id, cid, at = _job_id(), str(uuid.uuid4()), utc_iso()
    job = {"job_id": job_id, "status": "PENDING", "celery_id": cid, "created_at": at,
           "key": f"uploads/{job_id}.csv", "filename": "f.csv"}
    assert await jobs.claim_new(job)
    assert not await jobs.claim_new({**job, "celery_id": "other"})
    assert not await jobs.queue(job_id, "other", at)
    assert await jobs.queue(job_id, cid, at)
    assert await jobs.queue(job_id, cid, at)  # a redelivered event queues again
    running = await jobs.mark_running(job_id, cid, utc_iso())
    assert running is not None and running["status"] == "RUNNING"
    first = _completion(job_id, cid, utc_iso())
    assert await jobs.record_completion(first, utc_iso())
    assert not await jobs.record_completion(first, utc_iso())  # delivered twice: counted once
    assert await jobs.mark_running(job_id, cid, utc_iso()) is None  # finished: not again
    item = await jobs.get(job_id)
    assert item is not None
    assert (item["status"], item["analysis_count"]) == ("SUCCESS", 1)
    # A forced reanalysis under a new claim counts again and moves analyzed_at.
    new_cid = str(uuid.uuid4())
    long_ago = "2000-01-01T00:00:00Z"
    assert await jobs.requeue(job_id, new_cid, utc_iso(), "replay", long_ago)
    assert not await jobs.requeue(job_id, "x", utc_iso(), "replay", long_ago)  # in flight now
    # ...unless it has been in flight for too long (its task was lost): then it is rescued.
    assert await jobs.requeue(job_id, "y", utc_iso(), "replay", "2999-01-01T00:00:00Z")
    assert await jobs.requeue(job_id, new_cid, utc_iso(), "replay", "2999-01-01T00:00:00Z")
    second = _completion(job_id, new_cid, utc_iso(), status="FAILURE")
    assert await jobs.record_completion(second, utc_iso())
    item = await jobs.get(job_id)
    assert item is not None
    assert (item["status"], item["analysis_count"]) == ("FAILURE", 2)
    assert item["error"] == {"code": "CORRUPT_FILE", "message": "bad"}
    assert item["analyzed_at"] == second.analyzed_at
    assert await jobs.delete(job_id)
    assert await jobs.get(job_id) is None


async def test_an_older_completion_counts_once_but_does_not_move_state(jobs: JobsTable) -> None:
    job_id = _job_id()
    newer = _completion(job_id, str(uuid.uuid4()), "2030-01-02T00:00:00.000002Z")
    older = _completion(job_id, str(uuid.uuid4()), "2030-01-01T00:00:00.000001Z",
                        status="FAILURE")
    assert await jobs.record_completion(newer, utc_iso())
    assert not await jobs.record_completion(older, utc_iso())  # arrived late: state kept
    assert not await jobs.record_completion(older, utc_iso())  # and redelivered
    item = await jobs.get(job_id)
    assert item is not None
    assert (item["status"], item["analyzed_at"], item["analysis_count"]) == (
        "SUCCESS", newer.analyzed_at, 2)
    assert "error" not in item
    await jobs.delete(job_id)


async def test_release_claim_only_undoes_our_pending_claim(jobs: JobsTable) -> None:
    job_id, cid = _job_id(), str(uuid.uuid4())
    assert await jobs.claim_new({"job_id": job_id, "status": "PENDING", "celery_id": cid,
                                 "created_at": utc_iso()})
    assert not await jobs.release_claim(job_id, "someone-else")
    assert await jobs.get(job_id) is not None
    assert await jobs.release_claim(job_id, cid)
    assert await jobs.get(job_id) is None


async def test_completion_into_empty_table_rebuilds_the_item(jobs: JobsTable) -> None:
    job_id = _job_id()
    event = _completion(job_id, str(uuid.uuid4()), utc_iso())
    assert await jobs.put_result(job_id, {"num_records": 1}, event.analyzed_at)
    assert not await jobs.put_result(job_id, {"num_records": 0}, "2000-01-01T00:00:00Z")
    assert await jobs.record_completion(event, utc_iso())
    item = await jobs.get(job_id)
    assert item is not None
    assert (item["status"], item["filename"], item["key"]) == ("SUCCESS", "f.csv", event.key)
    assert await jobs.get_result(job_id) == {"num_records": 1}
    await jobs.delete(job_id)


async def test_list_jobs_newest_first_with_cursor_and_status(jobs: JobsTable) -> None:
    ids = [_job_id() for _ in range(3)]
    status = "QUEUED"
    for job_id in ids:
        await jobs.claim_new({"job_id": job_id, "status": status, "celery_id": "c",
                              "created_at": utc_iso()})
        await asyncio.sleep(0.002)
    page, cursor = await jobs.list_jobs(2)
    assert [j["job_id"] for j in page] == ids[::-1][:2]
    assert cursor is not None
    page2, _ = await jobs.list_jobs(1, cursor=cursor)
    assert page2[0]["job_id"] == ids[0]
    by_status, _ = await jobs.list_jobs(50, status=status)
    assert all(j["status"] == status for j in by_status)
    assert {j["job_id"] for j in by_status} >= set(ids)
    with pytest.raises(InvalidCursor):
        await jobs.list_jobs(1, cursor="garbage!")
    _, status_cursor = await jobs.list_jobs(1, status=status)
    assert status_cursor is not None
    with pytest.raises(InvalidCursor):  # a cursor of the filtered listing, reused unfiltered
        await jobs.list_jobs(1, cursor=status_cursor)
    for job_id in ids:
        await jobs.delete(job_id)


async def test_cache_tombstones_and_heartbeats(cache: ResultCache) -> None:
    job_id = _job_id()
    await cache.set_result(job_id, {"a": 1.5})
    assert await cache.get_result(job_id) == {"a": 1.5}
    assert orjson.loads(await cache.get_result_raw(job_id) or b"") == {"a": 1.5}
    await cache.delete_result(job_id)
    assert await cache.get_result(job_id) is None
    await cache.add_tombstone(job_id, "2024-01-01T00:00:00Z")
    assert await cache.tombstone(job_id) == "2024-01-01T00:00:00Z"
    await cache.clear_tombstone(job_id)
    assert await cache.tombstone(job_id) is None
    await cache.write_heartbeat(f"test-{job_id[:8]}", {"beat_at": 1})
    assert (await cache.heartbeats())[f"test-{job_id[:8]}"] == {"beat_at": 1}
    await cache.forget_heartbeat(f"test-{job_id[:8]}")
    assert f"test-{job_id[:8]}" not in await cache.heartbeats()


async def test_completion_hub_wakes_only_that_jobs_waiters(stack: Settings,
                                                           cache: ResultCache) -> None:
    hub = CompletionHub(stack)
    await hub.start()
    try:
        a, b = _job_id(), _job_id()
        with hub.waiter(a) as wa, hub.waiter(a) as wa2, hub.waiter(b) as wb:
            assert hub.waiting == 3
            await cache.publish_completion(a, "SUCCESS")
            async with asyncio.timeout(5):
                assert await wa == "SUCCESS"
                assert await wa2 == "SUCCESS"
            assert not wb.done()
        assert hub.waiting == 0
    finally:
        await hub.stop()


async def test_completion_hub_survives_a_malformed_message(stack: Settings,
                                                           cache: ResultCache) -> None:
    hub = CompletionHub(stack)
    await hub.start()
    raw = aioredis.Redis.from_url(stack.redis_url)
    try:
        job = _job_id()
        with hub.waiter(job) as waiter:
            await raw.publish(COMPLETIONS_CHANNEL, b"\xff\xfe not utf-8")
            await cache.publish_completion(job, "FAILURE")
            async with asyncio.timeout(5):
                assert await waiter == "FAILURE"
    finally:
        await raw.aclose()
        await hub.stop()


async def test_producer_and_topic_reader(stack: Settings) -> None:
    marker = uuid.uuid4().hex
    async with EventProducer.connect(stack) as producer:
        await producer.ping()
        await producer.send(stack.topic_dlq, marker, orjson.dumps({"marker": marker}))
    seen = [r async for r in read_topic(stack, stack.topic_dlq)]
    assert any(r.key == marker.encode() for r in seen)
