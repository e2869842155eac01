"""Bounded time series: dense hourly sums per batch, re-bucketed by the span at the end."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .dates import civil_from_days, days_from_civil, iso

MAX_POINTS = 2000
MAX_DENSE = 4_000_000  # daily buckets kept before coarsening to ~months
_HOUR = 3600
_DAY = 86400
# (label, approximate seconds per bucket); the first that keeps the series short wins.
_RESOLUTIONS = (("1h", _HOUR), ("1D", _DAY), ("7D", 7 * _DAY), ("1MS", 31 * _DAY))


def _sum(index: NDArray[np.int64], weights: NDArray[np.float64] | None = None,
         size: int = 0) -> NDArray[np.float64]:
    """Per-index sums of weights (or counts) as float64."""
    return np.asarray(np.bincount(index, weights=weights, minlength=size), dtype=np.float64)


class HourlyBuckets:
    """Sum and count of temperatures per fixed-width bucket, held densely from `base`."""

    def __init__(self) -> None:
        self.width = _HOUR
        self.base = 0
        self.sums = np.zeros(0)
        self.counts = np.zeros(0)
        self.first: int | None = None  # earliest and latest seconds seen
        self.last: int | None = None

    def add(self, seconds: NDArray[np.int64], temps: NDArray[np.float64]) -> None:
        """Add one batch of (time, value) pairs."""
        if seconds.size == 0:
            return
        first, last = int(seconds.min()), int(seconds.max())
        self.first = first if self.first is None else min(first, self.first)
        self.last = last if self.last is None else max(last, self.last)
        while self.last // self.width - self.first // self.width + 1 > self._limit():
            self._coarsen()
        keys = np.floor_divide(seconds, self.width)
        lo, hi = first // self.width, last // self.width
        self._reserve(lo, hi)
        size = hi - lo + 1
        at = lo - self.base
        self.sums[at:at + size] += _sum(keys - lo, temps, size)
        self.counts[at:at + size] += _sum(keys - lo, None, size)

    def merge(self, other: HourlyBuckets) -> None:
        """Add another accumulator's buckets (coarsening either side to the wider width)."""
        if other.first is None or other.last is None:
            return
        while self.width < other.width:
            self._coarsen()
        while other.width < self.width:
            other._coarsen()
        self.first = other.first if self.first is None else min(self.first, other.first)
        self.last = other.last if self.last is None else max(self.last, other.last)
        while self.last // self.width - self.first // self.width + 1 > self._limit():
            self._coarsen()
            other._coarsen()
        present = np.flatnonzero(other.counts)
        if present.size == 0:
            return
        keys = present + other.base
        self._reserve(int(keys[0]), int(keys[-1]))
        idx = keys - self.base
        self.sums[idx] += other.sums[present]
        self.counts[idx] += other.counts[present]

    def _limit(self) -> int:
        """Hourly buckets only matter while the span fits an hourly series."""
        return MAX_POINTS if self.width == _HOUR else MAX_DENSE

    def _reserve(self, lo: int, hi: int) -> None:
        """Grow the dense arrays (with slack on both sides) to cover keys lo..hi."""
        if self.sums.size == 0:
            self.base, size = lo, hi - lo + 1
            self.sums, self.counts = np.zeros(size), np.zeros(size)
            return
        end = self.base + self.sums.size
        if lo >= self.base and hi < end:
            return
        span = max(hi + 1, end) - min(lo, self.base)
        slack = min(span // 2, MAX_DENSE)
        new_lo = min(lo, self.base) - (slack if lo < self.base else 0)
        new_end = max(hi + 1, end) + (slack if hi >= end else 0)
        sums, counts = np.zeros(new_end - new_lo), np.zeros(new_end - new_lo)
        at = self.base - new_lo
        sums[at:at + self.sums.size] = self.sums
        counts[at:at + self.counts.size] = self.counts
        self.sums, self.counts, self.base = sums, counts, new_lo

    def _coarsen(self) -> None:
        """Merge buckets 24 (or 30) at a time to widen each bucket."""
        factor = 24 if self.width == _HOUR else 30
        if self.sums.size:
            first = self.base * self.width
            new_base = first // (self.width * factor)
            idx = (np.arange(self.sums.size) + self.base) // factor - new_base
            self.sums = _sum(idx, self.sums)
            self.counts = _sum(idx, self.counts)
            self.base = int(new_base)
        self.width *= factor

    def series(self, start: int, end: int, tz_aware: bool, scale: float = 1.0,
               offset: float = 0.0) -> tuple[str, list[dict[str, object]]]:
        """The resolution label and [{date, mean_temp_C}] (mean * scale + offset) by span."""
        present = np.flatnonzero(self.counts)
        if present.size == 0:
            return "1h", []
        span = end - start
        label, width = "1YS", 366 * _DAY
        for name, seconds in _RESOLUTIONS:
            if span // seconds < MAX_POINTS and seconds >= self.width:
                label, width = name, seconds
                break
        keys, sums, counts = present + self.base, self.sums[present], self.counts[present]
        if self.width < _DAY and width >= _DAY:
            per_day = _DAY // self.width
            keys, inverse = np.unique(np.floor_divide(keys, per_day), return_inverse=True)
            sums, counts = _sum(inverse, sums), _sum(inverse, counts)
            keys = keys * per_day
        starts = keys * self.width
        if label in ("1MS", "1YS"):
            y, m, _ = civil_from_days(np.floor_divide(starts, _DAY))
            month = m - 1 if label == "1MS" else np.zeros_like(m)
            groups = y * 12 + month
        else:
            groups = (starts - _origin(label, start)) // width
        uniq, inverse = np.unique(groups, return_inverse=True)
        sums = _sum(inverse, sums)
        counts = _sum(inverse, counts)
        if label in ("1MS", "1YS"):
            bucket_starts = days_from_civil(uniq // 12, uniq % 12 + 1, np.ones_like(uniq)) * _DAY
        else:
            bucket_starts = _origin(label, start) + uniq * width
        means = np.round(sums / counts * scale + offset, 3)
        points: list[dict[str, object]] = [
            {"date": iso(int(b), tz_aware), "mean_temp_C": float(v)}
            for b, v in zip(bucket_starts.tolist(), means.tolist(), strict=True)]
        return label, points


def _origin(label: str, start: int) -> int:
    """Weekly buckets start on the first day of the data; others at the epoch."""
    return (start // _DAY) * _DAY if label == "7D" else 0
