"""The clients the Faust agents use, built when the worker starts and closed when it stops."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from infra.adapters.cache import ResultCache
from infra.adapters.jobs_table import JobsTable
from infra.adapters.s3 import ObjectStore
from infra.settings import Settings


@dataclass(frozen=True)
class Resources:
    settings: Settings
    store: ObjectStore
    jobs: JobsTable
    cache: ResultCache


@contextlib.asynccontextmanager
async def open_resources(settings: Settings) -> AsyncIterator[Resources]:
    async with (
        ObjectStore.connect(settings) as store,
        JobsTable.connect(settings) as jobs,
        ResultCache.connect(settings) as cache,
    ):
        yield Resources(settings, store, jobs, cache)
