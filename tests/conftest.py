"""Shared fixtures: `stack` gives the Settings of a running local stack (real servers)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from infra import stack as launcher
from infra.settings import Settings, load_settings


@pytest.fixture(scope="session")
def stack() -> Iterator[Settings]:
    """The running stack: the external one (WEATHER_STACK_EXTERNAL=1), else started here once.

    Only what this session started is stopped at its end; a stack that was already up stays up.
    """
    settings = load_settings()
    if os.environ.get("WEATHER_STACK_EXTERNAL") == "1":
        services = launcher.status(settings)["services"]
        down = [name for name, info in services.items() if not info["healthy"]]
        if down:
            pytest.fail(f"WEATHER_STACK_EXTERNAL=1 but not healthy: {', '.join(down)}")
        yield settings
        return
    started = launcher.up(settings)
    try:
        yield settings
    finally:
        if started:
            launcher.down(settings, started)
