"""`weather-analyze FILE [--json]`: run the engine on a local file."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from .analyze import analyze_file
from .errors import AnalysisError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="weather-analyze",
                                description="Analyse a weather file (.csv, .txt, .xlsx, .xls).")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print the result document as JSON")
    p.add_argument("--date-column", action="append", dest="date_columns", metavar="NAME",
                   help="date column; repeat for date + time or year/month/day[/hour]")
    p.add_argument("--temperature-column", metavar="NAME")
    p.add_argument("--humidity-column", metavar="NAME")
    p.add_argument("--temperature-unit", choices=["C", "F", "K", "0.1C"])
    return p


def _human(doc: dict[str, Any]) -> str:
    lines = [doc["report_summary"]]
    cols, units, reg = doc["columns"], doc["units"], doc["regression_analysis"]
    assumed = " (assumed)" if units["temperature_assumed"] else ""
    lines.append(f"temperature: {cols['temperature']} [{units['temperature']}{assumed}]; "
                 f"humidity: {cols['humidity'] or '-'}; date: {', '.join(cols['date']) or '-'}"
                 + (f"; sheet: {cols['sheet']}" if cols["sheet"] else ""))
    if reg["temp_humidity_r2"] is not None:
        lines.append(f"R² = {reg['temp_humidity_r2']:.4f}, slope = {reg['slope']:.4f} °C/%, "
                     f"n = {reg['n']}")
    lines.append(f"time series: {len(doc['time_series_data'])} points at "
                 f"{doc['time_series_resolution']}")
    lines.extend(f"warning {w['code']}: {w['message']}" for w in doc["warnings"])
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; exit status 0 on success, 2 on an analysis error."""
    args = _parser().parse_args(argv)
    try:
        doc = analyze_file(args.file, date_columns=args.date_columns,
                           temperature_column=args.temperature_column,
                           humidity_column=args.humidity_column,
                           temperature_unit=args.temperature_unit)
    except AnalysisError as exc:
        if args.json:
            print(json.dumps({"error": exc.to_dict()}))
        else:
            print(f"error {exc.code}: {exc.message}", file=sys.stderr)
        return 2
    except MemoryError:
        err = {"code": "FILE_TOO_LARGE", "message": "the file needs more memory than available"}
        print(json.dumps({"error": err}) if args.json else f"error: {err['message']}",
              file=sys.stdout if args.json else sys.stderr)
        return 2
    print(json.dumps(doc, ensure_ascii=False) if args.json else _human(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
