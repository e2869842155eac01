"""The CLI's text renderings of API documents."""

from __future__ import annotations

from typing import Any

from ingest_api.client.format import (
    error_line,
    format_jobs,
    format_result,
    human_bytes,
    number,
    timestamp,
)

JOB_ID = "ab" * 32


def success_doc(**overrides: Any) -> dict[str, Any]:
    results: dict[str, Any] = {
        "analysis_version": 1,
        "analyzed_at": "2026-12-03T13:00:00Z",
        "num_records": 1200,
        "report_summary": "This report covers 1200 records from 2006-04-01 to 2006-05-20.",
        "regression_analysis": {"temp_humidity_r2": 0.512345, "slope": -0.21, "intercept": 25.5,
                                "pearson_r": -0.7158, "n": 1200},
        "time_series_data": [{"date": "2006-04-01T00:00:00Z", "mean_temp_C": 9.5}],
        "time_series_resolution": "1h",
        "date_range": {"start": "2006-04-01T00:00:00+02:00", "end": "2006-05-20T23:00:00Z"},
        "temperature_C": {"mean": 12.3456, "min": -1.5, "max": 25.0, "std": 4.2},
        "humidity_pct": {"mean": 70.0, "min": 20.0, "max": 100.0, "std": 12.5},
        "columns": {"date": ["Formatted Date"], "temperature": "Temperature (C)",
                    "humidity": "Humidity", "sheet": None},
        "units": {"temperature": "C", "temperature_assumed": False, "humidity": "fraction"},
        "rows": {"read": 1210, "used": 1200, "dropped": {"bad_date": 10, "bad_temperature": 0}},
        "warnings": [{"code": "HUMIDITY_FRACTION", "message": "converted to percent"}],
    }
    results.update(overrides)
    return {"job_id": JOB_ID, "status": "SUCCESS", "filename": "szeged.csv", "results": results}


def test_human_bytes() -> None:
    assert human_bytes(0) == "0 B"
    assert human_bytes(1023) == "1023 B"
    assert human_bytes(1536) == "1.5 KB"
    assert human_bytes(250 * 1024 * 1024) == "250 MB"


def test_number_handles_missing_and_bool() -> None:
    assert number(0.123456, 4) == "0.1235"
    assert number(None, 2) == "–"
    assert number(True, 2) == "–"


def test_timestamp_is_utc() -> None:
    assert timestamp("2006-04-01T00:00:00+02:00") == "2006-03-31 22:00"
    assert timestamp("2026-12-03T13:00:00Z") == "2026-12-03 13:00"
    assert timestamp(None) == "–"
    assert timestamp("not a date") == "not a date"


def test_success_report_shows_r2_to_four_places_and_the_details() -> None:
    text = format_result(success_doc())
    assert text.splitlines()[0] == f"szeged.csv  SUCCESS  job {JOB_ID}"
    assert "R²         0.5123" in text
    assert "slope -0.2100" in text and "n 1,200" in text
    assert "1,200 used of 1,210 read (dropped: bad_date 10)" in text
    assert "2006-03-31 22:00 → 2006-05-20 23:00" in text
    assert "temperature: Temperature (C) [C]" in text
    assert "humidity: Humidity [fraction]" in text
    assert "12.35" in text
    assert "HUMIDITY_FRACTION: converted to percent" in text


def test_report_without_humidity_or_dates() -> None:
    doc = success_doc(regression_analysis={"temp_humidity_r2": None}, humidity_pct=None,
                      date_range=None, warnings=[],
                      columns={"date": [], "temperature": "t", "humidity": None})
    text = format_result(doc, name="plain.csv")
    assert text.startswith("plain.csv  SUCCESS")
    assert "no humidity column, no regression" in text
    assert "Dates      none" in text
    assert "(no humidity column)" in text
    assert "Warnings" not in text


def test_failure_report_shows_the_code() -> None:
    doc = {"job_id": JOB_ID, "status": "FAILURE",
           "error": {"code": "NO_TEMPERATURE_COLUMN", "message": "no temperature"}}
    text = format_result(doc, name="bad.csv")
    assert text.splitlines() == [f"bad.csv  FAILURE  job {JOB_ID}",
                                 "  NO_TEMPERATURE_COLUMN: no temperature"]


def test_running_job_has_no_result_yet() -> None:
    text = format_result({"job_id": JOB_ID, "status": "RUNNING"})
    assert "still running" in text


def test_error_line() -> None:
    assert error_line({"code": "FILE_TOO_LARGE", "message": "over 1 GB"}) == \
        "FILE_TOO_LARGE: over 1 GB"
    assert error_line({"code": "X"}) == "X"
    assert error_line(None) == "ERROR"
    assert error_line("boom") == "boom"


def test_jobs_table() -> None:
    jobs: list[dict[str, Any]] = [
        {"job_id": JOB_ID, "status": "SUCCESS", "created_at": "2026-12-03T13:00:00Z",
         "size": 2048, "filename": "a.csv"},
        {"job_id": "cd" * 32, "status": "PENDING"},
    ]
    lines = format_jobs(jobs).splitlines()
    assert lines[0].startswith("JOB ID")
    assert lines[1].split() == [JOB_ID, "SUCCESS", "2026-12-03", "13:00", "2.0", "KB", "a.csv"]
    assert lines[2].split() == ["cd" * 32, "PENDING", "–", "–", "–"]
    assert format_jobs([]) == "no jobs"
