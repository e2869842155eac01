"""Bounded time series: hourly sums accumulated per batch, re-bucketed by the span at the end."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .dates import civil_from_days, days_from_civil_scalar, iso

MAX_POINTS = 2000
_HOUR = 3600
_DAY = 86400
# (label, approximate seconds per bucket); the first that keeps the series short wins.
_RESOLUTIONS = (("1h", _HOUR), ("1D", _DAY), ("7D", 7 * _DAY), ("1MS", 31 * _DAY))


def _sum(index: NDArray[np.int64], weights: NDArray[np.generic], size: int = 0
         ) -> NDArray[np.float64]:
    """Per-index sums of weights as float64."""
    return np.asarray(np.bincount(index, weights=weights, minlength=size), dtype=np.float64)


class HourlyBuckets:
    """Sum and count of temperatures per hour since the epoch (coarsens to days if huge)."""

    def __init__(self) -> None:
        self.keys = np.empty(0, dtype=np.int64)
        self.sums = np.empty(0, dtype=np.float64)
        self.counts = np.empty(0, dtype=np.int64)
        self.width = _HOUR  # seconds per accumulated bucket

    def add(self, seconds: NDArray[np.int64], temps: NDArray[np.float64]) -> None:
        """Add one batch of (time, °C) pairs."""
        if seconds.size == 0:
            return
        keys = np.floor_divide(seconds, self.width)
        lo, hi = int(keys.min()), int(keys.max())
        if hi - lo < 4 * keys.size + 100_000:
            counts = np.bincount(keys - lo, minlength=hi - lo + 1).astype(np.int64)
            sums = _sum(keys - lo, temps, hi - lo + 1)
            present = counts > 0
            batch_keys = np.flatnonzero(present).astype(np.int64) + lo
            self._merge(batch_keys, sums[present], counts[present])
        else:
            uniq, inverse = np.unique(keys, return_inverse=True)
            self._merge(uniq, _sum(inverse, temps), np.bincount(inverse).astype(np.int64))
        if self.keys.size > 1_000_000 and self.width == _HOUR:
            self._coarsen_to_days()

    def _merge(self, keys: NDArray[np.int64], sums: NDArray[np.float64],
               counts: NDArray[np.int64]) -> None:
        if self.keys.size == 0:
            self.keys, self.sums, self.counts = keys, sums, counts
            return
        all_keys = np.concatenate([self.keys, keys])
        uniq, inverse = np.unique(all_keys, return_inverse=True)
        self.sums = _sum(inverse, np.concatenate([self.sums, sums]))
        self.counts = _sum(inverse, np.concatenate([self.counts, counts])).astype(np.int64)
        self.keys = uniq

    def _coarsen_to_days(self) -> None:
        keys, sums, counts = self.keys // 24, self.sums, self.counts
        self.keys = np.empty(0, dtype=np.int64)
        self.width = _DAY
        uniq, inverse = np.unique(keys, return_inverse=True)
        self._merge(uniq, _sum(inverse, sums), _sum(inverse, counts).astype(np.int64))

    def series(self, start: int, end: int, tz_aware: bool, scale: float = 1.0,
               offset: float = 0.0) -> tuple[str, list[dict[str, object]]]:
        """The resolution label and [{date, mean_temp_C}] (mean * scale + offset) by span."""
        if self.keys.size == 0:
            return "1h", []
        span = end - start
        label, width = "1YS", 366 * _DAY
        for name, seconds in _RESOLUTIONS:
            if span // seconds < MAX_POINTS and seconds >= self.width:
                label, width = name, seconds
                break
        starts = self.keys * self.width
        if label in ("1MS", "1YS"):
            y, m, _ = civil_from_days(np.floor_divide(starts, _DAY))
            groups = y * 12 + (m - 1) if label == "1MS" else y * 12
        else:
            origin = (start // _DAY) * _DAY if label == "7D" else 0
            groups = (starts - origin) // width
        uniq, inverse = np.unique(groups, return_inverse=True)
        sums = _sum(inverse, self.sums)
        counts = _sum(inverse, self.counts)
        points: list[dict[str, object]] = []
        for g, s, c in zip(uniq.tolist(), sums.tolist(), counts.tolist(), strict=True):
            points.append({"date": iso(_bucket_start(label, int(g), width, start), tz_aware),
                           "mean_temp_C": round(s / c * scale + offset, 3)})
        return label, points


def _bucket_start(label: str, group: int, width: int, start: int) -> int:
    """Epoch seconds at which a bucket begins."""
    if label in ("1MS", "1YS"):
        return days_from_civil_scalar(group // 12, group % 12 + 1, 1) * _DAY
    origin = (start // _DAY) * _DAY if label == "7D" else 0
    return origin + group * width
