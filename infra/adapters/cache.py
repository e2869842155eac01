"""Redis adapter: the result cache, tombstones, agent heartbeats, and completion pub/sub."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import orjson
import redis.asyncio as aioredis

from infra.settings import Settings

log = logging.getLogger(__name__)

RESULT_TTL_S = 24 * 3600
COMPLETIONS_CHANNEL = "weather:job-completions"
TOMBSTONES = "weather:tombstones"
HEARTBEATS = "weather:agents"


def result_key(job_id: str) -> str:
    return f"analysis_result_{job_id}"


class ResultCache:
    """Result documents (24 h), tombstones of deleted jobs, and agent heartbeats."""

    def __init__(self, client: Any) -> None:  # redis.asyncio.Redis (stubs lag redis 8)
        self._redis = client

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, settings: Settings) -> AsyncIterator[ResultCache]:
        client: Any = aioredis.Redis.from_url(
            settings.redis_url, socket_connect_timeout=3, socket_timeout=10,
            health_check_interval=30, max_connections=256,
        )
        try:
            yield cls(client)
        finally:
            await client.aclose()

    async def get_result(self, job_id: str) -> dict[str, Any] | None:
        raw = await self._redis.get(result_key(job_id))
        return orjson.loads(raw) if raw else None

    async def get_result_raw(self, job_id: str) -> bytes | None:
        """The cached document's JSON as stored, so a cache hit need not re-encode it."""
        raw: bytes | None = await self._redis.get(result_key(job_id))
        return raw

    async def set_result(self, job_id: str, result: dict[str, Any]) -> None:
        await self._redis.set(result_key(job_id), orjson.dumps(result), ex=RESULT_TTL_S)

    async def delete_result(self, job_id: str) -> None:
        await self._redis.delete(result_key(job_id))

    async def add_tombstone(self, job_id: str, deleted_at: str) -> None:
        await self._redis.hset(TOMBSTONES, job_id, deleted_at)

    async def tombstone(self, job_id: str) -> str | None:
        raw = await self._redis.hget(TOMBSTONES, job_id)
        return raw.decode() if raw else None

    async def clear_tombstone(self, job_id: str) -> None:
        await self._redis.hdel(TOMBSTONES, job_id)

    async def publish_completion(self, job_id: str, status: str) -> None:
        await self._redis.publish(COMPLETIONS_CHANNEL, f"{job_id} {status}")

    async def write_heartbeat(self, agent: str, state: dict[str, Any]) -> None:
        await self._redis.hset(HEARTBEATS, agent, orjson.dumps(state))

    async def forget_heartbeat(self, agent: str) -> None:
        await self._redis.hdel(HEARTBEATS, agent)

    async def heartbeats(self) -> dict[str, dict[str, Any]]:
        raw = await self._redis.hgetall(HEARTBEATS)
        return {k.decode(): orjson.loads(v) for k, v in raw.items()}

    async def flush_results(self) -> int:
        """Drop every cached result (a projection rebuild starts from empty)."""
        count = 0
        async for key in self._redis.scan_iter(match=result_key("*"), count=1000):
            count += await self._redis.delete(key)
        return count

    async def ping(self) -> None:
        await self._redis.ping()


class CompletionHub:
    """One pub/sub subscription per process, fanned out to waiting requests by job id.

    A waiter registers before it reads the job's state, so a completion published between
    the read and the wait still wakes it. When the subscription is lost, every waiter is
    woken so it re-reads the state instead of sleeping through a missed event.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._waiters: dict[str, set[asyncio.Future[str]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    @property
    def waiting(self) -> int:
        return sum(len(s) for s in self._waiters.values())

    @property
    def healthy(self) -> bool:
        return self._subscribed.is_set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="completion-hub")
        async with asyncio.timeout(10.0):
            await self._subscribed.wait()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._wake_all()

    @contextlib.contextmanager
    def waiter(self, job_id: str) -> Iterator[asyncio.Future[str]]:
        """A future resolved with the status when `job_id` completes (or the feed restarts)."""
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(job_id, set()).add(future)
        try:
            yield future
        finally:
            waiting = self._waiters.get(job_id)
            if waiting is not None:
                waiting.discard(future)
                if not waiting:
                    del self._waiters[job_id]

    def _handle(self, data: object) -> None:
        """One message on the channel. A malformed one is logged and skipped: a stray publish
        must not end the listener, which would leave every waiter asleep until its deadline."""
        try:
            text = data.decode("utf-8") if isinstance(data, bytes) else str(data)
            job_id, _, status = text.partition(" ")
            self._resolve(job_id, status)
        except Exception:
            log.exception("ignoring a malformed completion message: %r", data)

    def _resolve(self, job_id: str, status: str) -> None:
        for future in self._waiters.get(job_id, ()):
            if not future.done():
                future.set_result(status)

    def _wake_all(self) -> None:
        for job_id in list(self._waiters):
            self._resolve(job_id, "")

    async def _listen(self) -> None:
        while True:
            client: Any = aioredis.Redis.from_url(
                self._settings.redis_url, socket_connect_timeout=3
            )
            pubsub: Any = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(COMPLETIONS_CHANNEL)
                self._subscribed.set()
                self._wake_all()  # anything published while we were away is re-read
                while True:
                    message = await pubsub.get_message(timeout=30.0)
                    if message is None:
                        continue
                    self._handle(message["data"])
            except Exception as exc:  # Redis or network errors, or anything unforeseen: reconnect
                log.warning("completion feed lost (%r); reconnecting", exc)
                self._subscribed.clear()
                self._wake_all()
                await asyncio.sleep(0.5)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                    await client.aclose()
