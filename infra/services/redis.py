"""Redis: Debian's redis-server with a generated config (append-only file in the state dir)."""

from __future__ import annotations

import shutil

from infra import probes, runtimes
from infra.process import Service
from infra.services import log_path, state_dir
from infra.settings import Settings


def config(settings: Settings, data: str) -> str:
    return "\n".join(
        [
            f"port {settings.redis_port}",
            f"bind {settings.redis_host}",
            "protected-mode yes",
            "daemonize no",
            f"dir {data}",
            "appendonly yes",
            "appendfsync everysec",
            "save 60 1000",
            "logfile \"\"",
            # Keep argv as started so the launcher can recognise its own process.
            "set-proc-title no",
            "",
        ]
    )


def service(settings: Settings) -> Service:
    home = state_dir(settings, "redis")
    conf = home / "redis.conf"

    def prepare() -> None:
        runtimes.require("redis-server")
        (home / "data").mkdir(parents=True, exist_ok=True)
        conf.write_text(config(settings, str(home / "data")))

    return Service(
        name="redis",
        argv=[shutil.which("redis-server") or "redis-server", str(conf)],
        probe=probes.redis_ping(settings),
        log=log_path(settings, "redis"),
        ports={"REDIS_PORT": settings.redis_port},
        prepare=prepare,
        marker=str(conf),
    )
