"""Hostile or broken files fail fast with their code, never a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from stages.analysis import AnalysisError, analyze_file

from .hostile import CASES


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_gives_its_code(name: str, tmp_path: Path) -> None:
    make, code = CASES[name]
    path = make(tmp_path)
    start = time.monotonic()
    with pytest.raises(AnalysisError) as info:
        analyze_file(path)
    assert info.value.code == code, info.value.message
    assert time.monotonic() - start < 10
    assert info.value.message and "Traceback" not in info.value.message


def test_missing_override_column(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("date,temp,humidity\n2020-01-01,3,50\n2020-01-02,4,60\n")
    with pytest.raises(AnalysisError) as info:
        analyze_file(path, temperature_column="nope")
    assert info.value.code == "COLUMN_NOT_FOUND"


def test_unexpected_failure_is_still_coded(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from stages.analysis import analyze

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError

    monkeypatch.setattr(analyze, "_analyze_text", broken)
    path = tmp_path / "d.csv"
    path.write_text("date,temp\n2020-01-01,3\n")
    with pytest.raises(AnalysisError) as info:
        analyze_file(path)
    assert info.value.code == "ANALYSIS_FAILED"
    assert isinstance(info.value.__cause__, ZeroDivisionError)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AnalysisError) as info:
        analyze_file(tmp_path / "absent.csv")
    assert info.value.code == "FILE_NOT_FOUND"
