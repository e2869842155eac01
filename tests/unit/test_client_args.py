"""The CLI's argument parsing, API address, exit codes and error messages."""

from __future__ import annotations

import email
import email.message
import io
import json
from pathlib import Path

import httpx
import pytest

from ingest_api.client import jobs, submit
from ingest_api.client.api import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_TIMEOUT,
    EXIT_USAGE,
    Answer,
    ApiClient,
    ClientError,
    MultipartFile,
    resolve_api_url,
)

JOB_ID = "0f" * 32


def test_submit_arguments() -> None:
    args = submit.build_parser().parse_args(
        ["a.csv", "b.xlsx", "--json", "--no-wait", "--api", "http://h:1", "--wait-timeout", "5"])
    assert args.files == [Path("a.csv"), Path("b.xlsx")]
    assert args.json and args.no_wait and args.api == "http://h:1" and args.wait_timeout == 5.0
    defaults = submit.build_parser().parse_args(["a.csv"])
    assert not defaults.json and not defaults.no_wait and defaults.wait_timeout == 600.0


@pytest.mark.parametrize("argv", [[], ["a.csv", "--wait-timeout", "0"],
                                  ["a.csv", "--wait-timeout", "soon"]])
def test_submit_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        submit.build_parser().parse_args(argv)
    assert exc.value.code == EXIT_USAGE
    assert "usage: weather-submit" in capsys.readouterr().err


def test_jobs_arguments() -> None:
    parser = jobs.build_parser()
    listing = parser.parse_args(["list", "--status", "success", "--limit", "5", "--json"])
    assert (listing.command, listing.status, listing.limit, listing.json) == \
        ("list", "SUCCESS", 5, True)
    assert parser.parse_args(["list"]).limit == 20
    show = parser.parse_args(["show", JOB_ID, "--api", "http://x:9"])
    assert (show.command, show.job_id, show.api) == ("show", JOB_ID, "http://x:9")
    delete = parser.parse_args(["--api", "http://y:9", "delete", JOB_ID, "--yes"])
    assert (delete.command, delete.yes, delete.api) == ("delete", True, "http://y:9")


@pytest.mark.parametrize("argv", [[], ["list", "--status", "DONE"], ["list", "--limit", "0"],
                                  ["list", "--limit", "201"], ["show"], ["delete"]])
def test_jobs_usage_errors_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        jobs.build_parser().parse_args(argv)
    assert exc.value.code == EXIT_USAGE


def test_api_url_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEATHER_API_URL", raising=False)
    monkeypatch.delenv("API_PORT", raising=False)
    monkeypatch.delenv("WEATHER_HOST", raising=False)
    monkeypatch.chdir("/")  # no .env here
    assert resolve_api_url(None) == "http://127.0.0.1:8000"
    monkeypatch.setenv("API_PORT", "28000")
    assert resolve_api_url(None) == "http://127.0.0.1:28000"
    monkeypatch.setenv("WEATHER_API_URL", "http://10.0.0.1:9/")
    assert resolve_api_url(None) == "http://10.0.0.1:9"
    assert resolve_api_url("localhost:7000") == "http://localhost:7000"
    with pytest.raises(ClientError):
        resolve_api_url("ftp://example")


@pytest.mark.parametrize(("answer", "code"), [
    (Answer(200, {"status": "SUCCESS"}), EXIT_OK),
    (Answer(200, {"status": "FAILURE"}), EXIT_FAILED),
    (Answer(202, {"status": "RUNNING"}), EXIT_TIMEOUT),
    (Answer(413, {"error": {"code": "FILE_TOO_LARGE"}}), EXIT_FAILED),
    (Answer(415, {}), EXIT_FAILED),
    (Answer(503, {}), EXIT_USAGE),
])
def test_exit_codes(answer: Answer, code: int) -> None:
    assert submit.exit_code_for(answer) == code


def test_answer_error_fills_in_missing_parts() -> None:
    assert Answer(415, {"error": {"code": "UNSUPPORTED_FILE_TYPE", "message": "no"}}).error == \
        {"code": "UNSUPPORTED_FILE_TYPE", "message": "no"}
    assert Answer(502, {}).error["code"] == "HTTP_502"


