"""Every layout of FORMATS.md: columns, units and figures match independent numpy values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from stages.analysis import analyze_file

from .layouts import LAYOUTS


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_layout(layout: str, tmp_path: Path) -> None:
    case = LAYOUTS[layout](tmp_path, np.random.default_rng(7))
    doc = analyze_file(case.path, **case.kwargs)
    assert doc["columns"]["temperature"] == case.temperature
    assert doc["columns"]["humidity"] == case.humidity
    assert doc["units"]["temperature"] == case.unit
    assert doc["units"]["temperature_assumed"] == case.assumed
    assert doc["num_records"] == case.temp_c.size
    t = doc["temperature_C"]
    assert t["mean"] == pytest.approx(case.temp_c.mean(), abs=1e-3)
    assert t["min"] == pytest.approx(case.temp_c.min(), abs=1e-3)
    assert t["max"] == pytest.approx(case.temp_c.max(), abs=1e-3)
    assert t["std"] == pytest.approx(case.temp_c.std(ddof=1), abs=1e-3)
    assert doc["date_range"] == {"start": case.start, "end": case.end}
    codes = {w["code"] for w in doc["warnings"]}
    assert set(case.warnings) <= codes, codes
    assert doc["rows"]["used"] == case.temp_c.size
    reg = doc["regression_analysis"]
    if case.humidity is None:
        assert reg["temp_humidity_r2"] is None
        assert any(w["code"] == "NO_HUMIDITY_COLUMN" for w in doc["warnings"])
        return
    ok = np.isfinite(case.hum_pct)
    x, y = case.hum_pct[ok], case.temp_c[ok]
    r = np.corrcoef(x, y)[0, 1]
    slope, intercept = np.polyfit(x, y, 1)
    assert reg["n"] == ok.sum()
    assert reg["temp_humidity_r2"] == pytest.approx(r * r, abs=1e-6)
    assert reg["pearson_r"] == pytest.approx(r, abs=1e-6)
    assert reg["slope"] == pytest.approx(slope, abs=1e-5)
    assert reg["intercept"] == pytest.approx(intercept, abs=1e-4)
    h = doc["humidity_pct"]
    assert h["mean"] == pytest.approx(x.mean(), abs=1e-3)
    assert h["max"] == pytest.approx(x.max(), abs=1e-3)
    series = doc["time_series_data"]
    assert 0 < len(series) <= 2000
    assert [p["date"] for p in series] == sorted(p["date"] for p in series)
