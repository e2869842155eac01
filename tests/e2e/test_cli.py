"""`weather-submit` and `weather-jobs` against the running stack, as a user runs them."""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from infra.settings import Settings

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
SZEGED_HEADER = (
    "Formatted Date,Summary,Precip Type,Temperature (C),Apparent Temperature (C),Humidity,"
    "Wind Speed (km/h),Wind Bearing (degrees),Visibility (km),Loud Cover,"
    "Pressure (millibars),Daily Summary"
)


def write_szeged_csv(path: Path, days: int = 45) -> Path:
    """An hourly file in the Szeged weatherHistory layout, with values unique to this call."""
    rng = random.Random(uuid.uuid4().int)
    start = datetime(2006, 4, 1)
    lines = [SZEGED_HEADER]
    for hour in range(days * 24):
        at = start + timedelta(hours=hour)
        season = -10 * math.cos(2 * math.pi * (at.timetuple().tm_yday - 20) / 365.25)
        daily = 6 * math.sin(2 * math.pi * (hour % 24 - 9) / 24)
        temp = 11.5 + season + daily + rng.gauss(0, 2.5)
        humidity = min(1.0, max(0.1, 0.75 - 0.025 * (temp - 12) + rng.gauss(0, 0.06)))
        lines.append(
            f"{at:%Y-%m-%d %H:%M:%S}.000 +0200,Partly Cloudy,rain,{temp:.4f},{temp - 1.5:.4f},"
            f"{humidity:.2f},14.1197,251.0,15.8263,0.0,1015.13,Partly cloudy throughout the day."
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def run(command: str, *args: str, api: str | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run an installed console script; fail loudly when it is not installed."""
    program = BIN / command
    assert program.exists(), f"{program} is not installed (pip install -e .)"
    argv = [str(program), *args]
    if api is not None:
        argv += ["--api", api]
    return subprocess.run(argv, capture_output=True, text=True, timeout=240, check=False,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


def job_id_in(output: str) -> str:
    for word in output.split():
        if len(word) == 64 and all(c in "0123456789abcdef" for c in word):
            return word
    raise AssertionError(f"no job id in {output!r}")


def api_status(api: str, job_id: str) -> httpx.Response:
    return httpx.get(f"{api}/api/v1/status/{job_id}/", params={"wait": 0}, timeout=30)


@pytest.fixture(scope="module")
def api(stack: Settings) -> str:
    return stack.api_url


@pytest.fixture(scope="module")
def submitted(api: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One Szeged-layout file submitted through the CLI and waited for."""
    path = write_szeged_csv(tmp_path_factory.mktemp("cli") / "szeged-hourly.csv")
    done = run("weather-submit", str(path), api=api)
    assert done.returncode == 0, done.stdout + done.stderr
    job_id = job_id_in(done.stdout)
    status = api_status(api, job_id)
    assert status.status_code == 200, status.text
    return {"path": path, "job_id": job_id, "out": done.stdout, "err": done.stderr,
            "doc": status.json()}


def test_submit_prints_the_summary_with_the_apis_r2(submitted: dict[str, Any]) -> None:
    results = submitted["doc"]["results"]
    r2 = results["regression_analysis"]["temp_humidity_r2"]
    out: str = submitted["out"]
    assert out.startswith(f"szeged-hourly.csv  SUCCESS  job {submitted['job_id']}")
    assert f"R²         {r2:.4f}" in out
    assert results["report_summary"] in out
    assert f"{results['num_records']:,} used" in out
    assert "temperature: Temperature (C)" in out and "humidity: Humidity" in out
    # The progress bar and the waiting notes go to stderr, not into the report.
    assert "100%" in submitted["err"] and "szeged-hourly.csv [###" in submitted["err"]
    assert "[#" not in out


def test_submit_json_prints_the_status_document(api: str, submitted: dict[str, Any]) -> None:
    done = run("weather-submit", str(submitted["path"]), "--json", "--quiet",
               env={"WEATHER_API_URL": api})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    doc = json.loads(done.stdout)
    assert doc["job_id"] == submitted["job_id"]
    assert doc["status"] == "SUCCESS"
    assert doc["results"]["regression_analysis"] == \
        submitted["doc"]["results"]["regression_analysis"]


def test_list_shows_the_job(api: str, submitted: dict[str, Any]) -> None:
    done = run("weather-jobs", "list", "--limit", "200", api=api)
    assert done.returncode == 0, done.stderr
    row = next(line for line in done.stdout.splitlines() if submitted["job_id"] in line)
    assert "SUCCESS" in row and "szeged-hourly.csv" in row

    as_json = run("weather-jobs", "list", "--status", "success", "--limit", "200", "--json",
                  api=api)
    assert as_json.returncode == 0, as_json.stderr
    jobs = json.loads(as_json.stdout)["jobs"]
    assert submitted["job_id"] in {job["job_id"] for job in jobs}
    assert {job["status"] for job in jobs} == {"SUCCESS"}


def test_show_prints_the_result(api: str, submitted: dict[str, Any]) -> None:
    r2 = submitted["doc"]["results"]["regression_analysis"]["temp_humidity_r2"]
    done = run("weather-jobs", "show", submitted["job_id"], api=api)
    assert done.returncode == 0, done.stderr
    assert f"R²         {r2:.4f}" in done.stdout
    by_prefix = run("weather-jobs", "show", submitted["job_id"][:12], "--json", api=api)
    assert by_prefix.returncode == 0, by_prefix.stderr
    assert json.loads(by_prefix.stdout)["results"] == submitted["doc"]["results"]


def test_no_wait_then_delete(api: str, tmp_path: Path) -> None:
    path = write_szeged_csv(tmp_path / "to-delete.csv", days=10)
    done = run("weather-submit", str(path), "--no-wait", api=api)
    assert done.returncode == 0, done.stderr
    job_id = job_id_in(done.stdout)
    assert done.stdout.split()[:2] == ["to-delete.csv", "PENDING"]

    # Wait for it (so no stage is still writing), then delete it without a prompt.
    waited = run("weather-submit", str(path), "--json", "--quiet", api=api)
    assert json.loads(waited.stdout)["job_id"] == job_id

    refused = run("weather-jobs", "delete", job_id, api=api)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert api_status(api, job_id).status_code == 200

    deleted = run("weather-jobs", "delete", job_id, "--yes", api=api)
    assert deleted.returncode == 0, deleted.stderr
    assert deleted.stdout.strip() == f"deleted {job_id}"
    assert api_status(api, job_id).status_code == 404

    gone = run("weather-jobs", "show", job_id, api=api)
    assert gone.returncode == 1
    assert "NOT_FOUND" in gone.stderr


def test_a_file_without_temperature_fails_with_its_code(api: str, tmp_path: Path) -> None:
    path = tmp_path / "no-temperature.csv"
    path.write_text("date,humidity,wind\n" + "".join(
        f"2006-04-{1 + i % 28:02d},{50 + i % 40},{uuid.uuid4().int % 30}\n" for i in range(60)))
    done = run("weather-submit", str(path), api=api)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAILURE" in done.stdout and "NO_TEMPERATURE_COLUMN" in done.stdout

    as_json = run("weather-submit", str(path), "--json", "--quiet", api=api)
    assert as_json.returncode == 1
    doc = json.loads(as_json.stdout)
    assert doc["status"] == "FAILURE" and doc["error"]["code"] == "NO_TEMPERATURE_COLUMN"


def test_a_file_of_the_wrong_type_is_refused(api: str, tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n\x00\x01" + uuid.uuid4().bytes)
    done = run("weather-submit", str(path), api=api)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "REFUSED" in done.stdout and "UNSUPPORTED_FILE_TYPE" in done.stdout


def test_several_files_report_the_worst_exit_code(api: str, tmp_path: Path) -> None:
    good = write_szeged_csv(tmp_path / "good.csv", days=5)
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n\x00\x01" + uuid.uuid4().bytes)
    done = run("weather-submit", str(good), str(bad), "--json", "--quiet", api=api)
    assert done.returncode == 1, done.stderr
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first["status"] == "SUCCESS"
    assert second["error"]["code"] == "UNSUPPORTED_FILE_TYPE"


def test_unreachable_api_is_a_clear_error(tmp_path: Path) -> None:
    path = write_szeged_csv(tmp_path / "x.csv", days=1)
    done = run("weather-submit", str(path), api="http://127.0.0.1:9")
    assert done.returncode == 2
    assert "cannot reach the API at http://127.0.0.1:9" in done.stderr
    assert "Traceback" not in done.stderr
