"""Liveness (`/healthz`) and readiness (`/readyz`: every dependency answers now)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse

from ingest_api.bootstrap import Services

STALE_HEARTBEAT_S = 60.0


async def healthz(request: Request) -> JSONResponse:
    svc: Services = request.state.services
    return JSONResponse({"status": "ok", "max_upload_bytes": svc.settings.max_upload_bytes})


async def _check(probe: Callable[[], Awaitable[None]]) -> str:
    try:
        await asyncio.wait_for(probe(), 3.0)
    except Exception as exc:
        return f"error: {type(exc).__name__}: {exc}"[:300]
    return "ok"


async def readyz(request: Request) -> JSONResponse:
    svc: Services = request.state.services

    async def hub() -> None:
        if not svc.hub.healthy:
            raise RuntimeError("completion feed not subscribed")

    names = ["s3", "dynamodb", "redis", "kafka", "completion_feed"]
    results = await asyncio.gather(
        _check(svc.store.ping), _check(svc.jobs.ping), _check(svc.cache.ping),
        _check(svc.producer.ping), _check(hub),
    )
    checks = dict(zip(names, results, strict=True))
    stages: dict[str, object] = {}
    try:
        now = time.time()
        for agent, beat in (await svc.cache.heartbeats()).items():
            stages[agent] = {**beat, "age_s": round(now - float(beat.get("beat_at", 0)), 1)}
    except Exception as exc:
        stages = {"error": repr(exc)}
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse({"ready": ok, "checks": checks, "stages": stages},
                        status_code=200 if ok else 503)
