"""The Starlette application factory (`uvicorn --factory ingest_api.app:create_app`)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware

from ingest_api.bootstrap import lifespan
from ingest_api.errors import EXCEPTION_HANDLERS
from ingest_api.metrics import MetricsMiddleware
from ingest_api.routes import api_routes
from ingest_api.web import web_routes


def create_app() -> Starlette:
    return Starlette(
        routes=[*api_routes, *web_routes],
        lifespan=lifespan,
        middleware=[Middleware(MetricsMiddleware)],
        exception_handlers=EXCEPTION_HANDLERS,
    )
