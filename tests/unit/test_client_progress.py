"""The upload progress bar."""

from __future__ import annotations

import io

from ingest_api.client.progress import ProgressBar, render_bar


def test_bar_shows_fraction_bytes_and_rate() -> None:
    line = render_bar(512 * 1024, 1024 * 1024, 2.0, width=80, label="data.csv")
    assert line.startswith("data.csv [")
    assert " 50%  512 KB / 1.0 MB  256 KB/s" in line
    filled, empty = line.count("#"), line.count("-")
    assert filled > 0 and empty > 0
    assert abs(filled - empty) <= 1


def test_bar_keeps_its_width_as_numbers_grow() -> None:
    widths = {render_bar(done, 10**9, 1.0, 80, "f.csv").index("]") for done in (0, 10**6, 10**9)}
    assert len(widths) == 1


def test_bar_fits_narrow_width_and_empty_file() -> None:
    assert len(render_bar(10, 100, 1.0, width=40, label="a-very-long-file-name.xlsx")) <= 40
    assert "100%" in render_bar(0, 0, 0.0)


def test_plain_stream_gets_a_line_per_quarter_and_a_final_line() -> None:
    out = io.StringIO()
    bar = ProgressBar(100, "f.csv", out)
    for done in range(0, 101, 5):
        bar.update(done)
    bar.finish()
    lines = out.getvalue().splitlines()
    assert [line.split()[2] for line in lines] == ["0%", "25%", "50%", "75%", "100%"]
    assert "\r" not in out.getvalue()


def test_disabled_bar_prints_nothing() -> None:
    out = io.StringIO()
    bar = ProgressBar(10, "f.csv", out, enabled=False)
    bar.update(10)
    bar.finish()
    assert out.getvalue() == ""
