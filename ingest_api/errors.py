"""The API's error hierarchy and the one table that renders every error as JSON."""

from __future__ import annotations

import logging

from aiokafka.errors import KafkaError
from botocore.exceptions import BotoCoreError, ClientError
from redis.exceptions import RedisError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from infra.adapters.kafka import PublishError

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error with a stable code, rendered as `{"error": {"code", "message"}}`."""

    status = 400
    code = "BAD_REQUEST"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class NotFound(ApiError):
    status, code = 404, "NOT_FOUND"


class PayloadTooLarge(ApiError):
    status, code = 413, "FILE_TOO_LARGE"


class UnsupportedFileType(ApiError):
    status, code = 415, "UNSUPPORTED_FILE_TYPE"


class ServiceUnavailable(ApiError):
    status, code = 503, "SERVICE_UNAVAILABLE"


_HTTP_CODES = {
    400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
    413: "FILE_TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE", 422: "INVALID_REQUEST",
}


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "HTTP_ERROR")
    return error_response(exc.status_code, code, str(exc.detail))


async def dependency_error(request: Request, exc: Exception) -> Response:
    log.warning("dependency failed on %s %s: %r", request.method, request.url.path, exc)
    return error_response(503, "SERVICE_UNAVAILABLE", "a backing service is unavailable; retry")


async def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, "INTERNAL_ERROR", "internal error")


EXCEPTION_HANDLERS = {
    ApiError: api_error,
    HTTPException: http_error,
    PublishError: dependency_error,
    KafkaError: dependency_error,
    ClientError: dependency_error,
    BotoCoreError: dependency_error,
    RedisError: dependency_error,
    OSError: dependency_error,
    Exception: unexpected_error,
}
