"""Merged moments and the reduced weighted fit equal a direct scikit-learn fit on all rows."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from stages.analysis.stats import CoMoments, Moments, reduced_points, regression


def _direct(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    model = LinearRegression().fit(x.reshape(-1, 1), y)
    return model.score(x.reshape(-1, 1), y), float(model.coef_[0]), float(model.intercept_)


@pytest.mark.parametrize("batches", [1, 7, 64])
def test_streamed_regression_equals_direct_fit(batches: int) -> None:
    rng = np.random.default_rng(3)
    n = 200_000
    x = rng.uniform(10, 100, n)
    y = 30 - 0.15 * x + rng.normal(0, 4, n) + 1e4  # large offset: naive Σx² would lose digits
    m = CoMoments()
    for part in np.array_split(np.arange(n), batches):
        m.add(x[part], y[part])
    r2, slope, intercept = _direct(x, y)
    got = regression(m)
    assert got["n"] == n
    assert got["temp_humidity_r2"] == pytest.approx(r2, rel=1e-9, abs=1e-12)
    assert got["slope"] == pytest.approx(slope, rel=1e-9)
    assert got["intercept"] == pytest.approx(intercept, rel=1e-9)
    assert got["pearson_r"] == pytest.approx(np.corrcoef(x, y)[0, 1], rel=1e-9)


def test_reduced_points_reproduce_the_moments() -> None:
    rng = np.random.default_rng(5)
    x, y = rng.normal(50, 10, 1000), rng.normal(15, 5, 1000)
    m = CoMoments()
    m.add(x, y)
    px, py, w = reduced_points(m)
    assert w.sum() == pytest.approx(1000)
    assert np.average(px, weights=w) == pytest.approx(x.mean())
    assert np.average(py, weights=w) == pytest.approx(y.mean())
    dx, dy = px - x.mean(), py - y.mean()
    assert (w * dx * dx).sum() == pytest.approx(((x - x.mean()) ** 2).sum())
    assert (w * dx * dy).sum() == pytest.approx(((x - x.mean()) * (y - y.mean())).sum())
    assert (w * dy * dy).sum() == pytest.approx(((y - y.mean()) ** 2).sum())


def test_moments_merge_is_stable() -> None:
    rng = np.random.default_rng(9)
    v = rng.normal(1e6, 0.5, 100_000)
    m = Moments()
    for part in np.array_split(v, 33):
        m.add(part)
    s = m.summary()
    assert s is not None
    assert s["mean"] == pytest.approx(v.mean(), rel=1e-12)
    assert s["std"] == pytest.approx(v.std(ddof=1), rel=1e-9)
    assert (s["min"], s["max"]) == (v.min(), v.max())


def test_constant_humidity_has_no_r2() -> None:
    m = CoMoments()
    m.add(np.full(10, 50.0), np.arange(10.0))
    assert regression(m)["temp_humidity_r2"] is None
