"""Engine benchmark: the engine vs DuckDB SQL, the original pandas approach and a hand pyarrow
reader on a 1M-row Szeged CSV; vs pandas+openpyxl on a 100k-row .xlsx; memory on a 1 GB CSV.

Run as `python -m tests.bench.engine` (part of `make bench`). Every candidate runs in a fresh
subprocess: one untimed warm-up, then timed runs; the child reports its own peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
SZEGED_COLUMNS = ["Formatted Date", "Summary", "Precip Type", "Temperature (C)",
                  "Apparent Temperature (C)", "Humidity", "Wind Speed (km/h)",
                  "Wind Bearing (degrees)", "Visibility (km)", "Loud Cover",
                  "Pressure (millibars)", "Daily Summary"]


# ---------------------------------------------------------------- data generation
def _szeged_table(rows: int, seed: int = 0) -> Any:
    """A Szeged-layout table: mixed +0100/+0200 offsets, rows not in time order."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    hours = np.arange(rows, dtype=np.int64)
    rng.shuffle(hours[: rows // 10])  # the first tenth out of order, as the Kaggle file
    local = np.datetime64("2006-01-01T00:00:00") + hours.astype("timedelta64[h]")
    months = (local.astype("datetime64[M]").astype(np.int64) % 12) + 1
    summer = (months >= 4) & (months <= 9)
    text = np.datetime_as_string(local, unit="s")
    text = np.char.add(np.char.replace(text, "T", " "), ".000")
    text = np.char.add(text, np.where(summer, " +0200", " +0100"))
    doy = (hours % 8766) / 8766.0
    hum = np.round(np.clip(0.75 - 0.2 * np.sin(2 * np.pi * doy) + rng.normal(0, 0.1, rows),
                           0.1, 1.0), 2)
    temp = np.round(12 + 11 * np.sin(2 * np.pi * (doy - 0.25)) - 8 * (hum - 0.7)
                    + rng.normal(0, 3, rows), 6)
    summary = np.array(["Partly Cloudy", "Mostly Cloudy", "Overcast", "Clear", "Foggy"])
    return pa.table({
        SZEGED_COLUMNS[0]: text,
        SZEGED_COLUMNS[1]: summary[rng.integers(0, 5, rows)],
        SZEGED_COLUMNS[2]: np.where(temp > 0, "rain", "snow"),
        SZEGED_COLUMNS[3]: temp,
        SZEGED_COLUMNS[4]: np.round(temp - 2.1, 6),
        SZEGED_COLUMNS[5]: hum,
        SZEGED_COLUMNS[6]: np.round(rng.uniform(0, 40, rows), 4),
        SZEGED_COLUMNS[7]: rng.integers(0, 360, rows).astype(np.float64),
        SZEGED_COLUMNS[8]: np.round(rng.uniform(0, 16, rows), 4),
        SZEGED_COLUMNS[9]: np.zeros(rows),
        SZEGED_COLUMNS[10]: np.where(rng.random(rows) < 0.01, 0.0,
                                     np.round(rng.normal(1015, 8, rows), 2)),
        SZEGED_COLUMNS[11]: np.array(["Partly cloudy throughout the day.",
                                      "Mostly cloudy until night."])[rng.integers(0, 2, rows)],
    })


def make_csv(path: Path, rows: int) -> Path:
    """Write a Szeged-layout CSV (reused when present)."""
    if path.exists():
        return path
    import pyarrow.csv as pcsv

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pcsv.write_csv(_szeged_table(rows), tmp,
                   pcsv.WriteOptions(quoting_style="none", batch_size=65536))
    tmp.rename(path)
    return path


def make_big_csv(path: Path, source: Path, target_bytes: int = 1 << 30) -> Path:
    """About 1 GB: the 1M-row file's body repeated (reused when present)."""
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    with source.open("rb") as src, tmp.open("wb") as out:
        header = src.readline()
        body = src.read()
        out.write(header)
        written = len(header)
        while written < target_bytes:
            out.write(body)
            written += len(body)
    tmp.rename(path)
    return path


def make_xlsx(path: Path, rows: int) -> Path:
    """A Szeged-layout workbook of `rows` rows (openpyxl write-only; reused when present)."""
    if path.exists():
        return path
    import openpyxl

    table = _szeged_table(rows, seed=1).to_pylist()
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("weatherHistory")
    ws.append(SZEGED_COLUMNS)
    for row in table:
        ws.append([row[c] for c in SZEGED_COLUMNS])
    tmp = path.with_suffix(".tmp.xlsx")
    wb.save(tmp)
    tmp.rename(path)
    return path


# ---------------------------------------------------------------- candidates
def run_engine(path: str) -> Any:
    from stages.analysis import analyze_file

    return analyze_file(path)["regression_analysis"]["temp_humidity_r2"]


def run_duckdb(path: str) -> Any:
    """DuckDB SQL with the columns and the date format given by hand."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"""
        CREATE TEMP TABLE t AS
        SELECT strptime("Formatted Date", '%Y-%m-%d %H:%M:%S.%g %z') AS ts,
               "Temperature (C)" AS temp, "Humidity" AS hum
        FROM read_csv('{path}', header = true, auto_detect = true)""")
    stats = con.execute("""
        SELECT count(*), avg(temp), min(temp), max(temp), stddev_samp(temp),
               avg(hum), min(hum), max(hum), stddev_samp(hum),
               regr_r2(temp, hum), regr_slope(temp, hum), regr_intercept(temp, hum),
               corr(temp, hum), min(ts), max(ts) FROM t""").fetchone()
    series = con.execute("""
        SELECT time_bucket(INTERVAL '7 days', ts) AS b, avg(temp) FROM t
        GROUP BY b ORDER BY b""").fetchall()
    con.close()
    return stats[9] if stats else None, len(series)


def run_original(path: str) -> Any:
    """The original service: pandas reads the whole file, scikit-learn fits."""
    import pandas as pd
    from sklearn.linear_model import LinearRegression

    df = pd.read_csv(path)
    df["Formatted Date"] = pd.to_datetime(df["Formatted Date"], utc=True,
                                          format="%Y-%m-%d %H:%M:%S.%f %z")
    df = df.dropna(subset=["Temperature (C)", "Humidity"])
    x, y = df[["Humidity"]], df["Temperature (C)"]
    r2 = LinearRegression().fit(x, y).score(x, y)
    series = df.set_index("Formatted Date")["Temperature (C)"].resample("7D").mean()
    df["Temperature (C)"].describe()
    return r2, len(series)


def run_pyarrow(path: str) -> Any:
    """A hand-written pyarrow reader of the three columns."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    cols = ["Formatted Date", "Temperature (C)", "Humidity"]
    t = pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(
        include_columns=cols, column_types={cols[0]: pa.string()}))
    ts = pc.strptime(t[cols[0]], format="%Y-%m-%d %H:%M:%S.000 %z", unit="s")
    y = t[cols[1]].to_numpy()
    x = t[cols[2]].to_numpy()
    r = np.corrcoef(x, y)[0, 1]
    secs = pc.cast(ts, pa.int64()).to_numpy()
    keys = (secs - secs.min()) // (7 * 86400)
    np.bincount(keys, weights=y)
    return r * r


def run_pandas_xlsx(path: str) -> Any:
    import pandas as pd
    from sklearn.linear_model import LinearRegression

    df = pd.read_excel(path, engine="openpyxl")
    df["Formatted Date"] = pd.to_datetime(df["Formatted Date"], utc=True,
                                          format="%Y-%m-%d %H:%M:%S.%f %z")
    x, y = df[["Humidity"]], df["Temperature (C)"]
    return LinearRegression().fit(x, y).score(x, y)


CANDIDATES: dict[str, Callable[[str], Any]] = {
    "engine": run_engine, "duckdb": run_duckdb, "original": run_original,
    "pyarrow": run_pyarrow, "pandas_openpyxl": run_pandas_xlsx,
}


def child(name: str, path: str, runs: int) -> None:
    """Inside the fresh subprocess: warm up, time, report JSON on stdout."""
    fn = CANDIDATES[name]
    result = fn(path)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(path)
        times.append(time.perf_counter() - start)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"times": times, "peak_mb": peak_kib / 1024, "result": repr(result)}))


