"""DynamoDB API: dynalite (npm, MIT), a Node.js server storing tables in LevelDB on disk."""

from __future__ import annotations

import shutil

from infra import probes, runtimes
from infra.process import Service
from infra.services import cache_dir, log_path, state_dir
from infra.settings import Settings

PACKAGE_DIR = runtimes.INFRA_DIR / "dynalite"
VERSION = runtimes.npm_version(PACKAGE_DIR, "dynalite")


def service(settings: Settings) -> Service:
    modules = cache_dir(settings) / f"dynalite-{VERSION}"
    data = state_dir(settings, "dynamodb") / "data"
    cli = modules / "node_modules" / "dynalite" / "cli.js"

    def prepare() -> None:
        runtimes.npm_packages(PACKAGE_DIR, modules)
        data.mkdir(parents=True, exist_ok=True)

    return Service(
        name="dynamodb",
        argv=[shutil.which("node") or "node", str(cli), "--host", settings.host,
              "--port", str(settings.dynamodb_port), "--path", str(data),
              # Tables are ACTIVE at once (default: 500 ms in CREATING, like AWS).
              "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"],
        probe=probes.dynamodb_list_tables(settings),
        log=log_path(settings, "dynamodb"),
        ports={"DYNAMODB_PORT": settings.dynamodb_port},
        prepare=prepare,
        marker=f"--path {data}",
    )
