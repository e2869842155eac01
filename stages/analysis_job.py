"""What `run_weather_analysis` does: claim RUNNING, download, analyse, publish the outcome."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from aiokafka.errors import KafkaError
from botocore.exceptions import BotoCoreError, ClientError
from celery.exceptions import SoftTimeLimitExceeded

from infra.adapters.jobs_table import JobsTable
from infra.adapters.kafka import EventProducer, PublishError
from infra.adapters.s3 import ObjectStore
from infra.settings import Settings
from schemas.clock import utc_iso
from schemas.codec import encode
from schemas.errors import INTERNAL_ERROR, OBJECT_NOT_FOUND, TIME_LIMIT_EXCEEDED, ErrorInfo
from schemas.events import AnalysisCompleted, Timings
from schemas.status import JobStatus

log = logging.getLogger(__name__)
T = TypeVar("T")


class TransientError(Exception):
    """S3, DynamoDB or Kafka could not be reached: worth a retry with backoff."""


_TRANSIENT = (ClientError, BotoCoreError, KafkaError, PublishError, OSError, TimeoutError)
_TIME_LIMIT = ErrorInfo(code=TIME_LIMIT_EXCEEDED,
                        message="the analysis took longer than the time limit")


@dataclass
class WorkerRuntime:
    """One worker process's clients, on a private event loop in a thread (Celery is sync)."""

    settings: Settings
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    stack: contextlib.AsyncExitStack
    store: ObjectStore
    jobs: JobsTable
    producer: EventProducer

    @classmethod
    def open(cls, settings: Settings) -> WorkerRuntime:
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="worker-io", daemon=True)
        thread.start()

        async def build() -> tuple[contextlib.AsyncExitStack, ObjectStore, JobsTable,
                                   EventProducer]:
            stack = contextlib.AsyncExitStack()
            store = await stack.enter_async_context(ObjectStore.connect(settings))
            jobs = await stack.enter_async_context(JobsTable.connect(settings))
            producer = await stack.enter_async_context(EventProducer.connect(settings))
            return stack, store, jobs, producer

        stack, store, jobs, producer = asyncio.run_coroutine_threadsafe(build(), loop).result(60)
        return cls(settings, loop, thread, stack, store, jobs, producer)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.run(self.stack.aclose(), timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


def _engine() -> tuple[Any, type[Exception], int]:
    from stages.analysis import ANALYSIS_VERSION, AnalysisError, analyze_file

    return analyze_file, AnalysisError, ANALYSIS_VERSION


def run_analysis(rt: WorkerRuntime, job_id: str, s3_key: str, *, celery_id: str,
                 last_try: bool) -> str:
    """Idempotent: a finished or superseded claim is skipped; the outcome is published once
    per attempt that reaches the end (the projector counts each analysis id once)."""
    analyze_file, analysis_error, version = _engine()
    started, t0 = utc_iso(), time.perf_counter()
    try:
        job = rt.run(rt.jobs.mark_running(job_id, celery_id, started))
    except _TRANSIENT as exc:
        raise TransientError(repr(exc)) from exc
    if job is None:
        log.info("%s: claim %s is gone, finished or superseded; skipped", job_id, celery_id)
        return "skipped"
    result: dict[str, Any] | None = None
    error: ErrorInfo | None = None
    download_s = analysis_s = 0.0
    t_download = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="weather-") as tmp:
        path = Path(tmp) / f"input{Path(s3_key).suffix}"
        try:
            if rt.run(rt.store.download(s3_key, path), timeout=600) is None:
                error = ErrorInfo(code=OBJECT_NOT_FOUND, message=f"{s3_key} does not exist")
        except _TRANSIENT as exc:
            if not last_try:
                raise TransientError(repr(exc)) from exc
            error = ErrorInfo(code="STORAGE_UNAVAILABLE", message="the file could not be read")
        except Exception as exc:
            log.exception("%s: download failed", job_id)
            error = ErrorInfo(code=INTERNAL_ERROR, message=f"download failed: {type(exc).__name__}")
        download_s = time.perf_counter() - t_download
        if error is None:
            t1 = time.perf_counter()
            try:
                result = dict(analyze_file(path))
                # Microsecond precision: two analyses in one second must still be ordered.
                result["analyzed_at"] = utc_iso()
            except SoftTimeLimitExceeded:
                error = _TIME_LIMIT
            except analysis_error as exc:
                if isinstance(exc.__cause__, SoftTimeLimitExceeded):
                    # The engine wraps anything unexpected as ANALYSIS_FAILED, and the soft
                    # limit can fire anywhere inside it.
                    error = _TIME_LIMIT
                elif getattr(exc, "retriable", False) and not last_try:
                    raise TransientError(str(exc)) from exc
                else:
                    error = ErrorInfo(code=getattr(exc, "code", "ANALYSIS_FAILED"),
                                      message=getattr(exc, "message", str(exc)))
            except Exception as exc:  # a hostile file must not crash-loop the worker
                log.exception("%s: engine crashed", job_id)
                error = ErrorInfo(code=INTERNAL_ERROR,
                                  message=f"analysis failed: {type(exc).__name__}")
            analysis_s = time.perf_counter() - t1
    finished = utc_iso()
    event = AnalysisCompleted.new(
        job_id=job_id,
        status=JobStatus.SUCCESS if error is None else JobStatus.FAILURE,
        result=result, error=error, analysis_version=version,
        analyzed_at=(result or {}).get("analyzed_at") or finished,
        analysis_id=celery_id,
        timings=Timings(download_s=round(download_s, 6), analysis_s=round(analysis_s, 6),
                        total_s=round(time.perf_counter() - t0, 6),
                        submitted_at=job.get("submitted_at"), queued_at=job.get("queued_at"),
                        started_at=started, finished_at=finished),
        **{k: job.get(k) for k in ("bucket", "key", "filename", "size", "content_type",
                                   "source", "created_at")},
    )
    try:
        rt.run(rt.producer.send(rt.settings.topic_completed, job_id, encode(event)))
    except _TRANSIENT as exc:
        raise TransientError(repr(exc)) from exc
    return event.status.value
