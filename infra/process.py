"""Declarative process entries and the supervisor that starts, finds and stops them.

A `Service` says everything the launcher needs about one process; the supervisor keeps a
JSON pid file per process (pid + a cmdline marker) so `down` signals only what `up` started.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

Probe = Callable[[], Awaitable[None]]
"""Raises while the service is not ready; returns once it answers its protocol."""

INFRA = 0
"""Start order of the servers; provisioning runs once every INFRA entry is ready."""
APP = 10
"""Start order of the project's own processes (API, Faust worker, Celery worker)."""


@dataclass(frozen=True)
class Service:
    """One process of the stack: how to start it, how to know it is ready, where it logs."""

    name: str
    argv: Sequence[str]
    probe: Probe
    log: Path
    order: int = INFRA
    env: Mapping[str, str] = field(default_factory=dict)
    # Setting name -> port; each must be free before the process starts.
    ports: Mapping[str, int] = field(default_factory=dict)
    # Runs before the first start (fetch runtimes, write config); may take a while.
    prepare: Callable[[], None] | None = None
    # A cmdline substring unique to this stack (e.g. its config path); default: the argv.
    marker: str = ""
    cwd: Path | None = None
    stop_timeout: float = 20.0

    @property
    def cmdline_marker(self) -> str:
        return self.marker or " ".join(self.argv)


class StartError(RuntimeError):
    """A service could not be started or did not become ready."""


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


# Popen objects of the children this process started, kept so they are reaped, not leaked.
_children: dict[int, subprocess.Popen[bytes]] = {}


class Supervisor:
    """Starts and stops entries, recording each in `<stack_dir>/run/<name>.pid`."""

    def __init__(self, stack_dir: Path) -> None:
        self.run_dir = stack_dir / "run"

    def pid_file(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"

    def recorded(self) -> list[str]:
        """Names of every entry with a pid file, whether or not it is still running."""
        return sorted(p.stem for p in self.run_dir.glob("*.pid"))

    def pid(self, name: str) -> int | None:
        """The pid of the running process `up` started for `name`, or None."""
        try:
            record = json.loads(self.pid_file(name).read_text())
            pid, marker = int(record["pid"]), str(record["marker"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return pid if _is_ours(pid, marker) else None

    def start(self, service: Service, env: Mapping[str, str] | None = None) -> int:
        """Starts `service` with os.environ + `env` (e.g. the stack's settings) + its own env."""
        service.log.parent.mkdir(parents=True, exist_ok=True)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with service.log.open("ab") as log:
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
            log.write(f"\n=== {stamp} starting: {' '.join(service.argv)}\n".encode())
            log.flush()
            proc = subprocess.Popen(
                list(service.argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=service.cwd,
                env={**os.environ, **(env or {}), **service.env},
                start_new_session=True,  # own process group: stop signals the whole tree
            )
        _children[proc.pid] = proc
        record = {"pid": proc.pid, "marker": service.cmdline_marker, "argv": list(service.argv)}
        self.pid_file(service.name).write_text(json.dumps(record) + "\n")
        return proc.pid

    def exited(self, pid: int) -> int | None:
        """The exit code if `pid` (started here) has exited, else None."""
        proc = _children.get(pid)
        if proc is not None:
            return proc.poll()
        return None if _alive(pid) else -1

    def stop(self, name: str, timeout: float = 20.0) -> int | None:
        """SIGTERM the process group, SIGKILL after `timeout`; returns the pid it stopped."""
        pid = self.pid(name)
        if pid is not None:
            _signal_group(pid, signal.SIGTERM)
            if not _wait_gone(pid, timeout):
                _signal_group(pid, signal.SIGKILL)
                _wait_gone(pid, 5.0)
        self.pid_file(name).unlink(missing_ok=True)
        return pid


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _is_ours(pid: int, marker: str) -> bool:
    """True if `pid` runs and its command line still carries our marker (no pid reuse)."""
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        return marker in " ".join(proc.cmdline())
    except psutil.Error:
        return False


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)  # started with start_new_session, so pgid == pid
    except ProcessLookupError:
        pass
    except PermissionError:
        os.kill(pid, sig)


def _wait_gone(pid: int, timeout: float) -> bool:
    proc = _children.pop(pid, None)
    if proc is not None:
        try:
            proc.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            _children[pid] = proc
            return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return not _alive(pid)
