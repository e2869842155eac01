"""Kafka adapter: an idempotent producer (async, and a blocking one for Celery) and a topic
reader for replays (topics are created by `infra.provision`)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError

from infra.settings import Settings

T = TypeVar("T")


class PublishError(RuntimeError):
    """The event could not be written to Kafka (the broker is unreachable or refused it)."""


class EventProducer:
    """acks=all and idempotence: an event the broker acknowledged is written exactly once."""

    def __init__(self, settings: Settings, *, timeout_s: float = 10.0) -> None:
        self._producer = AIOKafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            acks="all",
            enable_idempotence=True,
            linger_ms=0,
            request_timeout_ms=int(timeout_s * 1000),
            client_id="weather-producer",
        )
        self._timeout_s = timeout_s

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, settings: Settings) -> AsyncIterator[EventProducer]:
        producer = cls(settings)
        await producer.start()
        try:
            yield producer
        finally:
            await producer.stop()

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    async def send(self, topic: str, key: str | None, value: bytes) -> None:
        try:
            await asyncio.wait_for(
                self._producer.send_and_wait(
                    topic, value=value, key=key.encode() if key is not None else None
                ),
                self._timeout_s,
            )
        except (KafkaError, TimeoutError) as exc:
            raise PublishError(f"could not publish to {topic}: {exc!r}") from exc

    async def ping(self) -> None:
        """Fails unless the broker answers a metadata request now."""
        try:
            await asyncio.wait_for(self._producer.client.force_metadata_update(), 3.0)
        except (KafkaError, TimeoutError) as exc:
            raise PublishError(f"broker unreachable: {exc!r}") from exc
        if not self._producer.client.cluster.brokers():
            raise PublishError("broker unreachable: no brokers in metadata")


class BlockingProducer:
    """For synchronous callers (Celery): the async producer on a private loop in a thread."""

    def __init__(self, settings: Settings) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name="kafka-producer-loop")
        self._thread.start()
        self._producer = self.run(self._make(settings))
        self.run(self._producer.start())

    @staticmethod
    async def _make(settings: Settings) -> EventProducer:
        return EventProducer(settings)  # built inside the loop that will run it

    def run(self, coro: Awaitable[T], timeout: float = 30.0) -> T:
        async def wrapped() -> T:
            return await coro
        return asyncio.run_coroutine_threadsafe(wrapped(), self._loop).result(timeout)

    def send(self, topic: str, key: str | None, value: bytes) -> None:
        self.run(self._producer.send(topic, key, value))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.run(self._producer.stop(), timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes | None


async def read_topic(
    settings: Settings, topic: str, *, since_ms: int | None = None
) -> AsyncIterator[Record]:
    """Every record of `topic` (from `since_ms` on) up to the end offsets seen at the start."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False,
        group_id=None, auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        starts: dict[TopicPartition, int] = await consumer.beginning_offsets(tps)
        if since_ms is not None:
            found = await consumer.offsets_for_times({tp: since_ms for tp in tps})
            starts = {tp: (found[tp].offset if found[tp] else ends[tp]) for tp in tps}
        remaining = {tp for tp in tps if starts[tp] < ends[tp]}
        for tp in tps:
            consumer.seek(tp, starts[tp])
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=1000, max_records=500)
            for tp, messages in batch.items():
                for m in messages:
                    if m.offset >= ends[tp]:
                        remaining.discard(tp)
                        break
                    yield Record(m.topic, m.partition, m.offset, m.timestamp, m.key, m.value)
                    if m.offset + 1 >= ends[tp]:
                        remaining.discard(tp)
    finally:
        await consumer.stop()
