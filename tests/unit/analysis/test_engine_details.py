"""Bounded documents, late conversion failures, big sections, overrides and odd dates."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from stages.analysis import analyze_file


def _hourly(path: Path, hours: int, step: timedelta = timedelta(hours=1)) -> np.ndarray:
    rng = np.random.default_rng(1)
    temp = np.round(rng.normal(12, 6, hours), 2)
    start = datetime(2000, 1, 1)
    with path.open("w") as f:
        f.write("time,temp,rhum\n")
        for i, t in enumerate(temp):
            f.write(f"{start + i * step:%Y-%m-%d %H:%M:%S},{t},{50 + i % 40}\n")
    return temp


@pytest.mark.parametrize(("rows", "step", "resolution"), [
    (1900, timedelta(hours=1), "1h"),
    (30_000, timedelta(hours=1), "1D"),
    (60_000, timedelta(hours=3), "7D"),
    (20_000, timedelta(days=2), "1MS"),
])
def test_document_stays_small(tmp_path: Path, rows: int, step: timedelta,
                              resolution: str) -> None:
    path = tmp_path / "long.csv"
    temp = _hourly(path, rows, step)
    doc = analyze_file(path)
    assert doc["time_series_resolution"] == resolution
    assert 0 < len(doc["time_series_data"]) <= 2000
    assert len(json.dumps(doc).encode()) < 150_000
    weights = [p["mean_temp_C"] for p in doc["time_series_data"]]
    assert min(weights) >= temp.min() - 1e-9 and max(weights) <= temp.max() + 1e-9


def test_value_the_sample_did_not_show_falls_back_to_text(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    lines = ["date,temperature,humidity"]
    expected = []
    for i in range(3000):
        value = "35s" if i == 2500 else ("T" if i == 2600 else ("oops" if i == 2700 else
                                                                 str(i % 30)))
        lines.append(f"2020-01-01 {i % 24:02d}:00,{value},{40 + i % 50}")
        if value not in ("T", "oops"):
            expected.append(35.0 if value == "35s" else float(value))
    path.write_text("\n".join(lines) + "\n")
    doc = analyze_file(path)
    assert doc["num_records"] == len(expected)
    assert doc["temperature_C"]["mean"] == pytest.approx(np.mean(expected), abs=1e-3)


def test_second_section_after_a_large_first_one(tmp_path: Path) -> None:
    path = tmp_path / "open-meteo.csv"
    n = 40_000  # > 1 MiB, so the section break lies beyond the sniffed head
    start = datetime(2010, 1, 1)
    with path.open("w") as f:
        f.write("latitude,longitude,elevation\n52.5,13.4,38\n\n")
        f.write("time,temperature_2m (°C),relative_humidity_2m (%)\n")
        for i in range(n):
            f.write(f"{start + timedelta(hours=i):%Y-%m-%dT%H:%M},{i % 20},{50 + i % 30}\n")
        f.write("\ntime,temperature_2m_max (°C)\n2010-01-01,99\n2010-01-02,98\n")
    doc = analyze_file(path)
    assert doc["num_records"] == n
    assert doc["temperature_C"]["max"] == 19


def test_hour_24_is_next_midnight(tmp_path: Path) -> None:
    path = tmp_path / "h24.csv"
    path.write_text("datetime,temp (C),rh\n1988-01-01 23:00,1,50\n1988-01-01 24:00,2,60\n")
    doc = analyze_file(path)
    assert doc["date_range"]["end"] == "1988-01-02T00:00:00"


def test_overrides_and_unit(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("day,clock,reading,wet\n"
                    + "".join(f"01/{d:02d}/2021,{h:02d}:30,{50 + d + h},{30 + h}\n"
                              for d in range(1, 11) for h in range(24)))
    doc = analyze_file(path, date_columns=["day", "clock"], temperature_column="reading",
                       humidity_column="wet", temperature_unit="F")
    assert doc["columns"]["date"] == ["day", "clock"]
    assert doc["units"] == {"temperature": "F", "temperature_assumed": False,
                            "humidity": "percent"}
    values = np.array([50 + d + h for d in range(1, 11) for h in range(24)], float)
    assert doc["temperature_C"]["mean"] == pytest.approx((values.mean() - 32) * 5 / 9, abs=1e-3)
    assert doc["date_range"] == {"start": "2021-01-01T00:30:00", "end": "2021-01-10T23:30:00"}


def test_no_date_column(tmp_path: Path) -> None:
    path = tmp_path / "nodate.csv"
    path.write_text("temperature,humidity\n" + "".join(f"{i},{90 - i}\n" for i in range(20)))
    doc = analyze_file(path)
    assert doc["date_range"] is None and doc["time_series_data"] == []
    assert doc["num_records"] == 20
    assert any(w["code"] == "NO_DATE_COLUMN" for w in doc["warnings"])
    assert doc["report_summary"].startswith("This report covers 20 records.")


def test_parallel_readers_match_one_reader(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from stages.analysis import read_csv
    from stages.analysis.sniff import text_tables

    path = tmp_path / "split.csv"
    _hourly(path, 5000)
    whole = analyze_file(path)
    monkeypatch.setattr(read_csv, "SPLIT_BYTES", 1024)
    monkeypatch.setattr(read_csv, "WHOLE_READ_BYTES", 0)
    monkeypatch.setattr(read_csv, "BLOCK_BYTES", 4096)
    assert len(read_csv.byte_ranges(path, text_tables(path)[0], 2)) == 2
    split = analyze_file(path)
    for key in ("num_records", "date_range", "time_series_data", "rows"):
        assert split[key] == whole[key]
    for key in ("temperature_C", "humidity_pct"):
        assert split[key] == pytest.approx(whole[key], abs=1e-9)
    assert split["regression_analysis"]["temp_humidity_r2"] == pytest.approx(
        whole["regression_analysis"]["temp_humidity_r2"], abs=1e-9)
