"""The OpenAPI description of the HTTP API, served at /openapi.json."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from schemas.export import json_schemas

_ERROR = {"$ref": "#/components/schemas/Error"}
_JOB_ID = {"name": "job_id", "in": "path", "required": True,
           "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
           "description": "SHA-256 of the file's bytes"}


def _json(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": schema or {"type": "object"}}}}


def openapi_document() -> dict[str, Any]:
    err = _json("error", _ERROR)
    return {
        "openapi": "3.1.0",
        "info": {"title": "weather-pipeline ingest API", "version": "1"},
        "paths": {
            "/api/v1/upload/": {"post": {
                "summary": "Upload a .csv/.txt, .xlsx or .xls file for analysis",
                "requestBody": {"required": True, "content": {"multipart/form-data": {
                    "schema": {"type": "object", "required": ["file"], "properties": {
                        "file": {"type": "string", "format": "binary"}}}}}},
                "responses": {
                    "200": _json("already analysed: {job_id, status, from_cache, results}"),
                    "202": _json("accepted: {job_id, celery_id, status: PENDING}"),
                    "400": err, "413": err, "415": err, "503": err}}},
            "/api/v1/status/{job_id}/": {"get": {
                "summary": "The job's state, waiting up to `wait` seconds for it to finish",
                "parameters": [_JOB_ID, {"name": "wait", "in": "query", "schema": {
                    "type": "number", "minimum": 0, "maximum": 300, "default": 30}}],
                "responses": {"200": _json("finished (SUCCESS with results, or FAILURE)"),
                              "202": _json("still running at the deadline"),
                              "404": err}}},
            "/api/v1/job-statuses/": {"get": {
                "summary": "Recent jobs, newest first",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer",
                                                                "minimum": 1, "maximum": 200}},
                    {"name": "status", "in": "query", "schema": {"enum": [
                        "PENDING", "QUEUED", "RUNNING", "SUCCESS", "FAILURE"]}},
                    {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": _json("{jobs, next_cursor}"), "422": err}}},
            "/api/v1/delete/{job_id}/": {"delete": {
                "summary": "Delete the file, its job, results and cache entry",
                "parameters": [_JOB_ID],
                "responses": {"200": _json("{job_id, deleted}"), "404": err}}},
            "/healthz": {"get": {"responses": {"200": _json("alive")}}},
            "/readyz": {"get": {"responses": {"200": _json("ready"), "503": _json("not ready")}}},
            "/metrics": {"get": {"responses": {"200": {"description": "Prometheus text"}}}},
        },
        "components": {"schemas": {
            "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                "code": {"type": "string"}, "message": {"type": "string"}}}}},
            **{name.replace(".", "_"): schema for name, schema in json_schemas().items()},
        }},
    }


async def openapi_endpoint(request: Request) -> JSONResponse:
    return JSONResponse(openapi_document())
