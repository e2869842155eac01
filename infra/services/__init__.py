"""One module per process of the stack; each exposes `service(settings) -> Service`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from infra.settings import Settings


def stack_dir(settings: Settings) -> Path:
    return settings.stack_dir.expanduser().resolve()


def cache_dir(settings: Settings) -> Path:
    return settings.cache_dir.expanduser().resolve()


def state_dir(settings: Settings, name: str) -> Path:
    """Config and data of one service: `<stack_dir>/<name>/`."""
    return stack_dir(settings) / name


def log_path(settings: Settings, name: str) -> Path:
    return stack_dir(settings) / "logs" / f"{name}.log"


def java() -> str:
    """The machine's java (JAVA_HOME first); `runtimes.require("java")` installs it if missing."""
    home = os.environ.get("JAVA_HOME")
    if home and Path(home, "bin", "java").is_file():
        return str(Path(home, "bin", "java"))
    return shutil.which("java") or "java"
