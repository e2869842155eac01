"""The local stack: which processes it runs, and `up` / `down` / `status` / `run` over them.

Adding a process is a one-place change: write a factory `(settings) -> Service` (see
`infra/process.py` for the fields; the servers live in `infra/services/<name>.py`, the
project's own processes in `infra/services/app.py`) and append it to `SERVICES` below.
Everything else follows from the entry: `up` starts entries by `order` (entries with the same
order start together; provisioning runs once the INFRA group is ready, before any APP entry
starts), waits for each `probe` with a deadline, `down` stops them in reverse order, and
`status [--json]` reports every entry. The API entry, for example:

    def api(settings: Settings) -> Service:
        return Service(
            name="api",
            argv=[sys.executable, "-m", "uvicorn", "ingest_api.app:create_app", "--factory",
                  "--host", settings.host, "--port", str(settings.api_port)],
            probe=probes.http_ok(f"{settings.api_url}/healthz"),
            log=log_path(settings, "api"),
            order=APP,
            ports={"API_PORT": settings.api_port},  # checked free before it starts
            marker=f"--port {settings.api_port}",   # tells our process from a reused pid
        )
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import shutil
import signal
import time
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from types import FrameType
from typing import Any

from infra import provision
from infra.process import INFRA, Service, StartError, Supervisor, port_in_use, tail
from infra.services import app, dynamodb, kafka, redis, s3, stack_dir
from infra.settings import Settings, settings_env

SERVICES: tuple[Callable[[Settings], Service], ...] = (
    kafka.service,
    dynamodb.service,
    s3.service,
    redis.service,
    app.api,
    app.faust_worker,
    app.celery_worker,
)
INFRA_NAMES = ("kafka", "dynamodb", "s3", "redis")
PROBE_TIMEOUT = 5.0

Say = Callable[[str], None]


def _print(line: str) -> None:
    print(line, flush=True)


def services(settings: Settings, names: Collection[str] | None = None) -> list[Service]:
    """The stack's entries in start order (all of them, or those named)."""
    entries = [factory(settings) for factory in SERVICES]
    if names is not None:
        unknown = set(names) - {entry.name for entry in entries}
        if unknown:
            raise StartError(f"unknown service(s): {', '.join(sorted(unknown))}")
        entries = [entry for entry in entries if entry.name in names]
    return sorted(entries, key=lambda entry: entry.order)


