"""Readiness probes: each speaks its server's protocol and raises until it answers."""

from __future__ import annotations

import asyncio

import httpx
import redis.asyncio as aioredis
from aiokafka.admin import AIOKafkaAdminClient

from infra.clients import dynamodb_client, s3_client
from infra.process import Probe
from infra.settings import Settings

TIMEOUT = 3.0


def kafka_metadata(settings: Settings) -> Probe:
    """A metadata request that lists at least one broker."""

    async def probe() -> None:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            request_timeout_ms=int(TIMEOUT * 1000),
        )
        try:
            await asyncio.wait_for(admin.start(), TIMEOUT)
            cluster = await asyncio.wait_for(admin.describe_cluster(), TIMEOUT)
        finally:
            await admin.close()
        if not cluster.get("brokers") or cluster.get("controller_id", -1) < 0:
            raise RuntimeError(f"no broker or controller yet: {cluster}")

    return probe


def dynamodb_list_tables(settings: Settings) -> Probe:
    async def probe() -> None:
        client = dynamodb_client(settings, timeout=TIMEOUT)
        await asyncio.to_thread(client.list_tables, Limit=1)

    return probe


def s3_list_buckets(settings: Settings) -> Probe:
    async def probe() -> None:
        client = s3_client(settings, timeout=TIMEOUT)
        await asyncio.to_thread(client.list_buckets)

    return probe


def redis_ping(settings: Settings) -> Probe:
    async def probe() -> None:
        client = aioredis.Redis(
            host=settings.redis_host,
            port=settings.redis_port,
            socket_timeout=TIMEOUT,
            socket_connect_timeout=TIMEOUT,
        )
        try:
            if not await client.ping():
                raise RuntimeError("PING did not answer PONG")
        finally:
            await client.aclose()  # type: ignore[attr-defined]  # types-redis predates 5.0

    return probe


def http_ok(url: str) -> Probe:
    """GET `url` answers 200 (e.g. the API's /healthz)."""

    async def probe() -> None:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            response = await client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")

    return probe
