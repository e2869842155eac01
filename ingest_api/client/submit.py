"""`weather-submit FILE...`: upload weather files, wait for their analyses, print the results.

Exit codes: 0 every file analysed; 1 an analysis failed or the API refused a file (too large,
wrong type, empty); 2 usage error, unreadable file, API unreachable or an unexpected answer;
3 still running when --wait-timeout passed; 130 interrupted. With several files, the highest.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from ingest_api.client.api import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TIMEOUT,
    EXIT_USAGE,
    Answer,
    ApiClient,
    ClientError,
    resolve_api_url,
)
from ingest_api.client.format import error_line, format_result, human_bytes
from ingest_api.client.progress import ProgressBar


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="weather-submit",
        description="Upload weather files (.csv, .xlsx, .xls) for analysis and print the results.",
        epilog="Exit codes: 0 all analysed; 1 an analysis failed or a file was refused; "
        "2 usage or connection error; 3 timed out waiting; 130 interrupted.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="files to analyse")
    parser.add_argument("--json", action="store_true",
                        help="print each file's status document as one JSON line")
    parser.add_argument("--no-wait", action="store_true",
                        help="upload only; print the job ids without waiting for results")
    parser.add_argument("--api", metavar="URL",
                        help="API address (default: $WEATHER_API_URL, else http://127.0.0.1:8000)")
    parser.add_argument("--wait-timeout", type=_positive, default=600.0, metavar="S",
                        help="seconds to wait for each result (default 600)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress bar or waiting messages on stderr")
    return parser


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def check_file(path: Path) -> str | None:
    """Why `path` cannot be uploaded, or None."""
    if not path.exists():
        return f"{path}: no such file"
    if not path.is_file():
        return f"{path}: not a regular file"
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        return f"{path}: cannot read ({exc.strerror or exc})"
    return None


def exit_code_for(answer: Answer) -> int:
    """The exit code a final answer means."""
    if answer.status == 200 and answer.body.get("status") == "SUCCESS":
        return EXIT_OK
    if answer.status == 200 and answer.body.get("status") == "FAILURE":
        return EXIT_FAILED
    if answer.status == 202:
        return EXIT_TIMEOUT
    if answer.status in (400, 404, 413, 415, 422):
        return EXIT_FAILED
    return EXIT_USAGE


class Submitter:
    """Uploads and follows files one by one, printing to `out` and `err`."""

    def __init__(self, api: ApiClient, args: argparse.Namespace, out: TextIO, err: TextIO):
        self.api = api
        self.args = args
        self.out = out
        self.err = err

    def note(self, text: str) -> None:
        if not self.args.quiet:
            print(text, file=self.err, flush=True)

    def emit(self, path: Path, answer: Answer) -> None:
        """Print the final answer for one file: a JSON line, or a readable report."""
        body = answer.body
        if self.args.json:
            text = json.dumps(body, ensure_ascii=False)
        elif answer.status == 200 and body.get("status") in ("SUCCESS", "FAILURE"):
            text = format_result(body, name=path.name)
        elif answer.status in (200, 202) and body.get("job_id"):
            text = f"{path.name}  {body.get('status', 'PENDING')}  job {body['job_id']}"
        else:
            text = f"{path.name}  REFUSED  {error_line(answer.error)}"
        print(text, file=self.out, flush=True)

    def submit(self, path: Path) -> int:
        size = path.stat().st_size
        bar = ProgressBar(size, path.name, self.err, enabled=not self.args.quiet)
        bar.update(0)
        answer = self.api.upload(path, bar.update)
        bar.finish()
        if answer.status not in (200, 202) or not answer.body.get("job_id"):
            self.emit(path, answer)
            return exit_code_for(answer)
        job_id = str(answer.body["job_id"])
        if answer.status == 202 and self.args.no_wait:
            self.emit(path, answer)
            return EXIT_OK
        if answer.status == 200:
            self.emit(path, answer)
            return exit_code_for(answer)
        self.note(f"{path.name}: job {job_id} {answer.body.get('status', 'PENDING')}, waiting…")
        seen = {str(answer.body.get("status", "PENDING"))}

        def on_status(status: str) -> None:
            if status not in seen:
                seen.add(status)
                self.note(f"{path.name}: {status}")

        final = self.api.wait_for(job_id, self.args.wait_timeout, on_status)
        if final.status == 202:
            status = final.body.get("status", "running")
            self.note(f"{path.name}: still {status} after {self.args.wait_timeout:g} s; "
                      f"check later with `weather-jobs show {job_id}`")
        self.emit(path, final)
        return exit_code_for(final)


def run(argv: list[str] | None, out: TextIO, err: TextIO) -> int:
    args = build_parser().parse_args(argv)
    problems = [p for p in (check_file(path) for path in args.files) if p]
    if problems:
        for problem in problems:
            print(f"weather-submit: {problem}", file=err)
        return EXIT_USAGE
    try:
        url = resolve_api_url(args.api)
        with ApiClient(url) as api:
            submitter = Submitter(api, args, out, err)
            worst = EXIT_OK
            for path in args.files:
                if len(args.files) > 1:
                    submitter.note(f"{path} ({human_bytes(path.stat().st_size)})")
                worst = max(worst, submitter.submit(path))
            return worst
    except ClientError as exc:
        lead = "\n" if err.isatty() else ""  # end a progress line drawn in place
        print(f"{lead}weather-submit: {exc.message}", file=err)
        return exc.exit_code


def main(argv: list[str] | None = None) -> int:
    try:
        return run(argv, sys.stdout, sys.stderr)
    except KeyboardInterrupt:
        print("\nweather-submit: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