@contextlib.contextmanager
def _locked(settings: Settings) -> Iterator[Supervisor]:
    """One `up`/`down` at a time per state folder."""
    supervisor = Supervisor(stack_dir(settings))
    supervisor.run_dir.mkdir(parents=True, exist_ok=True)
    with (supervisor.run_dir / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield supervisor


def up(
    settings: Settings, names: Collection[str] | None = None, say: Say = _print
) -> list[str]:
    """Starts what is not running yet, waits until ready, provisions; returns what it started."""
    entries = services(settings, names)
    with _locked(settings) as supervisor:
        started: list[str] = []
        try:
            asyncio.run(_up(settings, supervisor, entries, started, say))
        except BaseException:
            for entry in reversed(entries):
                if entry.name in started:
                    supervisor.stop(entry.name, entry.stop_timeout)
            raise
        return started


async def _up(
    settings: Settings,
    supervisor: Supervisor,
    entries: list[Service],
    started: list[str],
    say: Say,
) -> None:
    begin = time.monotonic()
    for order in sorted({entry.order for entry in entries}):
        group = [entry for entry in entries if entry.order == order]
        results = await asyncio.gather(
            *(_ensure(settings, supervisor, entry, started, say) for entry in group),
            return_exceptions=True,
        )
        errors = [result for result in results if isinstance(result, BaseException)]
        if errors:
            raise StartError("\n\n".join(str(error) for error in errors))
        if order == INFRA:
            t0 = time.monotonic()
            parts = {entry.name for entry in group}
            created = await provision.provision(settings, parts)
            what = ", ".join(created) if created else "nothing new"
            say(f"{'provision':<10} {what} ({time.monotonic() - t0:.1f} s)")
    say(f"stack ready in {time.monotonic() - begin:.1f} s (state: {stack_dir(settings)})")


async def _ensure(
    settings: Settings, supervisor: Supervisor, entry: Service, started: list[str], say: Say
) -> None:
    t0 = time.monotonic()
    pid = supervisor.pid(entry.name)
    if pid is not None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(entry.probe(), PROBE_TIMEOUT)
            say(f"{entry.name:<10} already running (pid {pid})")
            return
    else:
        busy = [f"{key}={port}" for key, port in entry.ports.items()
                if port_in_use(settings.host, port)]
        if busy:
            raise StartError(
                f"{entry.name}: port already in use by another process: {', '.join(busy)} "
                f"(stop it, or choose another port with that setting)"
            )
        if entry.prepare is not None:
            try:
                await asyncio.to_thread(entry.prepare)
            except Exception as exc:
                raise StartError(f"{entry.name}: preparing failed: {exc}") from exc
        pid = supervisor.start(entry, settings_env(settings))
        started.append(entry.name)
        say(f"{entry.name:<10} starting (pid {pid}, log {entry.log})")
    await _wait_ready(settings, supervisor, entry, pid)
    say(f"{entry.name:<10} ready in {time.monotonic() - t0:.1f} s (pid {pid})")


async def _wait_ready(
    settings: Settings, supervisor: Supervisor, entry: Service, pid: int
) -> None:
    deadline = time.monotonic() + settings.stack_start_timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        code = supervisor.exited(pid)
        if code is not None:
            raise StartError(_failure(entry, f"exited with code {code} while starting"))
        try:
            await asyncio.wait_for(entry.probe(), PROBE_TIMEOUT)
            return
        except Exception as exc:
            last = exc
        await asyncio.sleep(0.25)
    reason = f"not ready after {settings.stack_start_timeout:.0f} s: {type(last).__name__}: {last}"
    raise StartError(_failure(entry, reason))


def _failure(entry: Service, reason: str) -> str:
    return f"{entry.name}: {reason}\nlog: {entry.log}\n--- last lines ---\n{tail(entry.log)}"


def down(
    settings: Settings,
    names: Collection[str] | None = None,
    clean: bool = False,
    say: Say = _print,
) -> list[str]:
    """Stops what `up` started (all, or those named), latest order first; returns their names.

    Entries of one order stop together (e.g. Kafka's controlled shutdown overlaps the others).
    """
    known = {entry.name: entry for entry in services(settings)}
    unknown_order = 10**6  # entries from another checkout: stop them first
    with _locked(settings) as supervisor:
        recorded = [name for name in supervisor.recorded() if names is None or name in names]
        orders = {name: known[name].order if name in known else unknown_order
                  for name in recorded}
        stopped: list[str] = []
        for order in sorted(set(orders.values()), reverse=True):
            group = [name for name in recorded if orders[name] == order]
            with ThreadPoolExecutor(max_workers=max(1, len(group))) as pool:
                pids = pool.map(
                    lambda name: supervisor.stop(
                        name, known[name].stop_timeout if name in known else 20.0
                    ),
                    group,
                )
                for name, pid in zip(group, pids, strict=True):
                    if pid is not None:
                        say(f"{name:<10} stopped (pid {pid})")
                        stopped.append(name)
    if clean:
        shutil.rmtree(stack_dir(settings), ignore_errors=True)
        say(f"removed {stack_dir(settings)}")
    return stopped


def status(settings: Settings) -> dict[str, Any]:
    """The contract's status document: endpoints, credentials, and every entry's health."""
    return asyncio.run(status_async(settings))


async def status_async(settings: Settings) -> dict[str, Any]:
    """`status` for callers already inside an event loop."""
    supervisor = Supervisor(stack_dir(settings))
    entries = services(settings)
    healthy = await _probe_all(entries)
    return {
        "endpoints": {
            "api": settings.api_url,
            "kafka": settings.kafka_bootstrap_servers,
            "redis": settings.redis_url,
            "s3": settings.s3_endpoint_url,
            "dynamodb": settings.dynamodb_endpoint_url,
        },
        "bucket": settings.s3_bucket_name,
        "region": settings.aws_region,
        "aws_access_key_id": settings.aws_access_key_id,
        "aws_secret_access_key": settings.aws_secret_access_key,
        "services": {
            entry.name: {
                "healthy": ok,
                "pid": supervisor.pid(entry.name),
                "log": str(entry.log),
            }
            for entry, ok in zip(entries, healthy, strict=True)
        },
    }


async def _probe_all(entries: list[Service]) -> list[bool]:
    async def one(entry: Service) -> bool:
        try:
            await asyncio.wait_for(entry.probe(), PROBE_TIMEOUT)
            return True
        except Exception:
            return False

    return list(await asyncio.gather(*(one(entry) for entry in entries)))


class _Stop(Exception):
    """SIGTERM arrived while `run` was in the foreground."""


def run(settings: Settings, names: Collection[str] | None = None, say: Say = _print) -> int:
    """`up` in the foreground, then block; Ctrl-C or SIGTERM stops everything."""

    def on_term(signum: int, frame: FrameType | None) -> None:
        raise _Stop

    previous = signal.signal(signal.SIGTERM, on_term)
    code = 0
    try:
        up(settings, names, say)
        say(f"stack is running: web page and API at {settings.api_url}/ ; Ctrl-C stops it")
        supervisor = Supervisor(stack_dir(settings))
        entries = services(settings, names)
        while True:
            time.sleep(1.0)
            dead = [entry for entry in entries if supervisor.pid(entry.name) is None]
            if dead:
                for entry in dead:
                    say(_failure(entry, "stopped unexpectedly"))
                code = 1
                break
    except (KeyboardInterrupt, _Stop):
        say("stopping")
    finally:
        down(settings, names, say=say)
        signal.signal(signal.SIGTERM, previous)
    return code
