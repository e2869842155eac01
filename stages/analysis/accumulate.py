"""Per-batch reduction of rows into moments, time buckets and drop counts."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa

from .columns import Choice, DateChoice
from .dates import (
    NAT,
    IntArray,
    parse_compact_numbers,
    parse_parts,
    parse_strings,
    parse_time_of_day,
    timestamps_to_seconds,
)
from .numbers import to_float
from .stats import CoMoments, Moments
from .timeseries import HourlyBuckets

# Plausible raw readings per unit; anything outside is a sentinel or an error.
TEMP_WINDOW = {"C": (-90.0, 65.0), "F": (-130.0, 150.0), "K": (183.0, 338.0),
               "0.1C": (-900.0, 650.0), None: (-90.0, 150.0)}


def _is_text(arr: pa.Array) -> bool:
    return bool(pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type))


def seconds_of(date: DateChoice, batch: pa.RecordBatch) -> IntArray | None:
    """Epoch seconds per row (NAT where unparseable), or None without a date."""
    cols = [batch.column(c) for c in date.columns]
    if date.kind == "single":
        arr = cols[0]
        if pa.types.is_timestamp(arr.type) or pa.types.is_date(arr.type):
            return timestamps_to_seconds(arr)
        if date.fmt and date.fmt.startswith("%Y%m%d"):
            return parse_compact_numbers(arr)
        return parse_strings(arr, date.fmt or "%Y-%m-%d", date.fixed)
    if date.kind == "date_time":
        arr = cols[0]
        days = timestamps_to_seconds(arr) if pa.types.is_timestamp(arr.type) else \
            parse_strings(arr, date.fmt or "%Y-%m-%d", date.fixed)
        secs = parse_time_of_day(cols[1])
        ok = (days != NAT) & (secs != NAT)
        return np.where(ok, days + np.where(ok, secs, 0), NAT)
    if date.kind == "parts":
        extra = [*cols[3:], None, None]
        return parse_parts(cols[0], cols[1], cols[2], extra[0], extra[1])
    return None


class Accumulator:
    """Everything the result document needs, in raw file units, merged batch by batch."""

    def __init__(self, choice: Choice) -> None:
        self.choice = choice
        self.window = TEMP_WINDOW[choice.temperature_unit]
        self.rows_read = 0
        self.dropped: Counter[str] = Counter()
        self.humidity_missing = 0
        self.filled_from_max_min = 0
        self.temp = Moments()
        self.hum = Moments()
        self.pairs = CoMoments()
        self.buckets = HourlyBuckets()
        self.first: int | None = None
        self.last: int | None = None

    def merge(self, other: Accumulator) -> None:
        """Fold in the statistics of another part of the same file."""
        self.rows_read += other.rows_read
        self.dropped.update(other.dropped)
        self.humidity_missing += other.humidity_missing
        self.filled_from_max_min += other.filled_from_max_min
        self.temp.merge(other.temp)
        self.hum.merge(other.hum)
        self.pairs.merge(other.pairs)
        self.buckets.merge(other.buckets)
        firsts = [v for v in (self.first, other.first) if v is not None]
        lasts = [v for v in (self.last, other.last) if v is not None]
        self.first = min(firsts) if firsts else None
        self.last = max(lasts) if lasts else None

    def add(self, batch: pa.RecordBatch) -> None:
        """Reduce one batch."""
        self.rows_read += batch.num_rows
        choice = self.choice
        t = to_float(batch.column(choice.temperature)) if choice.has_mean else \
            np.full(batch.num_rows, np.nan)
        if choice.max_min is not None:
            hi_t, lo_t = (to_float(batch.column(c)) for c in choice.max_min)
            fill = ~np.isfinite(t) & np.isfinite(hi_t) & np.isfinite(lo_t)
            self.filled_from_max_min += int(fill.sum())
            t = np.where(fill, (hi_t + lo_t) / 2, t)
        finite = np.isfinite(t)
        lo, hi = self.window
        in_range = finite & (t >= lo) & (t <= hi)
        self.dropped["missing_temperature"] += int((~finite).sum())
        self.dropped["temperature_out_of_range"] += int((finite & ~in_range).sum())
        used = in_range
        secs = seconds_of(self.choice.date, batch)
        if secs is not None:
            has_date = secs != NAT
            self.dropped["missing_or_invalid_date"] += int((used & ~has_date).sum())
            used = used & has_date
        all_used = bool(used.all())
        tu = t if all_used else t[used]
        self.temp.add(tu)
        if secs is not None and tu.size:
            self.buckets.add(secs if all_used else secs[used], tu)
            self.first, self.last = self.buckets.first, self.buckets.last
        if self.choice.humidity is not None:
            h = to_float(batch.column(self.choice.humidity))
            h = h if all_used else h[used]
            ok = np.isfinite(h) & (h >= 0) & (h <= 100)
            if not ok.all():
                self.humidity_missing += int((~ok).sum())
                h, tu = h[ok], tu[ok]
            self.hum.add(h)
            self.pairs.add(h, tu)

