"""The project's own processes: the API (uvicorn), the Faust worker and the Celery worker."""

from __future__ import annotations

import asyncio
import sys

from celery import Celery

from infra import probes
from infra.process import APP, Probe, Service
from infra.services import log_path, state_dir
from infra.settings import Settings


def api(settings: Settings) -> Service:
    return Service(
        name="api",
        argv=[sys.executable, "-m", "uvicorn", "ingest_api.app:create_app", "--factory",
              "--host", settings.host, "--port", str(settings.api_port),
              "--no-access-log", "--timeout-graceful-shutdown", "5"],
        probe=probes.http_ok(f"{settings.api_url}/healthz"),
        log=log_path(settings, "api"),
        order=APP,
        ports={"API_PORT": settings.api_port},
        marker=f"ingest_api.app:create_app --factory --host {settings.host} "
               f"--port {settings.api_port}",
    )


def faust_worker(settings: Settings) -> Service:
    datadir = state_dir(settings, "faust")
    return Service(
        name="faust",
        argv=[sys.executable, "-m", "faust", "-A", "stages.faust_app", "--datadir", str(datadir),
              "worker", "-l", "info", "--web-port", str(settings.stages_web_port),
              "--web-host", settings.host],
        probe=probes.http_ok(f"http://{settings.host}:{settings.stages_web_port}/readyz"),
        log=log_path(settings, "faust"),
        order=APP,
        ports={"STAGES_WEB_PORT": settings.stages_web_port},
        marker=f"--datadir {datadir}",
    )


def _celery_ping(settings: Settings) -> Probe:
    """A worker answers a broadcast ping over the broker (it consumes and can run tasks)."""

    async def probe() -> None:
        def ping() -> list[object]:
            client = Celery(broker=settings.celery_broker_url)
            try:
                return list(client.control.ping(timeout=1.0))
            finally:
                client.close()

        if not await asyncio.to_thread(ping):
            raise RuntimeError("no Celery worker answered a ping")

    return probe


def celery_worker(settings: Settings) -> Service:
    node = f"analysis-{settings.redis_port}@%h"
    return Service(
        name="celery",
        argv=[sys.executable, "-m", "celery", "-A", "stages.celery_app", "worker",
              "--pool", "prefork", "--concurrency", str(settings.celery_concurrency),
              "-l", "info", "-n", node, "-Q", "weather-analysis", "--without-gossip",
              "--without-mingle"],
        probe=_celery_ping(settings),
        log=log_path(settings, "celery"),
        order=APP,
        marker=f"-n {node}",
    )
