"""The Faust worker (`faust -A stages.faust_app worker -l info`): the validate and projector
agents, their dead-letter handling, heartbeats and the readiness view. Composition root of
the stages' async clients (built when the worker starts, never at import)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterable, Awaitable, Callable
from functools import partial
from typing import Any

import faust
import mode
from aiokafka.errors import KafkaError
from botocore.exceptions import BotoCoreError, ClientError
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from infra.settings import load_settings
from schemas.codec import InvalidEvent
from stages.deadletter import dead_letter
from stages.monitor import AgentProgress
from stages.project import Projector
from stages.resources import Resources, open_resources
from stages.validate import Validator

log = logging.getLogger(__name__)
settings = load_settings()

# Latency-minded settings; each is explained in the README's "Pipeline and events".
app = faust.App(
    "weather-stages",
    broker=f"kafka://{settings.kafka_bootstrap_servers}",
    value_serializer="raw",
    key_serializer="raw",
    consumer_auto_offset_reset="earliest",
    topic_allow_declare=False,  # topics come from infra.provision, with their partitions
    topic_disable_leader=True,  # no leader topic: nothing here needs a leader
    broker_commit_interval=1.0,
    broker_commit_every=100,
    broker_session_timeout=10.0,
    broker_heartbeat_interval=1.0,
    broker_rebalance_timeout=15.0,
    broker_request_timeout=30.0,
    broker_max_poll_interval=120.0,
    stream_wait_empty=False,
    stream_recovery_delay=0.0,
    producer_linger_ms=0,
    producer_acks=-1,
    web_enabled=True,
    web_host=settings.host,
    web_bind=settings.host,  # web_host only names the URL; web_bind is where it listens
    web_port=settings.stages_web_port,
    web_in_thread=False,
)

submitted_topic = app.topic(settings.topic_submitted, value_serializer="raw")
completed_topic = app.topic(settings.topic_completed, value_serializer="raw")
dlq_topic = app.topic(settings.topic_dlq, value_serializer="raw")

progress = {
    "validate_submissions": AgentProgress("validate_submissions"),
    "project_completions": AgentProgress("project_completions"),
}
_resources: Resources | None = None
_ready = asyncio.Event()
_RETRY_CODES = {"ThrottlingException", "ProvisionedThroughputExceededException",
                "InternalServerError", "ServiceUnavailable", "RequestTimeout", "SlowDown"}


def _transient(exc: Exception) -> bool:
    """Worth retrying: a service briefly unreachable or overloaded (not a rejected request)."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return err.get("Code") in _RETRY_CODES or status >= 500
    return isinstance(exc, BotoCoreError | RedisError | KafkaError | OSError | TimeoutError
                      | OperationalError)  # kombu: the Celery broker is unreachable


@app.service
class StageResources(mode.Service):
    """Opens the S3, DynamoDB and Redis clients for the worker's lifetime."""

    async def on_start(self) -> None:
        global _resources
        self._stack = contextlib.AsyncExitStack()
        _resources = await self._stack.enter_async_context(open_resources(settings))
        _ready.set()

    async def on_stop(self) -> None:
        _ready.clear()
        await self._stack.aclose()


async def resources() -> Resources:
    await _ready.wait()
    assert _resources is not None
    return _resources


async def _queue_analysis(job_id: str, s3_key: str, celery_id: str) -> None:
    from stages.celery_app import run_weather_analysis  # the Celery app, for its producer only

    send = partial(run_weather_analysis.apply_async, (job_id, s3_key), task_id=celery_id)
    await asyncio.get_running_loop().run_in_executor(None, send)


async def _publish_completion(job_id: str, value: bytes) -> None:
    await completed_topic.send(key=job_id.encode(), value=value)


Handler = Callable[[bytes | None], Awaitable[Any]]


async def _guarded(agent: str, event: Any, handle: Handler) -> None:
    """Run one event through `handle`: retry transient failures, dead-letter the rest."""
    raw, message = event.value, event.message
    state = progress[agent]
    code, reason = "", ""
    for attempt in range(3):
        try:
            outcome = await handle(raw)
            log.info("%s: %s", agent, outcome)
            code = ""
            break
        except InvalidEvent as exc:
            code, reason = exc.code, exc.message
            break
        except Exception as exc:
            if _transient(exc):
                code, reason = "DEPENDENCY_ERROR", repr(exc)
                log.warning("%s: transient failure (attempt %d): %r", agent, attempt + 1, exc)
                await asyncio.sleep(0.2 * 2**attempt)
                continue
            log.exception("%s: failed on %s[%s]@%s", agent, message.topic, message.partition,
                          message.offset)
            code, reason = "PROCESSING_ERROR", repr(exc)
            break
    if code:
        state.dead_lettered += 1
        try:
            await dlq_topic.send(key=message.key, value=dead_letter(
                agent=agent, topic=message.topic, raw=raw, code=code, reason=reason,
                partition=message.partition, offset=message.offset))
        except Exception:
            log.exception("%s: could not write to the dead-letter topic", agent)
        log.warning("%s: dead-lettered %s[%s]@%s: %s %s", agent, message.topic,
                    message.partition, message.offset, code, reason)
    state.processed_one((message.topic, message.partition), message.offset)


@app.agent(submitted_topic, concurrency=4)
async def validate_submissions(stream: AsyncIterable[Any]) -> None:
    """weather.jobs.submitted → checks → JobMetadata QUEUED → Celery task."""
    from stages.analysis import ANALYSIS_VERSION

    validator = Validator(await resources(), _queue_analysis, _publish_completion,
                          ANALYSIS_VERSION)
    async for event in stream.events():  # type: ignore[attr-defined]
        await _guarded("validate_submissions", event, validator.handle)


@app.agent(completed_topic, concurrency=4)
async def project_completions(stream: AsyncIterable[Any]) -> None:
    """weather.jobs.completed → JobResults, JobMetadata, Redis cache → completion event."""
    projector = Projector(await resources())
    state = progress["project_completions"]

    async def handle(raw: bytes | None) -> dict[str, float]:
        hops = await projector.handle(raw)
        if "finished_at->projected_at" in hops:
            state.hop_ms.append(hops["finished_at->projected_at"])
        return hops

    async for event in stream.events():  # type: ignore[attr-defined]
        await _guarded("project_completions", event, handle)


def _readiness() -> dict[str, Any]:
    states = {name: p.snapshot(settings.agent_stuck_after_s) for name, p in progress.items()}
    return {"ready": _ready.is_set() and not any(s["stuck"] for s in states.values()),
            "agents": states}


@app.timer(interval=2.0)  # type: ignore[untyped-decorator]
async def heartbeat() -> None:
    """Every 2 s: lag per agent from the consumer's high-water marks, written to Redis."""
    consumer = app.consumer
    highwaters = {(tp.topic, tp.partition): consumer.highwater(tp)
                  for tp in consumer.assignment()}
    for name, state in progress.items():
        topic = settings.topic_submitted if name == "validate_submissions" else \
            settings.topic_completed
        state.update_lag({tp: h for tp, h in highwaters.items() if tp[0] == topic and h})
    with contextlib.suppress(Exception):
        res = await resources()
        for name, state in progress.items():
            await res.cache.write_heartbeat(name, state.snapshot(settings.agent_stuck_after_s))


@app.page("/readyz")
async def readyz(web: Any, request: Any) -> Any:
    body = _readiness()
    return web.json(body, status=200 if body["ready"] else 503)


@app.page("/healthz")
async def healthz(web: Any, request: Any) -> Any:
    return web.json({"status": "ok", "uptime_s": round(time.monotonic(), 1)})
