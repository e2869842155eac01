"""The Celery app (Redis broker) and `run_weather_analysis`; each worker process builds its own
clients (S3, DynamoDB, Kafka producer on a private event loop) after the fork."""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery, Task
from celery.signals import worker_process_init, worker_process_shutdown

from infra.settings import load_settings
from stages.analysis_job import TransientError, WorkerRuntime, run_analysis

log = logging.getLogger(__name__)
settings = load_settings()

app = Celery("weather", broker=settings.celery_broker_url, set_as_current=True)
app.conf.update(
    task_ignore_result=True,
    task_acks_late=True,  # the task is idempotent: a crash mid-analysis re-delivers it
    task_reject_on_worker_lost=False,  # ...but a file that kills its worker is not retried
    worker_prefetch_multiplier=4,  # keep the pool fed between tasks (short tasks)
    worker_pool="prefork",
    worker_concurrency=settings.celery_concurrency,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
    broker_transport_options={"visibility_timeout": int(settings.analysis_time_limit * 4)},
    task_soft_time_limit=settings.analysis_soft_time_limit,
    task_time_limit=settings.analysis_time_limit,
    worker_send_task_events=False,
    task_default_queue="weather-analysis",
)

_runtime: WorkerRuntime | None = None


@worker_process_init.connect  # type: ignore[untyped-decorator]
def _open_runtime(**_: Any) -> None:
    """Per worker process (after fork): clients must not be shared across processes."""
    global _runtime
    _runtime = WorkerRuntime.open(settings)
    import stages.analysis  # noqa: F401  (pandas, scikit-learn: import once, not per task)


@worker_process_shutdown.connect  # type: ignore[untyped-decorator]
def _close_runtime(**_: Any) -> None:
    if _runtime is not None:
        _runtime.close()


def runtime() -> WorkerRuntime:
    global _runtime
    if _runtime is None:  # solo/threads pools do not send worker_process_init
        _runtime = WorkerRuntime.open(settings)
    return _runtime


@app.task(  # type: ignore[untyped-decorator]
    bind=True,
    name="stages.run_weather_analysis",
    acks_late=True,
    autoretry_for=(TransientError,),
    retry_backoff=1,
    retry_backoff_max=30,
    retry_jitter=True,
    max_retries=5,
)
def run_weather_analysis(self: Task, job_id: str, s3_key: str) -> str:
    """Download, analyse, publish AnalysisCompleted; transient failures retry with backoff."""
    last_try = self.request.retries >= (self.max_retries or 0)
    return run_analysis(runtime(), job_id, s3_key, celery_id=str(self.request.id),
                        last_try=last_try)
