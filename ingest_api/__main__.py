"""`python -m ingest_api`: serve the API with uvicorn on settings.api_port."""

from __future__ import annotations

import uvicorn

from infra.settings import load_settings


def main() -> None:
    settings = load_settings()
    uvicorn.run(
        "ingest_api.app:create_app", factory=True, host=settings.host, port=settings.api_port,
        log_level="info", access_log=False, timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
