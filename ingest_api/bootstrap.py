"""The API's composition root: every client is built here, in the lifespan, and closed on exit."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.applications import Starlette

from infra.adapters.cache import CompletionHub, ResultCache
from infra.adapters.jobs_table import JobsTable
from infra.adapters.kafka import EventProducer
from infra.adapters.s3 import ObjectStore
from infra.settings import Settings, load_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Services:
    """What request handlers use; reached through `request.state.services`."""

    settings: Settings
    store: ObjectStore
    jobs: JobsTable
    cache: ResultCache
    producer: EventProducer
    hub: CompletionHub


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Services]]:
    settings = load_settings()
    async with contextlib.AsyncExitStack() as stack:
        store = await stack.enter_async_context(ObjectStore.connect(settings))
        jobs = await stack.enter_async_context(JobsTable.connect(settings))
        cache = await stack.enter_async_context(ResultCache.connect(settings))
        await store.ensure_bucket()
        await jobs.ensure_tables()
        producer = await stack.enter_async_context(EventProducer.connect(settings))
        hub = CompletionHub(settings)
        await hub.start()
        stack.push_async_callback(hub.stop)
        log.info("ingest_api ready (bucket %s, broker %s)", store.bucket,
                 settings.kafka_bootstrap_servers)
        yield {"services": Services(settings, store, jobs, cache, producer, hub)}
