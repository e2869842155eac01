"""Engine benchmark: the engine vs DuckDB SQL, the original pandas approach and a hand pyarrow
reader on a 1M-row Szeged CSV; vs pandas+openpyxl on a 100k-row .xlsx; memory on a 1 GB CSV.

Run as `python -m tests.bench.engine` (part of `make bench`). Every candidate lives in its own
fresh interpreter: one untimed warm-up, then timed runs interleaved round-robin with the other
candidates (a shared, busy machine then slows all alike); each child reports its peak RSS.
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


def serve(name: str, path: str) -> None:
    """Inside a fresh subprocess: warm up, then time one run per `run` line on stdin."""
    fn = CANDIDATES[name]
    result = fn(path)
    print(json.dumps({"ready": True, "result": repr(result)}), flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            break
        start = time.perf_counter()
        fn(path)
        print(json.dumps({"time": time.perf_counter() - start}), flush=True)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_mb": peak_kib / 1024}), flush=True)


class Candidate:
    """One candidate in its own interpreter, driven run by run (so load hits all alike)."""

    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.engine", "--serve", name, str(path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            cwd=Path(__file__).resolve().parents[2])
        self.result = self._reply()["result"]
        self.times: list[float] = []
        self.peak_mb = 0.0

    def _reply(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name} exited early")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def run(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("run\n")
        self.proc.stdin.flush()
        self.times.append(self._reply()["time"])

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("quit\n")
        self.proc.stdin.flush()
        self.peak_mb = self._reply()["peak_mb"]
        self.proc.wait(timeout=60)


def compare(path: Path, names: list[str], rounds: int) -> list[Candidate]:
    """Warm every candidate up, then time them round-robin."""
    candidates = []
    for name in names:
        print(f"… warming {name} on {path.name}", file=sys.stderr, flush=True)
        candidates.append(Candidate(name, path))
    for r in range(rounds):
        print(f"… round {r + 1}/{rounds} on {path.name}", file=sys.stderr, flush=True)
        for c in candidates:
            c.run()
    for c in candidates:
        c.close()
    return candidates


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", nargs=2, metavar=("NAME", "PATH"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-big", action="store_true")
    args = parser.parse_args()
    if args.serve:
        serve(*args.serve)
        return
    csv_1m = make_csv(DATA / "szeged_1m.csv", 1_000_000)
    xlsx = make_xlsx(DATA / "szeged_100k.xlsx", 100_000)
    plan = [(csv_1m, ["engine", "duckdb", "original", "pyarrow"], args.rounds),
            (xlsx, ["engine", "pandas_openpyxl"], max(2, args.rounds - 2))]
    if not args.skip_big:
        plan.append((make_big_csv(DATA / "szeged_1gb.csv", csv_1m), ["engine", "duckdb"], 2))
    print(f"\n{'file':<18}{'candidate':<17}{'best s':>9}{'median s':>10}{'peak MB':>9}"
          f"{'× engine':>10}  result", flush=True)
    for path, names, rounds in plan:
        done = compare(path, names, rounds)
        engine = min(done[0].times)
        for c in done:
            best, median = min(c.times), statistics.median(c.times)
            print(f"{path.name:<18}{c.name:<17}{best:>9.3f}{median:>10.3f}{c.peak_mb:>9.0f}"
                  f"{best / engine:>10.2f}  {c.result[:40]}", flush=True)
    print(f"\ncpus={os.cpu_count()}; × engine = candidate best time / engine best time; "
          "runs interleaved round-robin after one untimed warm-up each; peak MB is the "
          "child's own peak RSS (imports included)")


if __name__ == "__main__":
    main()
