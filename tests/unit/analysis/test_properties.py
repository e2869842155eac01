"""Hypothesis: R² is in [0, 1] and does not depend on row order, humidity scale or °F/°C."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stages.analysis import analyze_file

_rows = st.lists(
    st.tuples(st.floats(-30, 45, allow_nan=False).map(lambda v: round(v, 2)),
              st.floats(1, 100, allow_nan=False).map(lambda v: round(v, 1))),
    min_size=5, max_size=60,
)


def _write(rows: list[tuple[float, float]], *, fraction: bool = False,
           fahrenheit: bool = False, order: list[int] | None = None) -> Path:
    folder = Path(tempfile.mkdtemp())
    unit = "F" if fahrenheit else "C"
    lines = [f"date,Temperature ({unit}),Relative Humidity"]
    for i in order if order is not None else range(len(rows)):
        t, h = rows[i]
        t_out = round(t * 9 / 5 + 32, 6) if fahrenheit else t
        h_out = round(h / 100, 6) if fraction else h
        lines.append(f"2020-01-{1 + i % 28:02d} {i % 24:02d}:00,{t_out},{h_out}")
    path = folder / "p.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _r2(path: Path) -> float | None:
    value = analyze_file(path)["regression_analysis"]["temp_humidity_r2"]
    assert value is None or isinstance(value, float)
    return value


def _spread(rows: list[tuple[float, float]]) -> bool:
    t, h = np.array(rows).T
    return bool(np.ptp(t) > 0.5 and np.ptp(h) > 2)


@settings(max_examples=25, deadline=None)
@given(_rows, st.randoms(use_true_random=False))
def test_r2_is_bounded_and_order_free(rows: list[tuple[float, float]], rnd: object) -> None:
    base = _r2(_write(rows))
    if base is None:
        return
    assert 0.0 <= base <= 1.0
    order = list(range(len(rows)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    assert _r2(_write(rows, order=order)) == pytest.approx(base, abs=1e-6)


@settings(max_examples=25, deadline=None)
@given(_rows.filter(_spread))
def test_r2_ignores_humidity_scale_and_temperature_unit(rows: list[tuple[float, float]]) -> None:
    base = _r2(_write(rows))
    if base is None:
        return
    h = np.array(rows)[:, 1]
    if h.max() > 1:  # a percent column whose values all sit below 1 is read as a fraction
        assert _r2(_write(rows, fraction=True)) == pytest.approx(base, abs=1e-6)
    assert _r2(_write(rows, fahrenheit=True)) == pytest.approx(base, abs=1e-6)
