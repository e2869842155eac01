"""The JSON-ready result document (DESIGN.md "Analysis result", version 1)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .accumulate import Accumulator
from .dates import iso
from .stats import regression

ANALYSIS_VERSION = 1
_AFFINE = {"C": (1.0, 0.0), "F": (5.0 / 9.0, -32.0 * 5.0 / 9.0), "K": (1.0, -273.15),
           "0.1C": (0.1, 0.0)}


def _rounded(d: dict[str, float] | None, digits: int = 4) -> dict[str, float] | None:
    return None if d is None else {k: round(v, digits) for k, v in d.items()}


def decide_unit(acc: Accumulator) -> tuple[str, bool]:
    """The temperature unit, and whether it was assumed from the values."""
    if acc.choice.temperature_unit is not None:
        return acc.choice.temperature_unit, False
    if acc.temp.n and (acc.temp.hi > 60.0 or acc.temp.mean > 35.0):
        return "F", True
    return "C", True


def _relation(r2: float, slope: float) -> str:
    strength = "strong" if r2 >= 0.5 else "moderate" if r2 >= 0.2 else "weak"
    direction = "negative" if slope < 0 else "positive"
    return f"a {strength} {direction} linear relation between temperature and humidity " \
           f"(R² = {r2:.3f})"


def build(acc: Accumulator, *, sheet: str | None, warnings: list[dict[str, str]],
          skipped_rows: int = 0) -> dict[str, Any]:
    """Assemble the result from the accumulated statistics."""
    choice = acc.choice
    unit, assumed = decide_unit(acc)
    scale, offset = _AFFINE[unit]
    temp = acc.temp.affine(scale, offset)
    hum_scale = 100.0 if acc.hum.n and acc.hum.hi <= 1.0 else 1.0
    hum = acc.hum.affine(hum_scale, 0.0)
    reg = regression(acc.pairs.affine(hum_scale, 0.0, scale, offset))
    warnings = list(warnings)
    if assumed:
        warnings.append({"code": "TEMPERATURE_UNIT_ASSUMED",
                         "message": f"the file does not state the unit of {choice.temperature!r}; "
                                    f"°{unit[-1]} was assumed from the values"})
    if acc.filled_from_max_min:
        pair = choice.max_min or ("max", "min")
        warnings.append({"code": "TEMPERATURE_FROM_MAX_MIN",
                         "message": f"{acc.filled_from_max_min} rows without a mean temperature "
                                    f"use ({pair[0]} + {pair[1]}) / 2"})
    if choice.humidity is None:
        warnings.append({"code": "NO_HUMIDITY_COLUMN",
                         "message": "no relative humidity column: no regression was computed"})
    elif reg["temp_humidity_r2"] is None:
        warnings.append({"code": "REGRESSION_UNDEFINED",
                         "message": f"{reg['n']} rows with humidity, or humidity/temperature "
                                    "constant: R² is undefined"})
    if hum_scale == 100.0:
        warnings.append({"code": "HUMIDITY_AS_FRACTION",
                         "message": f"{choice.humidity!r} holds fractions 0–1; "
                                    "reported in percent"})
    if choice.humidity is not None and acc.humidity_missing:
        warnings.append({"code": "HUMIDITY_MISSING",
                         "message": f"{acc.humidity_missing} used rows have no valid humidity"})
    if choice.date.kind == "none":
        warnings.append({"code": "NO_DATE_COLUMN",
                         "message": "no date column: no time series or date range"})
    if skipped_rows:
        warnings.append({"code": "MALFORMED_ROWS_SKIPPED",
                         "message": f"{skipped_rows} rows with the wrong number of fields "
                                    "were skipped"})
    dropped = {k: v for k, v in sorted(acc.dropped.items()) if v}
    if skipped_rows:
        dropped["malformed_row"] = skipped_rows
    if dropped:
        warnings.append({"code": "ROWS_DROPPED",
                         "message": ", ".join(f"{v} {k.replace('_', ' ')}"
                                              for k, v in dropped.items())})
    tz = choice.date.tz_aware
    date_range = None
    resolution, series = "1D", list[dict[str, object]]()
    if acc.first is not None and acc.last is not None:
        date_range = {"start": iso(acc.first, tz), "end": iso(acc.last, tz)}
        resolution, series = acc.buckets.series(acc.first, acc.last, tz, scale, offset)
    return {
        "analysis_version": ANALYSIS_VERSION,
        "analyzed_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "num_records": temp.n,
        "report_summary": _summary(temp.n, date_range, temp.summary(), reg),
        "regression_analysis": reg,  # full precision: equal to a fit on every row
        "time_series_data": series,
        "time_series_resolution": resolution,
        "date_range": date_range,
        "temperature_C": _rounded(temp.summary()),
        "humidity_pct": _rounded(hum.summary()),
        "columns": {"date": choice.date.columns, "temperature": choice.temperature,
                    "humidity": choice.humidity, "sheet": sheet},
        "units": {"temperature": unit, "temperature_assumed": assumed,
                  "humidity": "fraction" if hum_scale == 100.0 else "percent"},
        "rows": {"read": acc.rows_read + skipped_rows, "used": temp.n, "dropped": dropped},
        "warnings": warnings,
    }


def _summary(n: int, date_range: dict[str, str] | None, temp: dict[str, float] | None,
             reg: dict[str, float | int | None]) -> str:
    span = f" from {date_range['start'][:10]} to {date_range['end'][:10]}" if date_range else ""
    text = f"This report covers {n} records{span}."
    if temp is not None:
        text += (f" The mean temperature was {temp['mean']:.1f} °C (min {temp['min']:.1f}, "
                 f"max {temp['max']:.1f}).")
    r2, slope = reg["temp_humidity_r2"], reg["slope"]
    if isinstance(r2, float) and isinstance(slope, float):
        text += f" The data show {_relation(r2, slope)}."
    else:
        text += " No temperature–humidity regression could be computed."
    return text