def test_check_file(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("t\n1\n")
    assert submit.check_file(data) is None
    assert "no such file" in str(submit.check_file(tmp_path / "missing.csv"))
    assert "not a regular file" in str(submit.check_file(tmp_path))


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = submit.run([str(tmp_path / "nope.csv"), "--api", "http://127.0.0.1:1"], out, err)
    assert code == EXIT_USAGE
    assert "nope.csv: no such file" in err.getvalue()


def test_multipart_body_streams_the_file(tmp_path: Path) -> None:
    data = tmp_path / 'we"ird name.csv'
    payload = b"Formatted Date,Temperature (C)\n" + b"2006-04-01 00:00:00.000 +0200,9.47\n" * 12000
    data.write_bytes(payload)
    body = MultipartFile(data)
    seen: list[int] = []
    raw = b"".join(body.stream(seen.append))
    assert len(raw) == body.length(len(payload))
    assert seen[-1] == len(payload) and seen == sorted(seen) and len(seen) > 1
    message = email.message_from_bytes(
        f"Content-Type: {body.content_type}\r\n\r\n".encode() + raw)
    parts = message.get_payload()
    assert isinstance(parts, list) and len(parts) == 1
    part = parts[0]
    assert isinstance(part, email.message.Message)
    assert part.get_param("name", header="content-disposition") == "file"
    assert part.get_filename() == "we%22ird name.csv"
    assert part.get_content_type() == "text/csv"
    assert part.get_payload(decode=True) == payload


def test_wait_for_asks_again_while_the_job_runs() -> None:
    statuses = iter([(202, "QUEUED"), (202, "RUNNING"), (200, "SUCCESS")])
    waits: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        waits.append(request.url.params["wait"])
        code, status = next(statuses)
        return httpx.Response(code, json={"job_id": JOB_ID, "status": status})

    seen: list[str] = []
    with ApiClient("http://api", transport=httpx.MockTransport(handler)) as api:
        answer = api.wait_for(JOB_ID, timeout=100, on_status=seen.append)
    assert answer.status == 200 and answer.body["status"] == "SUCCESS"
    assert seen == ["QUEUED", "RUNNING"]
    assert waits[0] == "25"


def test_wait_for_retries_a_briefly_unavailable_api(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([503, 200])
    monkeypatch.setattr("ingest_api.client.api.time.sleep", lambda seconds: None)

    def handler(request: httpx.Request) -> httpx.Response:
        code = next(answers)
        if code == 503:
            return httpx.Response(503, json={"error": {"code": "SERVICE_UNAVAILABLE",
                                                       "message": "retry"}})
        return httpx.Response(200, json={"job_id": JOB_ID, "status": "SUCCESS"})

    with ApiClient("http://api", transport=httpx.MockTransport(handler)) as api:
        assert api.wait_for(JOB_ID, timeout=100).status == 200


def test_unreachable_api_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = jobs.main(["--api", "http://127.0.0.1:1", "list"])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert err.startswith("weather-jobs: cannot reach the API at http://127.0.0.1:1")
    assert "Traceback" not in err


def test_delete_needs_yes_when_not_interactive(capsys: pytest.CaptureFixture[str]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    api = ApiClient("http://api", transport=httpx.MockTransport(handler))
    args = jobs.build_parser().parse_args(["delete", JOB_ID])
    with api, pytest.raises(ClientError) as exc:
        jobs.cmd_delete(api, args, io.StringIO(), io.StringIO(), io.StringIO())
    assert exc.value.exit_code == EXIT_USAGE and "--yes" in exc.value.message


def test_job_prefix_resolves_through_the_list() -> None:
    listed = {"jobs": [{"job_id": JOB_ID}, {"job_id": "ee" * 32}], "next_cursor": None}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps(listed))

    with ApiClient("http://api", transport=httpx.MockTransport(handler)) as api:
        assert jobs.resolve_job_id(api, "0f0f") == JOB_ID
        with pytest.raises(ClientError) as exc:
            jobs.resolve_job_id(api, "ab")
        assert exc.value.exit_code == EXIT_FAILED