def measure(name: str, path: Path, runs: int) -> dict[str, Any]:
    """Run one candidate in a fresh interpreter."""
    cmd = [sys.executable, "-m", "tests.bench.engine", "--child", name, str(path), str(runs)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2])
    report: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    report["best"] = min(report["times"])
    report["median"] = statistics.median(report["times"])
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=3, metavar=("NAME", "PATH", "RUNS"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-big", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    csv_1m = make_csv(DATA / "szeged_1m.csv", 1_000_000)
    xlsx = make_xlsx(DATA / "szeged_100k.xlsx", 100_000)
    plan = [(csv_1m, c, args.runs) for c in ("engine", "duckdb", "original", "pyarrow")]
    plan += [(xlsx, c, args.runs) for c in ("engine", "pandas_openpyxl")]
    if not args.skip_big:
        big = make_big_csv(DATA / "szeged_1gb.csv", csv_1m)
        plan += [(big, c, 1) for c in ("engine", "duckdb")]
    rows: list[tuple[str, str, dict[str, Any]]] = []
    for path, name, runs in plan:
        print(f"… {name} on {path.name}", file=sys.stderr, flush=True)
        rows.append((path.name, name, measure(name, path, runs)))
    print(f"\n{'file':<18}{'candidate':<17}{'best s':>9}{'median s':>10}{'peak MB':>9}"
          f"{'× engine':>10}  result")
    engine_best = {f: r["best"] for f, n, r in rows if n == "engine"}
    for file, name, r in rows:
        ratio = r["best"] / engine_best[file] if engine_best.get(file) else float("nan")
        print(f"{file:<18}{name:<17}{r['best']:>9.3f}{r['median']:>10.3f}{r['peak_mb']:>9.0f}"
              f"{ratio:>10.2f}  {r['result'][:40]}")
    print(f"\ncpus={os.cpu_count()}; × engine = candidate time / engine time (higher is slower)")


if __name__ == "__main__":
    main()
