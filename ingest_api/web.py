"""The web page: static assets shipped inside the package, served at `/`."""

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).parent / "static"

# The page and its assets change with the package: browsers keep them but revalidate
# (ETag / Last-Modified answer 304), so an upgrade is seen on the next load.
REVALIDATE = "no-cache"

# Everything the page loads comes from this origin; it works offline.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'"
)


class RevalidatedStaticFiles(StaticFiles):
    """Static files that browsers revalidate before reuse."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = REVALIDATE
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


async def index(request: Request) -> FileResponse:
    return FileResponse(
        STATIC_DIR / "index.html",
        media_type="text/html; charset=utf-8",
        headers={
            "Cache-Control": REVALIDATE,
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


web_routes: list[BaseRoute] = [
    Route("/", index, methods=["GET"]),
    Mount("/static", app=RevalidatedStaticFiles(directory=STATIC_DIR), name="static"),
]
