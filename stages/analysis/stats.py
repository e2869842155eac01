"""Mergeable sufficient statistics (Chan et al.) and the regression computed from them."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass
class Moments:
    """Count, mean, centred sum of squares, min and max of one variable."""

    n: int = 0
    mean: float = 0.0
    m2: float = 0.0
    lo: float = math.inf
    hi: float = -math.inf

    def add(self, values: FloatArray) -> None:
        """Merge a batch of finite values (two-pass within the batch, Chan merge across)."""
        if values.size == 0:
            return
        other = Moments(
            n=int(values.size),
            mean=float(values.mean()),
            lo=float(values.min()),
            hi=float(values.max()),
        )
        other.m2 = float(np.square(values - other.mean).sum())
        self.merge(other)

    def merge(self, other: Moments) -> None:
        """Combine with another set of moments as if all values were seen together."""
        if other.n == 0:
            return
        if self.n == 0:
            self.n, self.mean, self.m2 = other.n, other.mean, other.m2
            self.lo, self.hi = other.lo, other.hi
            return
        n = self.n + other.n
        delta = other.mean - self.mean
        self.mean += delta * other.n / n
        self.m2 += other.m2 + delta * delta * self.n * other.n / n
        self.n = n
        self.lo = min(self.lo, other.lo)
        self.hi = max(self.hi, other.hi)

    def affine(self, scale: float, offset: float) -> Moments:
        """The moments of `scale * x + offset` (scale > 0)."""
        return Moments(
            n=self.n,
            mean=self.mean * scale + offset,
            m2=self.m2 * scale * scale,
            lo=self.lo * scale + offset,
            hi=self.hi * scale + offset,
        )

    def summary(self) -> dict[str, float] | None:
        """`{mean, min, max, std}` (sample std, ddof=1), or None without values."""
        if self.n == 0:
            return None
        std = math.sqrt(self.m2 / (self.n - 1)) if self.n > 1 else 0.0
        return {"mean": self.mean, "min": self.lo, "max": self.hi, "std": std}


@dataclass
class CoMoments:
    """Count, means, centred sums of squares and cross-products of x (humidity), y (temp)."""

    n: int = 0
    mean_x: float = 0.0
    mean_y: float = 0.0
    sxx: float = 0.0
    syy: float = 0.0
    sxy: float = 0.0

    def add(self, x: FloatArray, y: FloatArray) -> None:
        """Merge a batch of paired finite values."""
        if x.size == 0:
            return
        mx, my = float(x.mean()), float(y.mean())
        dx, dy = x - mx, y - my
        self.merge(
            CoMoments(
                n=int(x.size),
                mean_x=mx,
                mean_y=my,
                sxx=float(dx @ dx),
                syy=float(dy @ dy),
                sxy=float(dx @ dy),
            )
        )

    def merge(self, o: CoMoments) -> None:
        """Chan's pairwise update, stable for large n."""
        if o.n == 0:
            return
        if self.n == 0:
            self.n, self.mean_x, self.mean_y = o.n, o.mean_x, o.mean_y
            self.sxx, self.syy, self.sxy = o.sxx, o.syy, o.sxy
            return
        n = self.n + o.n
        dx, dy = o.mean_x - self.mean_x, o.mean_y - self.mean_y
        f = self.n * o.n / n
        self.sxx += o.sxx + dx * dx * f
        self.syy += o.syy + dy * dy * f
        self.sxy += o.sxy + dx * dy * f
        self.mean_x += dx * o.n / n
        self.mean_y += dy * o.n / n
        self.n = n

    def affine(self, sx: float, ox: float, sy: float, oy: float) -> CoMoments:
        """The co-moments of (sx * x + ox, sy * y + oy), scales positive."""
        return CoMoments(
            n=self.n,
            mean_x=self.mean_x * sx + ox,
            mean_y=self.mean_y * sy + oy,
            sxx=self.sxx * sx * sx,
            syy=self.syy * sy * sy,
            sxy=self.sxy * sx * sy,
        )


def reduced_points(m: CoMoments) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Four weighted points with exactly the same n, means and centred (co)moments.

    Deviations ±(a, b) and ±(0, c), each weighted n/4, give Σw·dx² = n/2·a², Σw·dx·dy =
    n/2·a·b, Σw·dy² = n/2·(b² + c²). Choosing a² = 2Sxx/n, b = 2Sxy/(n·a),
    c² = 2Syy/n − b² reproduces Sxx, Sxy, Syy, so the weighted normal equations (and hence
    slope, intercept and R²) equal those of a fit on every row.
    """
    a = math.sqrt(2.0 * m.sxx / m.n)
    b = 2.0 * m.sxy / (m.n * a)
    c = math.sqrt(max(2.0 * m.syy / m.n - b * b, 0.0))
    x = np.array([m.mean_x + a, m.mean_x - a, m.mean_x, m.mean_x])
    y = np.array([m.mean_y + b, m.mean_y - b, m.mean_y + c, m.mean_y - c])
    w = np.full(4, m.n / 4.0)
    return x, y, w


def regression(m: CoMoments) -> dict[str, float | int | None]:
    """Temperature-on-humidity LinearRegression, fitted on the exact reduction of all rows."""
    if m.n < 3 or m.sxx <= 0.0 or m.syy <= 0.0:
        return {"temp_humidity_r2": None, "slope": None, "intercept": None,
                "pearson_r": None, "n": m.n}
    from sklearn.linear_model import LinearRegression  # heavy import, only when needed

    x, y, w = reduced_points(m)
    model = LinearRegression().fit(x.reshape(-1, 1), y, sample_weight=w)
    r2 = float(model.score(x.reshape(-1, 1), y, sample_weight=w))
    pearson = m.sxy / math.sqrt(m.sxx * m.syy)
    return {
        "temp_humidity_r2": min(max(r2, 0.0), 1.0),
        "slope": float(model.coef_[0]),
        "intercept": float(model.intercept_),
        "pearson_r": max(-1.0, min(1.0, pearson)),
        "n": m.n,
    }
