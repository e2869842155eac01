"""Thin HTTP handlers: parse the request, call a use case in `jobs`, render its outcome."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ingest_api import health, jobs, metrics
from ingest_api.bootstrap import Services
from ingest_api.errors import ApiError, NotFound
from ingest_api.openapi import openapi_endpoint
from ingest_api.upload import receive_upload
from schemas.status import JobStatus

_JOB_ID = re.compile(r"^[0-9a-f]{64}$")


def _render(outcome: jobs.Outcome) -> Response:
    if outcome.raw is not None:
        return Response(outcome.raw, status_code=outcome.status, media_type="application/json")
    return JSONResponse(outcome.body, status_code=outcome.status)


def _job_id(request: Request) -> str:
    job_id = str(request.path_params["job_id"]).lower()
    if not _JOB_ID.match(job_id):
        raise NotFound(f"no job {job_id}")
    return job_id


def _number(request: Request, name: str, default: float, low: float, high: float) -> float:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ApiError(f"{name} must be a number", code="INVALID_REQUEST", status=422) from None
    if not low <= value <= high:
        raise ApiError(f"{name} must be between {low:g} and {high:g}", code="INVALID_REQUEST",
                       status=422)
    return value


async def upload(request: Request) -> Response:
    svc: Services = request.state.services
    received = await receive_upload(request, svc.store, svc.settings.max_upload_bytes)
    return _render(await jobs.submit_upload(svc, received))


async def status(request: Request) -> Response:
    wait = _number(request, "wait", 30.0, 0.0, jobs.MAX_WAIT_S)
    return _render(await jobs.job_status(request.state.services, _job_id(request), wait))


async def job_statuses(request: Request) -> Response:
    limit = int(_number(request, "limit", 20, 1, 200))
    wanted = request.query_params.get("status")
    if wanted is not None and wanted.upper() not in JobStatus.__members__:
        raise ApiError(f"status must be one of {', '.join(JobStatus)}", code="INVALID_REQUEST",
                       status=422)
    cursor = request.query_params.get("cursor") or None
    try:
        outcome = await jobs.list_jobs(request.state.services, limit,
                                       wanted.upper() if wanted else None, cursor)
    except ValueError as exc:
        raise ApiError(str(exc), code="INVALID_CURSOR", status=422) from None
    return _render(outcome)


async def delete(request: Request) -> Response:
    return _render(await jobs.delete_job(request.state.services, _job_id(request)))


api_routes: list[BaseRoute] = [
    Route("/api/v1/upload/", upload, methods=["POST"]),
    Route("/api/v1/status/{job_id}/", status, methods=["GET"]),
    Route("/api/v1/job-statuses/", job_statuses, methods=["GET"]),
    Route("/api/v1/delete/{job_id}/", delete, methods=["DELETE"]),
    Route("/healthz", health.healthz, methods=["GET"]),
    Route("/readyz", health.readyz, methods=["GET"]),
    Route("/metrics", metrics.metrics_endpoint, methods=["GET"]),
    Route("/openapi.json", openapi_endpoint, methods=["GET"]),
]
