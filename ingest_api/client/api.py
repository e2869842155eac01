"""A small synchronous client of the HTTP API, with errors a command line can print."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ENV_API_URL = "WEATHER_API_URL"
CHUNK = 256 * 1024
CONTENT_TYPES = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
}

# Answers to the status request that are worth asking again (a few times, backing off).
TRANSIENT = frozenset({502, 503, 504})
RETRIES = 4

# Exit codes shared by the commands.
EXIT_OK = 0
EXIT_FAILED = 1  # an analysis failed, the API refused a file, or a job was not found
EXIT_USAGE = 2  # bad arguments, unreadable file, API unreachable or answering unexpectedly
EXIT_TIMEOUT = 3  # still running when --wait-timeout passed
EXIT_INTERRUPTED = 130


class ClientError(Exception):
    """A problem to report in one line, with the exit code it means."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: its status code and JSON body (a dict; {} when there was none)."""

    status: int
    body: dict[str, Any]

    @property
    def error(self) -> dict[str, str]:
        """The `{"code", "message"}` of an error answer, filled in when the body has none."""
        err = self.body.get("error")
        if isinstance(err, dict):
            return {"code": str(err.get("code") or f"HTTP_{self.status}"),
                    "message": str(err.get("message") or "")}
        if isinstance(err, str):
            return {"code": f"HTTP_{self.status}", "message": err}
        return {"code": f"HTTP_{self.status}", "message": f"unexpected HTTP {self.status} answer"}


def resolve_api_url(cli_value: str | None) -> str:
    """--api, else $WEATHER_API_URL, else the settings' API address (default port 8000)."""
    url = cli_value or os.environ.get(ENV_API_URL)
    if not url:
        from infra.settings import load_settings

        url = load_settings().api_url
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = "http://" + url
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ClientError(f"not an http(s) URL: {url!r}")
    return url


def content_type_for(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


def _quoted(filename: str) -> str:
    """A filename for a Content-Disposition header, escaped as browsers do."""
    cleaned = filename.replace("\r", " ").replace("\n", " ")
    return cleaned.replace("\\", "\\\\").replace('"', "%22")


@dataclass(frozen=True)
class MultipartFile:
    """A one-field multipart/form-data body streamed from a file, with its exact length."""

    path: Path
    field: str = "file"
    boundary: str = ""

    def __post_init__(self) -> None:
        if not self.boundary:
            object.__setattr__(self, "boundary", "weather-" + uuid.uuid4().hex)

    @property
    def head(self) -> bytes:
        return (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="{self.field}"; '
            f'filename="{_quoted(self.path.name)}"\r\n'
            f"Content-Type: {content_type_for(self.path)}\r\n\r\n"
        ).encode()

    @property
    def tail(self) -> bytes:
        return f"\r\n--{self.boundary}--\r\n".encode()

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def length(self, size: int) -> int:
        return len(self.head) + size + len(self.tail)

    def stream(self, on_progress: Callable[[int], None]) -> Iterator[bytes]:
        """Yield the body; `on_progress` gets the file bytes sent so far."""
        yield self.head
        sent = 0
        with self.path.open("rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk
                sent += len(chunk)
                on_progress(sent)
        yield self.tail


class ApiClient:
    """The API's endpoints, each returning an Answer or raising ClientError."""

    def __init__(self, base_url: str, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url
        self._http = httpx.Client(base_url=base_url, timeout=timeout, transport=transport,
                                  headers={"Accept": "application/json"})

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Answer:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.ConnectError as exc:
            raise ClientError(
                f"cannot reach the API at {self.base_url} ({_reason(exc)}). Is the stack running "
                f"(`make up`)? Set the address with --api or ${ENV_API_URL}."
            ) from None
        except httpx.TimeoutException:
            raise ClientError(f"the API at {self.base_url} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise ClientError(f"request to {self.base_url} failed: {_reason(exc)}") from None
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {"error": {"code": f"HTTP_{response.status_code}",
                              "message": response.text[:300].strip() or "not a JSON answer"}}
        if not isinstance(body, dict):
            body = {"value": body}
        return Answer(response.status_code, body)

    def upload(self, path: Path, on_progress: Callable[[int], None]) -> Answer:
        """POST the file as multipart field `file`, streaming it from disk."""
        size = path.stat().st_size
        body = MultipartFile(path)
        headers = {"Content-Type": body.content_type, "Content-Length": str(body.length(size))}
        # Reading the answer can take a while: the API hashes and stores the file first.
        timeout = httpx.Timeout(30.0, read=300.0, write=60.0)
        return self._call("POST", "/api/v1/upload/", content=body.stream(on_progress),
                          headers=headers, timeout=timeout)

    def status(self, job_id: str, wait: float) -> Answer:
        timeout = httpx.Timeout(30.0, read=wait + 30.0)
        return self._call("GET", f"/api/v1/status/{job_id}/", params={"wait": f"{wait:g}"},
                          timeout=timeout)

    def list_jobs(self, limit: int, status: str | None, cursor: str | None) -> Answer:
        params: dict[str, str | int] = {"limit": limit}
        if status:
            params["status"] = status
        if cursor:
            params["cursor"] = cursor
        return self._call("GET", "/api/v1/job-statuses/", params=params)

    def delete(self, job_id: str) -> Answer:
        return self._call("DELETE", f"/api/v1/delete/{job_id}/")

    def wait_for(self, job_id: str, timeout: float,
                 on_status: Callable[[str], None] = lambda status: None) -> Answer:
        """Ask the blocking status endpoint until the job is terminal or `timeout` passes.

        Returns the last answer: 200 (terminal), 202 (still running at the deadline) or an error.
        """
        deadline = time.monotonic() + timeout
        unavailable = 0
        while True:
            remaining = deadline - time.monotonic()
            started = time.monotonic()
            answer = self.status(job_id, wait=max(0.0, min(25.0, remaining)))
            if answer.status in TRANSIENT and unavailable < RETRIES and remaining > 0:
                unavailable += 1  # a backing service is briefly down: ask again, backing off
                time.sleep(min(2.0**unavailable, max(0.0, remaining)))
                continue
            if answer.status != 202:
                return answer
            unavailable = 0
            on_status(str(answer.body.get("status", "PENDING")))
            if deadline - time.monotonic() <= 0:
                return answer
            if time.monotonic() - started < 0.5:  # the server did not block: do not spin
                time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused"
    return text or type(exc).__name__
