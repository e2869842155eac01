"""Hypothesis: R² is in [0, 1], equals numpy's on the same columns, and does not depend on row
order, humidity scale or °F/°C; the reported means follow the units back to °C and percent."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stages.analysis import analyze_file

Rows = list[tuple[float, float]]

_rows = st.lists(
    st.tuples(st.floats(-30, 45, allow_nan=False).map(lambda v: round(v, 2)),
              st.floats(1, 100, allow_nan=False).map(lambda v: round(v, 1))),
    min_size=5, max_size=60,
)


def _spread(rows: Rows) -> bool:
    t, h = np.array(rows).T
    return bool(np.ptp(t) > 0.5 and np.ptp(h) > 2)


def _expected_r2(rows: Rows) -> float:
    t, h = np.array(rows).T
    return float(np.corrcoef(h, t)[0, 1] ** 2)


class _Files:
    """Writes variants of one table into a temporary folder that is removed afterwards."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def analyse(self, rows: Rows, *, fraction: bool = False, fahrenheit: bool = False,
                order: list[int] | None = None) -> dict[str, Any]:
        unit = "F" if fahrenheit else "C"
        lines = [f"date,Temperature ({unit}),Relative Humidity"]
        for i in order if order is not None else range(len(rows)):
            t, h = rows[i]
            t_out = round(t * 9 / 5 + 32, 6) if fahrenheit else t
            h_out = round(h / 100, 6) if fraction else h
            lines.append(f"2020-01-{1 + i % 28:02d} {i % 24:02d}:00,{t_out},{h_out}")
        self.count += 1
        path = self.folder / f"p{self.count}.csv"
        path.write_text("\n".join(lines) + "\n")
        return analyze_file(path)


def _files() -> Iterator[_Files]:
    with tempfile.TemporaryDirectory() as folder:
        yield _Files(Path(folder))


@settings(max_examples=25, deadline=None)
@given(_rows.filter(_spread), st.randoms(use_true_random=False))
def test_r2_is_numpys_bounded_and_order_free(rows: Rows, rnd: random.Random) -> None:
    for files in _files():
        base = files.analyse(rows)["regression_analysis"]["temp_humidity_r2"]
        assert base == pytest.approx(_expected_r2(rows), abs=1e-9)
        assert 0.0 <= base <= 1.0
        order = list(range(len(rows)))
        rnd.shuffle(order)
        shuffled = files.analyse(rows, order=order)["regression_analysis"]["temp_humidity_r2"]
        assert shuffled == pytest.approx(base, abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(_rows.filter(_spread))
def test_units_convert_back_and_leave_r2_unchanged(rows: Rows) -> None:
    t, h = np.array(rows).T
    for files in _files():
        base = files.analyse(rows)
        r2 = base["regression_analysis"]["temp_humidity_r2"]
        variants = [files.analyse(rows, fahrenheit=True)]
        if h.max() > 1:  # a percent column whose values all sit below 1 is read as a fraction
            variants.append(files.analyse(rows, fraction=True))
        for doc in [base, *variants]:
            assert doc["temperature_C"]["mean"] == pytest.approx(t.mean(), abs=1e-4)
            assert doc["humidity_pct"]["mean"] == pytest.approx(h.mean(), abs=1e-4)
            assert doc["regression_analysis"]["temp_humidity_r2"] == pytest.approx(r2, abs=1e-6)
