"""`weather-analyze`: JSON document or JSON error, and the exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stages.analysis.cli import main

_CSV = "date,meantemp,humidity\n" + "".join(
    f"2013-01-{d:02d},{10 + d % 5},{80 - d}\n" for d in range(1, 29))


def test_json_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "delhi.csv"
    path.write_text(_CSV)
    assert main([str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["analysis_version"] == 1
    assert doc["num_records"] == 28
    assert doc["columns"]["temperature"] == "meantemp"
    assert set(doc) >= {"analyzed_at", "report_summary", "regression_analysis",
                        "time_series_data", "time_series_resolution", "date_range",
                        "temperature_C", "humidity_pct", "columns", "units", "rows", "warnings"}
    assert doc["report_summary"].startswith("This report covers 28 records from 2013-01-01 to")


def test_human_summary_and_overrides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "delhi.csv"
    path.write_text(_CSV)
    code = main([str(path), "--temperature-column", "meantemp", "--humidity-column",
                 "humidity", "--date-column", "date", "--temperature-unit", "F"])
    assert code == 0
    out = capsys.readouterr().out
    assert out.startswith("This report covers 28 records")
    assert "[F]" in out


def test_json_error_and_exit_status(tmp_path: Path) -> None:
    path = tmp_path / "wind.csv"
    path.write_text("date,wind\n2020-01-01,3\n")
    proc = subprocess.run([sys.executable, "-m", "stages.analysis.cli", str(path), "--json"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert json.loads(proc.stdout) == {"error": {"code": "NO_TEMPERATURE_COLUMN",
                                                 "message": json.loads(proc.stdout)["error"]
                                                 ["message"]}}
    assert "Traceback" not in proc.stderr


def test_readable_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert main([str(path)]) == 2
    assert "EMPTY_FILE" in capsys.readouterr().err
