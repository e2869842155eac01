"""`weather-jobs list|show|delete`: the API's recent jobs from the command line.

Exit codes: 0 done; 1 no such job, or the deletion was declined; 2 usage error,
API unreachable or an unexpected answer; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from ingest_api.client.api import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    Answer,
    ApiClient,
    ClientError,
    resolve_api_url,
)
from ingest_api.client.format import format_jobs, format_result

STATUSES = ("PENDING", "QUEUED", "RUNNING", "SUCCESS", "FAILURE")
FULL_ID_LENGTH = 64
PREFIX_SEARCH_PAGES = 5
ID_HELP = "job id (or a unique prefix of a recent one)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="weather-jobs",
        description="List, show and delete the weather analysis jobs of the API.",
        epilog="Exit codes: 0 done; 1 no such job or deletion declined; "
        "2 usage or connection error; 130 interrupted.",
    )
    parser.add_argument("--api", metavar="URL",
                        help="API address (default: $WEATHER_API_URL, else http://127.0.0.1:8000)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    listing = commands.add_parser("list", help="recent jobs, newest first")
    listing.add_argument("--status", type=str.upper, choices=STATUSES, metavar="STATUS",
                         help=f"only jobs in this status ({', '.join(STATUSES)})")
    listing.add_argument("--limit", type=_limit, default=20, metavar="N",
                         help="how many jobs (1-200, default 20)")
    listing.add_argument("--cursor", help="continue after a previous page (printed on stderr)")
    listing.add_argument("--json", action="store_true", help="print the API's JSON document")

    show = commands.add_parser("show", help="one job's status and result")
    show.add_argument("job_id", metavar="JOB_ID", help=ID_HELP)
    show.add_argument("--json", action="store_true", help="print the API's status document")

    delete = commands.add_parser("delete", help="delete a job: its file, result and cache entry")
    delete.add_argument("job_id", metavar="JOB_ID", help=ID_HELP)
    delete.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    for sub in (listing, show, delete):
        sub.add_argument("--api", metavar="URL", default=argparse.SUPPRESS,
                         help="API address (default: $WEATHER_API_URL, else http://127.0.0.1:8000)")
    return parser


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= 200:
        raise argparse.ArgumentTypeError("must be between 1 and 200")
    return value


def _fail(answer: Answer, what: str) -> ClientError:
    err = answer.error
    code = EXIT_FAILED if answer.status == 404 else EXIT_USAGE
    return ClientError(f"{what}: {err['code']}: {err['message']}", code)


def resolve_job_id(api: ApiClient, given: str) -> str:
    """A full job id from `given`, which may be a unique prefix of a recent job's id."""
    wanted = given.strip().lower()
    if len(wanted) >= FULL_ID_LENGTH:
        return wanted
    matches: list[str] = []
    cursor: str | None = None
    for _ in range(PREFIX_SEARCH_PAGES):
        answer = api.list_jobs(200, None, cursor)
        if answer.status != 200:
            raise _fail(answer, "cannot list jobs")
        matches += [str(j["job_id"]) for j in answer.body.get("jobs", [])
                    if str(j.get("job_id", "")).startswith(wanted)]
        cursor = answer.body.get("next_cursor")
        if not cursor or len(matches) > 1:
            break
    if not matches:
        raise ClientError(f"no recent job id starts with {given!r}", EXIT_FAILED)
    if len(matches) > 1:
        raise ClientError(f"{given!r} matches several jobs; give more of the id", EXIT_USAGE)
    return matches[0]


def cmd_list(api: ApiClient, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    answer = api.list_jobs(args.limit, args.status, args.cursor)
    if answer.status != 200:
        raise _fail(answer, "cannot list jobs")
    if args.json:
        print(json.dumps(answer.body, ensure_ascii=False), file=out)
        return EXIT_OK
    jobs: list[dict[str, Any]] = answer.body.get("jobs", [])
    print(format_jobs(jobs), file=out)
    cursor = answer.body.get("next_cursor")
    if cursor:
        print(f"more: weather-jobs list --limit {args.limit}"
              f"{f' --status {args.status}' if args.status else ''} --cursor {cursor}", file=err)
    return EXIT_OK


def cmd_show(api: ApiClient, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    job_id = resolve_job_id(api, args.job_id)
    answer = api.status(job_id, wait=0)
    if answer.status not in (200, 202):
        raise _fail(answer, f"cannot show job {job_id}")
    if args.json:
        print(json.dumps(answer.body, ensure_ascii=False), file=out)
    else:
        print(format_result(answer.body), file=out)
    return EXIT_OK


def confirm(question: str, stdin: TextIO, err: TextIO) -> bool:
    err.write(f"{question} [y/N] ")
    err.flush()
    reply = stdin.readline()
    return reply.strip().lower() in ("y", "yes")


def cmd_delete(api: ApiClient, args: argparse.Namespace, out: TextIO, err: TextIO,
               stdin: TextIO) -> int:
    job_id = resolve_job_id(api, args.job_id)
    if not args.yes:
        if not stdin.isatty():
            raise ClientError("not deleting without confirmation: add --yes", EXIT_USAGE)
        about = api.status(job_id, wait=0)
        if about.status == 404:
            raise _fail(about, f"cannot delete job {job_id}")
        name = about.body.get("filename") or "unnamed file"
        if not confirm(f"Delete job {job_id} ({name}, {about.body.get('status', '?')})?",
                       stdin, err):
            print("not deleted", file=err)
            return EXIT_FAILED
    answer = api.delete(job_id)
    if not 200 <= answer.status < 300:
        raise _fail(answer, f"cannot delete job {job_id}")
    print(f"deleted {job_id}", file=out)
    return EXIT_OK


def run(argv: list[str] | None, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    args = build_parser().parse_args(argv)
    try:
        with ApiClient(resolve_api_url(args.api)) as api:
            if args.command == "list":
                return cmd_list(api, args, out, err)
            if args.command == "show":
                return cmd_show(api, args, out, err)
            return cmd_delete(api, args, out, err, stdin)
    except ClientError as exc:
        print(f"weather-jobs: {exc.message}", file=err)
        return exc.exit_code


def main(argv: list[str] | None = None) -> int:
    try:
        return run(argv, sys.stdout, sys.stderr, sys.stdin)
    except KeyboardInterrupt:
        print("\nweather-jobs: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
