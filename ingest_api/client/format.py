"""Plain-text renderings of the API's documents for the terminal. Pure functions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

STAT_KEYS = ("mean", "min", "max", "std")


def human_bytes(n: float) -> str:
    """1536 → '1.5 KB' (binary multiples, one decimal below 100)."""
    units = ("B", "KB", "MB", "GB", "TB")
    value = float(n)
    i = 0
    while value >= 1024 and i < len(units) - 1:
        value /= 1024
        i += 1
    if i == 0:
        return f"{int(value)} B"
    return f"{value:.0f} {units[i]}" if value >= 100 else f"{value:.1f} {units[i]}"


def number(value: Any, digits: int) -> str:
    """A fixed-point number, or '–' when missing."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "–"
    return f"{value:.{digits}f}"


def count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else "–"


def short_id(job_id: str, keep: int = 12) -> str:
    return job_id if len(job_id) <= keep else job_id[:keep] + "…"


def timestamp(value: Any) -> str:
    """An ISO-8601 time (or epoch seconds) as 'YYYY-MM-DD HH:MM' UTC; other text unchanged."""
    if value is None or value == "":
        return "–"
    try:
        if isinstance(value, int | float):
            moment = datetime.fromtimestamp(float(value), UTC)
        else:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    except (ValueError, OverflowError, OSError):
        return str(value)


def error_line(error: Any) -> str:
    """`CODE: message` from an `{"code", "message"}` error (or a plain string)."""
    if isinstance(error, dict):
        code = error.get("code") or "ERROR"
        message = error.get("message") or ""
        return f"{code}: {message}" if message else str(code)
    return str(error) if error else "ERROR"


def _stats_rows(results: dict[str, Any]) -> list[str]:
    temperature = results.get("temperature_C") or {}
    humidity = results.get("humidity_pct")
    lines = [f"  {'':<16}{'mean':>9}{'min':>9}{'max':>9}{'std':>9}"]
    rows: list[tuple[str, dict[str, Any] | None]] = [
        ("Temperature °C", temperature), ("Humidity %", humidity),
    ]
    for label, stats in rows:
        if stats is None:
            lines.append(f"  {label:<16}{'(no humidity column)':>36}")
            continue
        cells = "".join(f"{number(stats.get(k), 2):>9}" for k in STAT_KEYS)
        lines.append(f"  {label:<16}{cells}")
    return lines


def _columns_line(results: dict[str, Any]) -> str:
    columns = results.get("columns") or {}
    units = results.get("units") or {}
    dates = columns.get("date") or []
    parts = [f"date: {', '.join(dates) if dates else 'none'}"]
    temp_unit = units.get("temperature")
    assumed = " assumed" if units.get("temperature_assumed") else ""
    temp = columns.get("temperature") or "–"
    parts.append(f"temperature: {temp}" + (f" [{temp_unit}{assumed}]" if temp_unit else ""))
    humidity = columns.get("humidity")
    hum_unit = units.get("humidity")
    parts.append(f"humidity: {humidity} [{hum_unit}]" if humidity and hum_unit
                 else f"humidity: {humidity or 'none'}")
    if columns.get("sheet"):
        parts.append(f"sheet: {columns['sheet']}")
    return "  Columns    " + " · ".join(parts)


def format_result(doc: dict[str, Any], name: str | None = None) -> str:
    """A readable report of a status document (SUCCESS with results, or FAILURE)."""
    job_id = str(doc.get("job_id") or "")
    status = str(doc.get("status") or "UNKNOWN")
    title = name or doc.get("filename") or short_id(job_id)
    head = f"{title}  {status}  job {job_id}"
    if doc.get("from_cache"):
        head += "  (cached result)"
    lines = [head]
    if status == "FAILURE":
        lines.append(f"  {error_line(doc.get('error'))}")
        return "\n".join(lines)
    results = doc.get("results")
    if status != "SUCCESS" or not isinstance(results, dict):
        lines.append(f"  still {status.lower()}; no result yet")
        return "\n".join(lines)

    if results.get("report_summary"):
        lines.append(f"  {results['report_summary']}")
    reg = results.get("regression_analysis") or {}
    if reg.get("temp_humidity_r2") is None:
        lines.append("  R²         – (no humidity column, no regression)")
    else:
        lines.append(
            f"  R²         {number(reg['temp_humidity_r2'], 4)}  (temperature ~ humidity; "
            f"slope {number(reg.get('slope'), 4)} °C per %, "
            f"intercept {number(reg.get('intercept'), 4)} °C, "
            f"r {number(reg.get('pearson_r'), 4)}, n {count(reg.get('n'))})"
        )
    rows = results.get("rows") or {}
    dropped = {k: v for k, v in (rows.get("dropped") or {}).items() if v}
    used, read = count(results.get("num_records")), count(rows.get("read"))
    records = f"  Records    {used} used of {read} read"
    if dropped:
        records += " (dropped: " + ", ".join(f"{k} {count(v)}" for k, v in dropped.items()) + ")"
    lines.append(records)
    date_range = results.get("date_range")
    series = results.get("time_series_data") or []
    if isinstance(date_range, dict):
        start, end = timestamp(date_range.get("start")), timestamp(date_range.get("end"))
        resolution = results.get("time_series_resolution")
        lines.append(f"  Dates      {start} → {end}"
                     f"  (time series: {len(series):,} points per {resolution})")
    else:
        lines.append("  Dates      none (no date column, no time series)")
    lines.append(_columns_line(results))
    lines.extend(_stats_rows(results))
    warnings = results.get("warnings") or []
    if warnings:
        lines.append("  Warnings")
        lines.extend(f"    {w.get('code', 'WARNING')}: {w.get('message', '')}" for w in warnings)
    return "\n".join(lines)


def format_jobs(jobs: list[dict[str, Any]]) -> str:
    """A table of jobs: id, status, created, size, file name."""
    if not jobs:
        return "no jobs"
    header = f"{'JOB ID':<64}  {'STATUS':<8}  {'CREATED (UTC)':<16}  {'SIZE':>8}  FILE"
    lines = [header]
    for job in jobs:
        size = job.get("size")
        shown_size = human_bytes(size) if isinstance(size, int) else "–"
        lines.append(
            f"{job.get('job_id', ''):<64}  {job.get('status', ''):<8}  "
            f"{timestamp(job.get('created_at')):<16}  {shown_size:>8}  {job.get('filename') or '–'}"
        )
    return "\n".join(lines)
