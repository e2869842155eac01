"""Kafka adapter: an idempotent producer and a topic reader for replays (topics are created
by `infra.provision`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError

from infra.settings import Settings


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
        metadata = await consumer._client.fetch_all_metadata()  # topics() leaves it unset
        partitions = metadata.partitions_for_topic(topic) or set()
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
